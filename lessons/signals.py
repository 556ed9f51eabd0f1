"""Model signals of the lessons app: attachment text kept in step with its document, and
the audit trail of privacy overrides. Connected from LessonsConfig.ready()."""
from django.db.models.signals import post_save, pre_save
from wagtail.signals import page_published

from .attachments.files import document_text
from .markdown import import_privacy
from .models import DOCUMENT_MODELS, Attachment
from .privacy import guard as privacy_guard


def extract_attachment_text(sender, instance, raw=False, **kwargs):
    """Before an attachment row is written (e.g. while its page is published): its text,
    re-extracted only when the row is new or points at another document."""
    if raw:
        return
    if instance.pk:
        stored = Attachment.objects.filter(pk=instance.pk).values_list("document_id", "extracted_text").first()
        if stored and stored[0] == instance.document_id and stored[1]:
            instance.extracted_text = stored[1]
            return
    instance.extracted_text = document_text(instance.document)


def refresh_after_document_change(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """A document's file replaced in place: refresh the text of the attachments using it
    (the search app re-indexes their pages on the same save)."""
    if created or raw or (update_fields is not None and "file" not in update_fields):
        return
    rows = Attachment.objects.filter(document=instance)
    if not rows.exists():
        return
    text = document_text(instance)
    rows.exclude(extracted_text=text).update(extracted_text=text)


def record_privacy_override(sender, instance, revision=None, **kwargs):
    if isinstance(instance, DOCUMENT_MODELS):
        privacy_guard.log_override(instance, revision)


def connect():
    from wagtail.documents import get_document_model

    pre_save.connect(extract_attachment_text, sender=Attachment, dispatch_uid="lessons-attachment-text")
    post_save.connect(refresh_after_document_change, sender=get_document_model(),
                      dispatch_uid="lessons-document-changed")
    page_published.connect(record_privacy_override, dispatch_uid="lessons-privacy-override-log")
    page_published.connect(import_privacy.apply_pending_on_publish, dispatch_uid="lessons-import-restriction")
