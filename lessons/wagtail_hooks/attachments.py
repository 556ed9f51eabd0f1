"""Wagtail hooks: attachments are only as public as the pages that carry them."""
from django.http import Http404
from wagtail import hooks
from wagtail.models import Page

from ..access import visible_pages
from ..models import Attachment


@hooks.register("before_serve_document")
def serve_only_to_readers_of_its_pages(document, request):
    """A file attached to restricted pages is served to those who may read (or edit) one of
    them; to anyone else it does not exist. Files attached nowhere stay open to staff."""
    user = request.user
    page_ids = list(Attachment.objects.filter(document=document).values_list("page_id", flat=True))
    if not page_ids or user.is_superuser:
        return None
    pages = Page.objects.filter(id__in=page_ids)
    if visible_pages(user, pages).exists():
        return None
    if any(page.permissions_for_user(user).can_edit() for page in pages):
        return None
    raise Http404
