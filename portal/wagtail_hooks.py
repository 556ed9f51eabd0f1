from django.http import Http404
from wagtail import hooks
from wagtail.models import PageViewRestriction

from lessons.access.rules import served_restrictions


@hooks.register("before_serve_page", order=-10)
def hide_restricted_pages(page, request, serve_args, serve_kwargs):
    """A logged-in officer outside a document's groups gets 'not found', not Wagtail's
    login form: logging in again would not help, and the page should not admit it exists."""
    if not request.user.is_authenticated:
        return None
    for restriction in served_restrictions(page):
        if restriction.restriction_type == PageViewRestriction.GROUPS and not restriction.accept_request(request):
            raise Http404
    return None
