"""Upload rules for documents used as attachments: a size limit and three kinds (PDF, DOCX,
plain text), recognised by content rather than by the file name; and the rules for replacing
the file of a document that live pages carry. Wired in as Wagtail's document form base
(WAGTAILDOCS_DOCUMENT_FORM_BASE), so the add, edit, multiple-upload and chooser-upload views
all apply it.

Replacing a file puts its text live at once on every live page that carries the document
(the attachment text and the search index follow the file). So it is allowed only to those
who may publish every one of those pages, only when the new text carries no personal data
(the privacy guard's detectors), and it is recorded in each page's history."""
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.documents.forms import BaseDocumentForm

from lessons.access import admin_scope, audit
from lessons.attachments import files as attachments
from lessons.privacy import detectors as privacy
from lessons.privacy import guard as privacy_guard

KIND_NAMES = {attachments.PDF: "PDF", attachments.DOCX: "DOCX (Word)", attachments.TEXT: gettext_lazy("teks (TXT)")}


class AttachmentDocumentForm(BaseDocumentForm):
    def __init__(self, *args, **kwargs):
        self.user = kwargs.get("user")
        super().__init__(*args, **kwargs)
        self.replaced_file = self.instance.file.name if self.instance.pk and self.instance.file else ""
        field = self.fields.get("file")
        if field is not None and hasattr(field, "max_upload_size"):
            # One limit for the whole portal; the message in the portal's language.
            field.max_upload_size = settings.UPLOAD_MAX_BYTES
            field.max_upload_size_text = filesizeformat(settings.UPLOAD_MAX_BYTES)
            field.help_text = _("PDF, DOCX atau teks (TXT), paling besar %(limit)s.") % {
                "limit": field.max_upload_size_text}
            field.error_messages["file_too_large"] = _(
                "Berkas terlalu besar (%(file_size)s). Ukuran paling besar %(max_filesize)s.")
            field.error_messages["file_too_large_unknown_size"] = _(
                "Berkas terlalu besar. Ukuran paling besar %(max_filesize)s.") % {
                "max_filesize": field.max_upload_size_text}

    def _post_clean(self):
        # With the file refused above, the model's own extension check would only add a
        # confusing "extension “” not allowed" about the missing file.
        refused = self._errors["file"].copy() if "file" in self._errors else None
        super()._post_clean()
        if refused is not None:
            self._errors["file"] = refused

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or "file" not in self.changed_data:
            return upload
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("Berkas terlalu besar (%(size)s). Ukuran paling besar %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
                code="file_too_large")
        extension = PurePath(upload.name).suffix.lower().lstrip(".")
        allowed = ", ".join(str(KIND_NAMES[k]) for k in attachments.KINDS)
        if extension not in attachments.KINDS:
            raise ValidationError(
                _("Jenis berkas “%(ext)s” tidak diterima. Unggah %(allowed)s.")
                % {"ext": f".{extension}" if extension else _("tanpa ekstensi"), "allowed": allowed},
                code="invalid_extension")
        kind = attachments.detect_kind(upload)
        if kind != extension:
            found = KIND_NAMES.get(kind, _("tidak dikenali"))
            raise ValidationError(
                _("Isi berkas tidak sesuai dengan namanya: berakhiran .%(ext)s, tetapi isinya %(found)s. "
                  "Unggah %(expected)s yang asli.")
                % {"ext": extension, "found": found, "expected": KIND_NAMES[extension]},
                code="content_mismatch")
        # Broken, or over a limit (unpacked size, pages, parse time or memory): say which.
        if refusal := attachments.problem(upload, kind):
            raise ValidationError(refusal, code="unreadable")
        if self.instance.pk:
            self._check_replacement(upload, kind)
        return upload

    def _check_replacement(self, upload, kind):
        from lessons.models import Attachment

        pages = [row.page.specific_deferred for row in
                 Attachment.objects.filter(document=self.instance, page__live=True).select_related("page")]
        if not pages:
            return  # drafts only: the new text is checked when they are published
        user = self.user
        barred = [page for page in pages if user is None or not page.permissions_for_user(user).can_publish()]
        if barred:
            raise ValidationError(
                _("Berkas ini dipakai oleh dokumen yang sudah terbit (%(titles)s); menggantinya langsung "
                  "mengubah isi yang terbit tanpa tinjauan. Unggah berkas baru sebagai dokumen terpisah, "
                  "lalu lampirkan pada draf dokumen dan ajukan untuk ditinjau.")
                % {"titles": self._named(barred)},
                code="replace_live_without_publish")
        text = attachments.extract_text(upload, kind=kind, name=upload.name)
        matches = privacy.scan(text)
        if matches:
            findings = [privacy_guard.Finding("file", _("Berkas baru"), m.kind, privacy.excerpt(text, m, matches), "")
                        for m in matches]
            raise ValidationError(
                [_("Berkas baru ini memuat %(count)d kemungkinan data pribadi (nomor paspor, NIK, nomor telepon "
                   "atau e-mail) dan dipakai oleh dokumen yang sudah terbit, jadi tidak dapat langsung "
                   "menggantikan berkas lama. Hapus atau samarkan datanya, atau lampirkan berkas ini pada draf "
                   "agar diperiksa reviewer.") % {"count": len(findings)},
                 *privacy_guard.listed(findings)],
                code="privacy")

    def _named(self, pages):
        """Titles of the pages this user may see in the admin; the others only counted."""
        from wagtail.models import Page

        listable = set(admin_scope.chooser_pages(self.user, Page.objects.filter(pk__in=[p.pk for p in pages]))
                       .values_list("pk", flat=True)) if self.user is not None else set()
        named = [f"“{page.title}”" for page in pages if page.pk in listable][:5]
        hidden = len(pages) - len(named)
        if hidden:
            named.append(ngettext("%(count)d dokumen lain", "%(count)d dokumen lain", hidden) % {"count": hidden})
        return ", ".join(named)

    def save(self, commit=True):
        replaced = commit and bool(self.instance.pk) and "file" in self.changed_data
        old_file = self.replaced_file
        document = super().save(commit=commit)
        if replaced:
            audit.record_replacement(document, old_file, self.user)
        return document
