"""The three kinds of shared documents, as Wagtail pages under a Kanwil page."""
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from lessons.markdown.rendering import PageNotes, markdown_to_text
from lessons.privacy import guard as privacy_guard
from lessons.privacy.panels import PrivacyReviewPanel

from .blocks import FOLLOW_UP_STATUS, BodyBlock, FollowUpBlock, StepBlock, TeamMemberBlock
from .forms import DocumentPageForm
from .plain_text_keys import plain_text_key
from .taxonomy import GlossaryTerm, Kanwil, LegalProvision, Obstacle, Stage  # noqa: F401  (model registry)


# The roles a Kanwil can hold in a document (codes used in the index and the API).
KANWIL_ROLES = {"author": _("penulis"), "host": _("tuan rumah"), "practice": _("sumber praktik")}


class DocumentPage(Page):
    """Fields shared by visit reports, lessons and guides."""

    author_kanwil = models.ForeignKey(
        Kanwil, verbose_name=_("Kanwil penulis"), on_delete=models.PROTECT, related_name="+", null=True
    )
    date = models.DateField(_("tanggal"), null=True, blank=True)
    summary = models.TextField(_("ringkasan"), blank=True)
    stages = ParentalManyToManyField(Stage, verbose_name=_("tahapan"), blank=True, related_name="+")
    obstacles = ParentalManyToManyField(Obstacle, verbose_name=_("kendala"), blank=True, related_name="+")
    provisions = ParentalManyToManyField(LegalProvision, verbose_name=_("ketentuan hukum"), blank=True, related_name="+")
    # Kanwil whose practice the document describes (besides a visit report's host): the
    # document then counts as their experience too (the Kanwil filter, Kanwil pages).
    practice_kanwils = ParentalManyToManyField(
        Kanwil, verbose_name=_("Kanwil sumber praktik"), blank=True, related_name="+",
        help_text=_("Kanwil yang praktiknya diuraikan dokumen ini, bila bukan Kanwil penulis."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("isi"), blank=True)
    source_file = models.CharField(
        _("berkas sumber"), max_length=255, blank=True, editable=False,
        help_text=_("Nama berkas Markdown asal, bila dokumen diimpor."),
    )

    source_digest = models.CharField(max_length=64, blank=True, editable=False)

    # A reviewer's decision that the personal data found may go live; see privacy_guard.
    privacy_override = models.BooleanField(
        _("izinkan terbit meski ada temuan privasi"), default=False,
        help_text=_("Khusus reviewer Kanwil ini: centang bila data yang ditemukan sudah diperiksa dan boleh "
                    "terbit, lalu simpan dan setujui. Dicatat di log audit; harus dicentang ulang setiap kali "
                    "isi diubah."),
    )
    privacy_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("diizinkan oleh"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    privacy_override_digest = models.CharField(max_length=64, blank=True, editable=False)
    # Plain text of each Markdown source of the page, made when the page is saved so that
    # indexing (every rebuild, every publication) does not render Markdown again:
    # {plain_text_key(source): text}. Looked up by the source itself, so a row written behind
    # save()'s back can only miss (and the text is rendered), never give another source's text.
    plain_texts = models.JSONField(default=dict, blank=True, editable=False)

    type_code = ""  # canonical content-type code, set by each subclass
    base_form_class = DocumentPageForm
    parent_page_types = ["portal.KanwilPage"]
    subpage_types = []

    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    taxonomy_panels = [
        FieldPanel("date"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("stages"), FieldPanel("obstacles"), FieldPanel("provisions"), FieldPanel("practice_kanwils")],
            heading=_("Tahapan, kendala dan ketentuan"),
        ),
    ]
    attachment_panels = [InlinePanel("attachments", label=_("Lampiran"))]
    privacy_panels = [PrivacyReviewPanel()]

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.pk:  # (a preview's unsaved relations are in memory and win over these)
            # The template reads each list twice and related documents read the codes again;
            # one query per relation instead, attachments with their files (not one query
            # per attachment) and without their extracted text, which the page never shows.
            attachments = Attachment.objects.select_related("document").defer("extracted_text")
            prefetch_related_objects([self], "stages", "obstacles", "provisions", "practice_kanwils",
                                     Prefetch("attachments", queryset=attachments))
        return context

    def kanwil_roles(self):
        """(Kanwil, role code) for every Kanwil whose experience this is, author first; a
        Kanwil may hold two roles (an author naming its own practice)."""
        known = self.__dict__.get("_kanwil_roles")
        if known is not None:
            return known
        return _kanwil_roles(self.author_kanwil, getattr(self, "host_kanwil", None), self.practice_kanwils.all())

    def remember_kanwil_roles(self, author, host, practice):
        """Set what kanwil_roles() answers from Kanwil a listing read for all its cards at
        once (portal.experience.fetch_roles), for this instance only: one page of cards
        reads no related manager per card."""
        self._kanwil_roles = _kanwil_roles(author, host, practice)

    def kanwil_role_items(self):
        """kanwil_roles() as shown: [{code, role, label, role_label}] (as the search results give them)."""
        return [{"code": k.code, "role": role, "label": k.name, "role_label": str(KANWIL_ROLES[role])}
                for k, role in self.kanwil_roles()]

    def text_sections(self):
        """Plain text of the document's own fields, in reading order, for the search index."""
        return [self.body_text()]

    def markdown_sources(self):
        """The page's Markdown texts in the order its template shows them."""
        return self.body_markdown()

    def body_markdown(self):
        return [b.value for b in self.body if b.block_type == "markdown"]

    @cached_property
    def footnotes(self):
        """The notes of all the page's Markdown texts, so that a reference in one field links
        to a note another field defines (an imported file's notes land in its last section)."""
        return PageNotes(self.markdown_sources())

    def body_text(self):
        return "\n".join(self.plain_text(b.value) if b.block_type == "markdown" else _block_text(b) for b in self.body)

    def plain_text(self, source):
        """markdown_to_text(source), from plain_texts when it was stored at the last save."""
        if not source:
            return ""
        key = plain_text_key(source)
        text = (self.plain_texts or {}).get(key) if isinstance(self.plain_texts, dict) else None
        if text is None:
            text = markdown_to_text(source)
        if self._recording_plain_texts is not None:
            self._recording_plain_texts[key] = text
        return text

    _recording_plain_texts = None

    def fill_plain_texts(self):
        """Store the plain text of every Markdown source text_sections() reads (and only
        those: texts of sources the page no longer has are dropped)."""
        self._recording_plain_texts = recorded = {}
        try:
            self.text_sections()
        finally:
            self._recording_plain_texts = None
        changed = recorded != self.plain_texts
        self.plain_texts = recorded
        return changed

    def attachment_text(self):
        return "\n".join(a.extracted_text for a in self.attachments.all() if a.extracted_text)

    # Privacy guard: every way of publishing ends in one of these.
    def save_revision(self, user=None, *args, **kwargs):
        privacy_guard.stamp_override(self, user)
        return super().save_revision(user, *args, **kwargs)

    def publish(self, revision, *args, **kwargs):
        privacy_guard.ensure_publishable(revision.as_object())
        return super().publish(revision, *args, **kwargs)

    def save(self, *args, **kwargs):
        privacy_guard.check_going_live(self, kwargs.get("update_fields"))
        if kwargs.get("update_fields") is None:  # the content is written: its plain text too
            try:
                self.fill_plain_texts()
            except Exception:  # noqa: BLE001 - content that cannot be read as text is the index's to report
                self.plain_texts = {}
        return super().save(*args, **kwargs)

    def serializable_data(self):
        # Revisions keep what editors wrote; the plain text is made again when one is published.
        data = super().serializable_data()
        data.pop("plain_texts", None)
        return data


def _kanwil_roles(author, host, practice):
    roles = [(author, "author")] if author else []
    roles += [(host, "host")] if host else []
    return roles + [(k, "practice") for k in sorted(practice, key=lambda k: k.name)]


def _block_text(block):
    return " ".join(str(part) for part in block.block.get_searchable_content(block.value))


class Attachment(Orderable):
    """A file (PDF, DOCX, text) attached to any document page; its text is indexed with the page."""

    page = ParentalKey(Page, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("judul"), max_length=255, blank=True)
    extracted_text = models.TextField(_("teks hasil ekstraksi"), blank=True, editable=False)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")

    def __str__(self):
        return self.title or self.document.title


class StudiTiruReport(DocumentPage):
    type_code = "studi-tiru"

    host_kanwil = models.ForeignKey(
        Kanwil, verbose_name=_("Kanwil tuan rumah"), on_delete=models.PROTECT, related_name="+", null=True
    )
    date_end = models.DateField(_("tanggal selesai"), null=True, blank=True)
    team = StreamField([("member", TeamMemberBlock())], verbose_name=_("tim"), blank=True)
    purpose = models.TextField(_("tujuan"), blank=True, help_text=_("Markdown."))
    findings = models.TextField(_("temuan"), blank=True, help_text=_("Markdown."))
    recommendations = models.TextField(_("rekomendasi"), blank=True, help_text=_("Markdown."))
    follow_up = StreamField([("action", FollowUpBlock())], verbose_name=_("tindak lanjut"), blank=True)

    search_fields = DocumentPage.search_fields + [index.SearchField("purpose"), index.SearchField("findings")]
    content_panels = (
        DocumentPage.privacy_panels
        + Page.content_panels
        + [
            MultiFieldPanel(
                [FieldPanel("host_kanwil"), FieldRowPanel([FieldPanel("date"), FieldPanel("date_end")]), FieldPanel("team")],
                heading=_("Kunjungan"),
            ),
            FieldPanel("summary"),
            FieldPanel("purpose"),
            FieldPanel("body"),
            FieldPanel("findings"),
            FieldPanel("recommendations"),
            FieldPanel("follow_up"),
        ]
        + DocumentPage.taxonomy_panels[2:]
        + DocumentPage.attachment_panels
    )

    def follow_up_rows(self):
        """(action, owner, status code, status label) for the follow-up table."""
        labels = dict(FOLLOW_UP_STATUS)
        return [(a.value["action"], a.value["owner"], a.value["status"], labels.get(a.value["status"], a.value["status"]))
                for a in self.follow_up]

    def markdown_sources(self):
        return [self.purpose, *self.body_markdown(), self.findings, self.recommendations]

    def text_sections(self):
        team = [f"{m.value['name']} {m.value['role']}" for m in self.team]
        actions = [f"{a.value['action']} {a.value['owner']}" for a in self.follow_up]
        return [
            self.plain_text(self.purpose), self.body_text(), self.plain_text(self.findings),
            self.plain_text(self.recommendations), "\n".join(actions), "\n".join(team),
        ]

    class Meta:
        verbose_name = _("laporan studi tiru")
        verbose_name_plural = _("laporan studi tiru")


VALIDATION_CHOICES = [("belum-divalidasi", _("Belum divalidasi")), ("tervalidasi", _("Tervalidasi"))]


class LessonLearned(DocumentPage):
    type_code = "pelajaran"

    situation = models.TextField(_("situasi"), blank=True, help_text=_("Markdown. Tanpa nama tersangka atau nomor paspor."))
    action_taken = models.TextField(_("tindakan"), blank=True, help_text=_("Markdown."))
    result = models.TextField(_("hasil"), blank=True, help_text=_("Markdown."))
    recommendation = models.TextField(_("rekomendasi"), blank=True, help_text=_("Markdown."))
    p19_returns = models.PositiveSmallIntegerField(_("jumlah pengembalian P-19"), null=True, blank=True)
    days_spdp_to_p21 = models.PositiveIntegerField(_("hari dari SPDP ke P-21"), null=True, blank=True)
    validation_status = models.CharField(
        _("status validasi"), max_length=20, choices=VALIDATION_CHOICES, default="belum-divalidasi"
    )

    search_fields = DocumentPage.search_fields + [
        index.SearchField("situation"), index.SearchField("action_taken"), index.SearchField("result"),
    ]
    content_panels = (
        DocumentPage.privacy_panels
        + Page.content_panels
        + DocumentPage.taxonomy_panels
        + [
            FieldPanel("situation"),
            FieldPanel("action_taken"),
            FieldPanel("result"),
            FieldPanel("recommendation"),
            FieldPanel("body"),
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel("p19_returns"), FieldPanel("days_spdp_to_p21")]), FieldPanel("validation_status")],
                heading=_("Hasil perkara"),
            ),
        ]
        + DocumentPage.attachment_panels
    )

    def markdown_sources(self):
        return [self.situation, self.action_taken, self.result, self.recommendation, *self.body_markdown()]

    def text_sections(self):
        fields = (self.situation, self.action_taken, self.result, self.recommendation)
        return [self.plain_text(text) for text in fields] + [self.body_text()]

    class Meta:
        verbose_name = _("pelajaran")
        verbose_name_plural = _("pelajaran")


class ProceduralGuide(DocumentPage):
    type_code = "panduan"

    legal_basis = models.TextField(_("dasar hukum"), blank=True, help_text=_("Markdown."))
    steps = StreamField([("step", StepBlock())], verbose_name=_("langkah"), blank=True)
    version = models.CharField(_("versi"), max_length=20, blank=True)
    effective_date = models.DateField(_("tanggal berlaku"), null=True, blank=True)

    search_fields = DocumentPage.search_fields + [index.SearchField("legal_basis"), index.SearchField("steps")]
    content_panels = (
        DocumentPage.privacy_panels
        + Page.content_panels
        + [FieldRowPanel([FieldPanel("version"), FieldPanel("effective_date")])]
        + DocumentPage.taxonomy_panels
        + [FieldPanel("legal_basis"), FieldPanel("steps"), FieldPanel("body")]
        + DocumentPage.attachment_panels
    )

    def markdown_sources(self):
        return [self.legal_basis, *(s.value["description"] for s in self.steps), *self.body_markdown()]

    def text_sections(self):
        steps = [
            "\n".join([s.value["title"], self.plain_text(s.value["description"]), *s.value["checklist"]])
            for s in self.steps
        ]
        return [self.plain_text(self.legal_basis), *steps, self.body_text()]

    class Meta:
        verbose_name = _("panduan prosedur")
        verbose_name_plural = _("panduan prosedur")


DOCUMENT_MODELS = (StudiTiruReport, LessonLearned, ProceduralGuide)
DOCUMENT_TYPES = {model.type_code: model for model in DOCUMENT_MODELS}
