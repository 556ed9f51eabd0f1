"""What the Wagtail admin may show an editor or reviewer about pages outside their reach.

One rule for every admin surface that lists pages it does not let the user edit (the page
chooser's browse, search and "chosen" answers): a page is shown when the user may read it
live (lessons.access.rules.visible_pages, the readers' rule) or may edit it (their own Kanwil,
drafts included). Its title is the live title unless the user may edit the page: the title
of a newer draft is as confidential as the draft itself."""
from django.db.models import Q
from wagtail.models import Page
from wagtail.permissions import policy_registry

from .rules import visible_pages

EDITING_ACTIONS = {"add", "change", "publish"}


def editable_pages(user):
    return policy_registry.get_by_type(Page).instances_user_has_any_permission_for(user, EDITING_ACTIONS)


def chooser_pages(user, pages):
    """Narrow a page queryset to the pages the chooser may list for this user."""
    if user.is_superuser:
        return pages
    readable = visible_pages(user, Page.objects.live())
    return pages.filter(Q(pk__in=readable.values("pk")) | Q(pk__in=editable_pages(user).values("pk")))


def may_list(user, page):
    return chooser_pages(user, Page.objects.filter(pk=page.pk)).exists()
