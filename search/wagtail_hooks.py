"""Wagtail hooks: the search index's dead letters under Reports, for administrators only."""
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

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
