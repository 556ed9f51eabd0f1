"""Wagtail hooks: the "Impor Markdown" admin page and its menu item."""
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lessons.markdown.import_views import MarkdownImportView, user_can_import


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_import(request.user)


@hooks.register("register_admin_urls")
def register_import_url():
    return [path("impor-markdown/", MarkdownImportView.as_view(), name="lessons_import_markdown")]


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(_("Impor Markdown"), reverse("lessons_import_markdown"), icon_name="upload", order=250)
