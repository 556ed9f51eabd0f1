"""The audit trail of who may read a page and what is attached to it, in Wagtail's page
history (PageLogEntry). Wagtail's own view-restriction entries name only the kind of
restriction, and nothing records attachments; these entries name the groups and the files.

Privacy entries follow the restriction rows (model signals), so every way of changing them
is covered: the admin's privacy dialog, Markdown imports, code. The groups of a restriction
are written after the restriction itself (a separate many-to-many step), so the changes made
under one Wagtail log context (one admin request) update one entry holding the final state
instead of leaving intermediate ones. Attachment entries compare each new revision with the
one before it; replacing a document's file is recorded by the document form, which knows who
did it (lessons.attachments.document_forms)."""
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils.translation import gettext as _
from wagtail.log_actions import get_active_log_context, log
from wagtail.models import Page, PageLogEntry, PageViewRestriction, Revision

PRIVACY_ACTION = "lintas.privacy_changed"
ATTACHMENT_ADDED = "lintas.attachment_added"
ATTACHMENT_REMOVED = "lintas.attachment_removed"
ATTACHMENT_REPLACED = "lintas.attachment_replaced"


# --- privacy ----------------------------------------------------------------------------------

def privacy_state(page):
    """The restriction set on the page itself: its kind and, for groups, the group names."""
    restriction = PageViewRestriction.objects.filter(page=page).order_by("-pk").first()
    if restriction is None:
        return {"restriction": PageViewRestriction.NONE, "groups": []}
    groups = sorted(restriction.groups.values_list("name", flat=True)) \
        if restriction.restriction_type == PageViewRestriction.GROUPS else []
    return {"restriction": restriction.restriction_type, "groups": groups}


def _last_privacy_entry(page):
    return PageLogEntry.objects.filter(page=page, action=PRIVACY_ACTION).order_by("-timestamp", "-pk").first()


def record_privacy(page):
    """One entry per change, with the state the page is left in."""
    page = page.specific_deferred
    state = privacy_state(page)
    context_uuid = get_active_log_context().uuid
    last = _last_privacy_entry(page)
    if last is not None and context_uuid is not None and last.uuid == context_uuid:
        last.data = {**last.data, **state}  # same request: the entry follows the final state
        last.save(update_fields=["data"])
        return last
    if last is not None and {k: last.data.get(k) for k in state} == state:
        return last  # saved again unchanged
    previous = {k: last.data.get(k) for k in state} if last is not None else None
    return log(instance=page, action=PRIVACY_ACTION, data={**state, "previous": previous})


def describe_privacy(data):
    restriction, groups = data.get("restriction"), data.get("groups") or []
    if restriction == PageViewRestriction.GROUPS:
        return _("Dibatasi untuk: %(groups)s") % {"groups": ", ".join(groups) or _("(tidak ada grup)")}
    if restriction == PageViewRestriction.LOGIN:
        return _("Terbuka untuk semua pengguna yang masuk")
    if restriction == PageViewRestriction.PASSWORD:
        return _("Dilindungi kata sandi")
    return _("Pembatasan dihapus: terbuka untuk semua pengguna yang masuk")


def _restriction_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    if created and instance.restriction_type == PageViewRestriction.GROUPS and not instance.groups.exists():
        return  # its groups follow in a moment, and are recorded then
    record_privacy(instance.page)


def _restriction_deleted(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:  # not when the page itself is being deleted
        record_privacy(page)


def _restriction_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        record_privacy(instance.page)
    elif pk_set:
        for restriction in PageViewRestriction.objects.filter(pk__in=pk_set).select_related("page"):
            record_privacy(restriction.page)


# --- attachments ------------------------------------------------------------------------------

def _document_summary(document_id, title=""):
    from wagtail.documents import get_document_model

    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None:
        return {"id": document_id, "title": title, "file": ""}
    return {"id": document_id, "title": title or document.title, "file": document.filename}


def _attached(revision):
    rows = (revision.content or {}).get("attachments") or []
    return {row.get("document"): row.get("title") or "" for row in rows if row.get("document")}


def _revision_saved(sender, instance, created=False, raw=False, **kwargs):
    """A new page revision whose attachments differ from the previous revision's."""
    if not created or raw or instance.base_content_type_id != ContentType.objects.get_for_model(Page).pk:
        return
    now = _attached(instance)
    previous = Revision.objects.filter(
        base_content_type_id=instance.base_content_type_id, object_id=instance.object_id, pk__lt=instance.pk,
    ).order_by("-pk").first()
    before = _attached(previous) if previous is not None else {}
    added = [_document_summary(pk, now[pk]) for pk in now if pk not in before]
    removed = [_document_summary(pk, before[pk]) for pk in before if pk not in now]
    if not (added or removed):
        return
    page = Page.objects.filter(pk=instance.object_id).first()
    if page is None:
        return
    page = page.specific_deferred
    if added:
        log(instance=page, action=ATTACHMENT_ADDED, user=instance.user, revision=instance,
            data={"documents": added})
    if removed:
        log(instance=page, action=ATTACHMENT_REMOVED, user=instance.user, revision=instance,
            data={"documents": removed})


def _document_deleted(sender, instance, **kwargs):
    """Deleting a document takes it off every page that carries it."""
    from lessons.models import Attachment

    page_ids = set(Attachment.objects.filter(document=instance).values_list("page_id", flat=True))
    summary = {"id": instance.pk, "title": instance.title, "file": instance.filename, "deleted": True}
    for page in Page.objects.filter(pk__in=page_ids).specific():
        log(instance=page, action=ATTACHMENT_REMOVED, data={"documents": [summary]})


def record_replacement(document, old_file, user):
    """After a document's file was replaced: one entry on every page that carries it."""
    from lessons.models import Attachment

    page_ids = set(Attachment.objects.filter(document=document).values_list("page_id", flat=True))
    data = {"document": {"id": document.pk, "title": document.title, "file": document.filename},
            "old_file": old_file.rsplit("/", 1)[-1] if old_file else ""}
    return [log(instance=page, action=ATTACHMENT_REPLACED, user=user, data=data)
            for page in Page.objects.filter(pk__in=page_ids).specific()]


def describe_documents(documents):
    return ", ".join(f"“{d.get('title') or d.get('file')}” ({d.get('file')})" if d.get("file")
                     else f"“{d.get('title')}”" for d in documents)


def connect():
    from wagtail.documents import get_document_model

    post_save.connect(_restriction_saved, sender=PageViewRestriction, dispatch_uid="lintas-audit-privacy-saved")
    post_delete.connect(_restriction_deleted, sender=PageViewRestriction, dispatch_uid="lintas-audit-privacy-deleted")
    m2m_changed.connect(_restriction_groups_changed, sender=PageViewRestriction.groups.through,
                        dispatch_uid="lintas-audit-privacy-groups")
    post_save.connect(_revision_saved, sender=Revision, dispatch_uid="lintas-audit-attachments")
    pre_delete.connect(_document_deleted, sender=get_document_model(), dispatch_uid="lintas-audit-document-deleted")
