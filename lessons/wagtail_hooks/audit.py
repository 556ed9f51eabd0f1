"""Wagtail hooks: how the audit entries of lessons.access.audit read in a page's history."""
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from lessons.access import audit


@hooks.register("register_log_actions")
def register_audit_log_actions(actions):
    @actions.register_action(audit.PRIVACY_ACTION)
    class PrivacyChangedFormatter(LogFormatter):
        label = _("Ubah privasi")

        def format_message(self, log_entry):
            return audit.describe_privacy(log_entry.data)

    @actions.register_action(audit.ATTACHMENT_ADDED)
    class AttachmentAddedFormatter(LogFormatter):
        label = _("Tambah lampiran")

        def format_message(self, log_entry):
            return _("Lampiran ditambahkan: %(documents)s") % {
                "documents": audit.describe_documents(log_entry.data.get("documents", []))}

    @actions.register_action(audit.ATTACHMENT_REMOVED)
    class AttachmentRemovedFormatter(LogFormatter):
        label = _("Hapus lampiran")

        def format_message(self, log_entry):
            documents = log_entry.data.get("documents", [])
            message = _("Lampiran dihapus dari dokumen ini: %(documents)s")
            if any(d.get("deleted") for d in documents):
                message = _("Lampiran dihapus karena berkasnya dihapus: %(documents)s")
            return message % {"documents": audit.describe_documents(documents)}

    @actions.register_action(audit.ATTACHMENT_REPLACED)
    class AttachmentReplacedFormatter(LogFormatter):
        label = _("Ganti berkas lampiran")

        def format_message(self, log_entry):
            document = log_entry.data.get("document", {})
            return _("Berkas lampiran “%(title)s” diganti: %(old)s → %(new)s") % {
                "title": document.get("title", ""), "old": log_entry.data.get("old_file") or "?",
                "new": document.get("file", "")}
