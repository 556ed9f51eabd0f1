"""The privacy guard on publication: which personal data a document page (as stored in a
revision) still carries, whether a reviewer has accepted exactly those findings, and the
refusal raised when not.

Enforcement sits on the model (DocumentPage.publish, DocumentPage.save when a revision goes
live), so every way of publishing passes it: the publish button, workflow approval,
scheduled publishing, bulk actions, imports and the API. Admin views only add the messages.

A reviewer's override lives in the revision itself: `privacy_override` plus who set it and
a digest of the findings accepted. Any new revision by someone who may not override clears
it, and a changed set of findings no longer matches the digest."""
import hashlib
import html
import re
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.fields import StreamField

from lessons.attachments.files import document_text

from . import detectors as privacy

KIND_LABELS = {
    privacy.PASSPORT: gettext_lazy("nomor paspor"),
    privacy.NIK: gettext_lazy("NIK"),
    privacy.PHONE: gettext_lazy("nomor telepon"),
    privacy.EMAIL: gettext_lazy("alamat e-mail"),
}
# Fields that hold identifiers or bookkeeping, not prose written by editors.
SKIPPED_FIELDS = {"slug", "url_path", "draft_title", "source_file", "source_digest", "privacy_override_digest"}
MAX_LISTED = 10
OVERRIDE_ACTION = "lintas.privacy_override"  # audit-log action of a reviewer's override
_LINK = re.compile(r"<a\b[^>]*\bhref=\"([^\"]*)\"[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Finding:
    field: str  # model field name, or "attachment-<n>"
    label: str  # what the editor sees as the field's name
    kind: str
    excerpt: str  # the context with every match masked
    key: str  # hash of the matched value: binds an override to the data it accepted

    @property
    def kind_label(self):
        return str(KIND_LABELS[self.kind])

    def describe(self):
        return f"{self.label}: {self.kind_label} {self.excerpt}"

    def as_dict(self):
        return {"field": self.field, "label": self.label, "kind": self.kind, "excerpt": self.excerpt}


class PrivacyPublicationBlocked(ValidationError):
    """Publishing refused: personal data found and no reviewer override for it. Keyed by
    field (the summary under NON_FIELD_ERRORS), so importers and the admin API can report
    it like any validation error."""

    def __init__(self, page, findings):
        self.page_id = page.pk
        self.page_title = page.title
        self.findings = list(findings)
        by_field = {NON_FIELD_ERRORS: [blocked_message(page.title, self.findings)]}
        for finding in self.findings:
            by_field.setdefault(finding.field, []).append(finding.describe())
        super().__init__(by_field, code="privacy")

    def __str__(self):
        return "\n".join([blocked_message(self.page_title, self.findings), *listed(self.findings)])


def blocked_message(title, findings):
    return _(
        "“%(title)s” belum dapat diterbitkan: ditemukan %(count)d kemungkinan data pribadi "
        "(nomor paspor, NIK, nomor telepon atau e-mail). Hapus atau samarkan datanya, atau minta "
        "reviewer Kanwil ini memeriksa dan mencentang “Izinkan terbit meski ada temuan privasi”."
    ) % {"title": title, "count": len(findings)}


def listed(findings):
    """Lines for messages and panels, at most MAX_LISTED plus a count of the rest."""
    lines = [finding.describe() for finding in findings[:MAX_LISTED]]
    if len(findings) > MAX_LISTED:
        lines.append(_("… dan %(count)d temuan lain") % {"count": len(findings) - MAX_LISTED})
    return lines


def _html_text(value):
    if "<" not in value:
        return value
    return html.unescape(_TAG.sub(" ", _LINK.sub(r" \1 ", value)))


def _strings(value):
    """Every string in a StreamField's raw data (block types and ids excluded)."""
    if isinstance(value, str):
        yield _html_text(value)
    elif isinstance(value, dict):
        if "type" in value and "value" in value:
            yield from _strings(value["value"])
        else:
            for item in value.values():
                yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _field_text(page, field):
    value = getattr(page, field.name)
    if isinstance(field, StreamField):
        raw = value.get_prep_value() if hasattr(value, "get_prep_value") else value
        return "\n".join(_strings(raw or []))
    return value or ""


def _panel_field_names(panels):
    for panel in panels:
        if getattr(panel, "field_name", None):
            yield panel.field_name
        yield from _panel_field_names(getattr(panel, "children", ()))


def _scanned_fields(page):
    """Prose fields in the order the editor shows them."""
    fields = [
        field for field in page._meta.concrete_fields
        if field.name not in SKIPPED_FIELDS and field.editable and (
            isinstance(field, StreamField)
            or (isinstance(field, (models.CharField, models.TextField)) and not field.choices))
    ]
    panels = [*getattr(page, "content_panels", ()), *getattr(page, "promote_panels", ())]
    order = {name: number for number, name in enumerate(_panel_field_names(panels))}
    return sorted(fields, key=lambda field: order.get(field.name, len(order)))


def page_sections(page):
    """(field name, label, text) for every piece of prose on the page, attachments included."""
    for field in _scanned_fields(page):
        yield field.name, capfirst(str(field.verbose_name)), _field_text(page, field)
    relation = getattr(page, "attachments", None)
    for number, attachment in enumerate(relation.all() if relation is not None else [], start=1):
        try:
            document = attachment.document
        except models.ObjectDoesNotExist:
            continue
        name = attachment.title or document.title
        yield f"attachment-{number}", _("Lampiran “%(name)s”") % {"name": name}, document_text(document)


def _key(match):
    normalised = re.sub(r"[^0-9A-Za-z@.]", "", match.value).upper()
    return hashlib.sha256(f"{match.kind}:{normalised}".encode()).hexdigest()


def page_findings(page):
    findings = []
    for name, label, text in page_sections(page):
        matches = privacy.scan(text)
        findings.extend(
            Finding(name, label, m.kind, privacy.excerpt(text, m, matches), _key(m)) for m in matches)
    return findings


def findings_digest(findings):
    return hashlib.sha256("\n".join(sorted({f.key for f in findings})).encode()).hexdigest()


def user_may_override(user, page, parent=None):
    """Reviewers who may publish this page (its Kanwil's reviewers) and superusers."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if page.pk:
        return page.permissions_for_user(user).can_publish()
    return parent is not None and parent.permissions_for_user(user).can_publish_subpage()


def stamp_override(page, user):
    """Called as a revision is saved: keep the override only when its author may give it,
    and bind it to the findings present now; anyone else's edit clears it."""
    if page.privacy_override and user_may_override(user, page):
        page.privacy_override_by = user
        page.privacy_override_digest = findings_digest(page_findings(page))
    else:
        page.privacy_override = False
        page.privacy_override_by = None
        page.privacy_override_digest = ""


def override_covers(page, findings):
    return bool(
        page.privacy_override and page.privacy_override_by_id
        and page.privacy_override_digest == findings_digest(findings))


def blocking_findings(page):
    """Findings that stop this page (in the state given, e.g. a revision) from going live."""
    findings = page_findings(page)
    return [] if not findings or override_covers(page, findings) else findings


def ensure_publishable(page):
    findings = blocking_findings(page)
    if findings:
        raise PrivacyPublicationBlocked(page, findings)


def check_going_live(page, update_fields=None):
    """Safety net for code that publishes without Page.publish(): a save that makes a new
    revision the live one must carry no unreviewed findings. A new page is inserted as a
    draft instead of live when it has some (Wagtail's create view inserts it live before
    publishing it)."""
    if page.pk is None:
        if page.live and blocking_findings(page):
            page.live = False
            page.has_unpublished_changes = True
        return
    if not (page.live and page.live_revision_id):
        return
    if update_fields is not None and not {"live", "live_revision", "live_revision_id"} & set(update_fields):
        return
    stored = type(page).objects.filter(pk=page.pk).values_list("live_revision_id", flat=True).first()
    if stored != page.live_revision_id:
        ensure_publishable(page)


def log_override(page, revision=None):
    """After publication: if the page went live with findings, record the reviewer's
    override in the audit log (masked excerpts only, never the data itself)."""
    from wagtail.log_actions import log

    findings = page_findings(page)
    if not findings:
        return None
    reviewer = page.privacy_override_by
    return log(
        instance=page,
        action=OVERRIDE_ACTION,
        user=reviewer,
        revision=revision,
        data={
            "findings": [finding.as_dict() for finding in findings],
            "reviewer": reviewer.get_username() if reviewer else None,
            "override_valid": override_covers(page, findings),
        },
    )

