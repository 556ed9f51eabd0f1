"""Page events -> outbox rows, in the transaction that made the change."""
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from lessons.models import DOCUMENT_MODELS

from .models import PendingIndexUpdate
from .outbox import enqueue_on_change


def _documents_under(page):
    """The page itself and its descendants that are documents (a moved or restricted
    Kanwil section affects every document in it)."""
    return list(Page.objects.descendant_of(page, inclusive=True).type(*DOCUMENT_MODELS).values_list("id", flat=True))


@receiver(page_published)
def on_publish(sender, instance, **kwargs):
    if isinstance(instance, DOCUMENT_MODELS):
        enqueue_on_change([instance.id])


@receiver(page_unpublished)
def on_unpublish(sender, instance, **kwargs):
    enqueue_on_change(_documents_under(instance), PendingIndexUpdate.DELETE)


@receiver(post_page_move)
def on_move(sender, instance, **kwargs):
    enqueue_on_change(_documents_under(instance))


@receiver(pre_delete)
def on_delete(sender, instance, **kwargs):
    # Before the delete, while descendants can still be found; the row commits with it.
    if isinstance(instance, DOCUMENT_MODELS):
        enqueue_on_change([instance.id], PendingIndexUpdate.DELETE)


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def on_privacy_change(sender, instance, **kwargs):
    enqueue_on_change(_documents_under(instance.page))


@receiver(m2m_changed, sender=PageViewRestriction.groups.through)
def on_privacy_groups_change(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, PageViewRestriction):
        enqueue_on_change(_documents_under(instance.page))


def _pages_attaching(document):
    from lessons.models import Attachment

    page_ids = Attachment.objects.filter(document=document).values_list("page_id", flat=True)
    return list(Page.objects.filter(id__in=page_ids).live().type(*DOCUMENT_MODELS).values_list("id", flat=True))


def on_document_saved(sender, instance, created=False, raw=False, **kwargs):
    # A replaced file changes the attachment text of every live page that uses it.
    if not created and not raw:
        enqueue_on_change(_pages_attaching(instance))


def on_document_deleted(sender, instance, **kwargs):
    # Before the attachment rows cascade away, so the pages can still be found.
    enqueue_on_change(_pages_attaching(instance))


def connect_documents():
    from wagtail.documents import get_document_model

    post_save.connect(on_document_saved, sender=get_document_model(), dispatch_uid="search-document-saved")
    pre_delete.connect(on_document_deleted, sender=get_document_model(), dispatch_uid="search-document-deleted")


# --- Taxonomy labels --------------------------------------------------------------------
# A document contains the names of its stages, obstacles, provisions and Kanwil (facet_text),
# so renaming one must refresh the live pages that use it. Glossary terms are different:
# they are expanded in the query at search time and no document contains them, so saving
# a GlossaryTerm changes what searches find at once and needs no reindexing; nothing here.

def _live_documents(**lookup):
    ids = set()
    for model in DOCUMENT_MODELS:
        if all(hasattr(model, name.split("__")[0]) for name in lookup):
            ids.update(model.objects.live().filter(**lookup).values_list("id", flat=True))
    return sorted(ids)


def pages_using(instance):
    """Live document pages whose search document shows this taxonomy entry."""
    from lessons.models import Kanwil, LegalProvision, Obstacle, Stage

    if isinstance(instance, Kanwil):
        roles = ("author_kanwil", "host_kanwil", "practice_kanwils")
        return sorted(set().union(*(_live_documents(**{role: instance}) for role in roles)))
    field = {Stage: "stages", Obstacle: "obstacles", LegalProvision: "provisions"}[type(instance)]
    return _live_documents(**{field: instance})


def on_taxonomy_saved(sender, instance, created=False, raw=False, **kwargs):
    if not created and not raw:  # a new entry is used by no page yet
        enqueue_on_change(pages_using(instance))


def on_taxonomy_deleted(sender, instance, **kwargs):
    # Before the page links cascade away, so the pages can still be found.
    enqueue_on_change(pages_using(instance))


def connect_taxonomy():
    from lessons.models import Kanwil, LegalProvision, Obstacle, Stage

    for model in (Stage, Obstacle, LegalProvision, Kanwil):
        post_save.connect(on_taxonomy_saved, sender=model, dispatch_uid=f"search-taxonomy-saved-{model.__name__}")
        pre_delete.connect(on_taxonomy_deleted, sender=model, dispatch_uid=f"search-taxonomy-deleted-{model.__name__}")
