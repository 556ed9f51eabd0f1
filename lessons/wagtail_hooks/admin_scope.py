"""Wagtail hooks: the page chooser lists only what lessons.admin_scope allows. (The views
that the hook cannot reach are replaced in lessons/admin_urls.py.)"""
from wagtail import hooks

from ..admin_scope import chooser_pages


@hooks.register("construct_page_chooser_queryset")
def only_readable_or_editable_pages(pages, request):
    return chooser_pages(request.user, pages)
