"""Wagtail hooks: the search index's dead letters under Reports, for administrators only; a
document page's related documents asked for as soon as the page is known to be served."""
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lessons.content.pages import DocumentPage

from . import related_early
from .admin_views import DeadLettersView, user_can_see


class DeadLettersMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_see(request.user)


@hooks.register("register_admin_urls")
def register_dead_letters_url():
    return [path("indeks-pencarian/", DeadLettersView.as_view(), name="search_dead_letters")]


@hooks.register("register_reports_menu_item")
def register_dead_letters_menu_item():
    return DeadLettersMenuItem(_("Antrean indeks pencarian"), reverse("search_dead_letters"), icon_name="warning",
                               order=900)


# After Wagtail's view-restriction check (order 0 wraps this one): nothing is asked for a
# reader who gets a login form or a 404 instead of the page.
@hooks.register("on_serve_page", order=100)
def ask_related_documents_early(serve_page):
    def serve(page, request, serve_args, serve_kwargs):
        if isinstance(page, DocumentPage) and request.method in ("GET", "HEAD"):
            related_early.start(page, request)
        return serve_page(page, request, serve_args, serve_kwargs)
    return serve
