"""Wagtail hooks: attachments are only as readable as the live pages that carry them."""
from django.http import Http404
from wagtail import hooks

from lessons.access.rules import may_download


@hooks.register("before_serve_document")
def serve_only_to_readers_of_its_pages(document, request):
    """Every download goes through here (WAGTAILDOCS_SERVE_METHOD = serve_view; media has
    no route). Who may have the file: lessons.access.rules.may_download; to anyone else it does
    not exist."""
    if not may_download(request.user, document):
        raise Http404
