"""Admin URLs that replace Wagtail's own page-chooser views with the scoped ones of
lessons.access.admin_chooser. Included in portal/urls.py in front of Wagtail's admin URLs, so the
same paths (and Wagtail's URL names, which resolve to these paths) reach these views;
decorated as Wagtail decorates its own admin views."""
from django.urls import path
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access

from . import admin_chooser


def _admin_view(view_class):
    return never_cache(require_admin_access(view_class.as_view()))


urlpatterns = [
    path("choose-page/", _admin_view(admin_chooser.BrowseView)),
    path("choose-page/<int:parent_page_id>/", _admin_view(admin_chooser.BrowseView)),
    path("choose-page/search/", _admin_view(admin_chooser.SearchView)),
    path("choose-page/chosen-multiple/", _admin_view(admin_chooser.ChosenMultipleView)),
]
