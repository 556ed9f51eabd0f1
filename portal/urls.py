from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import browse_views
from portal import views as portal_views

urlpatterns = [
    path("masuk/", auth_views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", portal_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", include("lessons.access.admin_urls")),  # scoped page chooser, in front of Wagtail's own
    path("admin/", include(wagtailadmin_urls)),
    path("dokumen/", include(wagtaildocs_urls)),
    path("", include("search.urls")),
    path("tahapan/<slug:code>/", browse_views.stage_page, name="browse-stage"),
    path("kendala/<slug:code>/", browse_views.obstacle_page, name="browse-obstacle"),
]

urlpatterns += [path("", include(wagtail_urls))]
