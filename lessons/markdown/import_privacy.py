"""The view restriction a Markdown file asks for (front matter `restricted_to`).

Wagtail privacy is not revisioned: a restriction applies to the live page at once. So an
import may set it immediately only where nothing live changes without a publisher's say:
on a page it creates (not live yet), or when the importer may publish the page. A draft
import by anyone else leaves the live restriction alone and keeps the wish inside its
revision; publishing (by a reviewer, through the workflow) applies it."""
import contextvars
from contextlib import contextmanager

from wagtail.models import PageViewRestriction

from lessons.access import rules as access
from lessons.content.taxonomy import Kanwil

PENDING_KEY = "lintas_pending_restricted_to"  # in Revision.content; not a page field
LOOKBACK = 50  # revisions searched back from the published one
# Inside revisions_known(): page id -> every revision of that page, as the caller holds them.
_known_revisions = contextvars.ContextVar("known_revisions", default={})


@contextmanager
def revisions_known(revisions_by_page):
    """Inside, apply_pending_on_publish takes these pages' revisions from here instead of
    reading them: a bulk import publishing the pages it has just created, each with the one
    revision it holds (new_pages), saves a query per page."""
    token = _known_revisions.set(revisions_by_page)
    try:
        yield
    finally:
        _known_revisions.reset(token)


def apply(page, kanwil_codes):
    """Make the page readable by exactly these Kanwil's groups (none: by everyone)."""
    PageViewRestriction.objects.filter(page=page).delete()
    if not kanwil_codes:
        return
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    for kanwil in Kanwil.objects.filter(code__in=kanwil_codes):
        restriction.groups.add(*access.kanwil_groups(kanwil).values())


def remember(revision, kanwil_codes):
    """Keep the wish with the draft revision until a publisher publishes it."""
    revision.content[PENDING_KEY] = sorted(kanwil_codes)
    revision.save(update_fields=["content"])


def apply_pending_on_publish(sender, instance, revision=None, **kwargs):
    """page_published: apply the newest wish recorded up to the published revision (later
    admin edits build on the imported draft, so its wish carries), then forget them all."""
    if revision is None:
        return
    known = _known_revisions.get().get(instance.pk)
    if known is not None:
        recent = sorted((r for r in known if r.id <= revision.id), key=lambda r: r.id, reverse=True)[:LOOKBACK]
    else:
        recent = list(instance.revisions.filter(id__lte=revision.id).order_by("-id")[:LOOKBACK])
    pending = [r for r in recent if PENDING_KEY in (r.content or {})]
    if not pending:
        return
    apply(instance, pending[0].content[PENDING_KEY])
    for old in pending:
        del old.content[PENDING_KEY]
        old.save(update_fields=["content"])
