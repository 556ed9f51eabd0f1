"""Turn parsed Markdown documents into Wagtail pages (create or update, draft or live)."""
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from . import import_privacy
from lessons.content.pages import DOCUMENT_TYPES, DocumentPage
from .parsing import SECTION_FIELDS, Problem, check_references, parse_document
from lessons.content.taxonomy import Kanwil, LegalProvision, Obstacle, Stage


@dataclass
class ImportResult:
    source: str
    page: DocumentPage | None = None
    created: bool = False
    problems: list = field(default_factory=list)
    unchanged: bool = False
    together: bool = False  # created with its batch's other new documents (new_pages)

    @property
    def ok(self):
        return not self.problems

    @property
    def status(self):
        """'baru', 'diperbarui' or 'tidak berubah' for a successful import, '' otherwise."""
        if not self.ok:
            return ""
        return _("tidak berubah") if self.unchanged else _("baru") if self.created else _("diperbarui")


def known_codes():
    return {
        "kanwil": Kanwil.objects.codes(),
        "stages": Stage.objects.codes(),
        "obstacles": Obstacle.objects.codes(),
        "provisions": LegalProvision.objects.codes(),
    }


class Lookups:
    """The rows every imported file reads: Kanwil with their section pages, and the taxonomy
    entries by code. A bulk import reads them once per batch instead of once per file. Within
    one transaction only; a file that did not land may leave them out of step with the
    database (a section's child count after a rolled-back add_child): forget() them then."""

    def __init__(self):
        self.forget()

    def forget(self):
        self._kanwil = None
        self._terms = {}

    def kanwil(self, code):
        if self._kanwil is None:
            self._kanwil = {k.code: k for k in Kanwil.objects.select_related("page")}
        return self._kanwil.get(code)

    def section(self, code):
        """The section page of the Kanwil with this code (Kanwil.page, the site's KanwilPage), or None."""
        return getattr(self.kanwil(code), "page", None)  # no section: the reverse accessor raises AttributeError

    def terms(self, model, codes):
        if model not in self._terms:
            self._terms[model] = {term.code: term for term in model.objects.all()}
        return [self._terms[model][code] for code in codes if code in self._terms[model]]


def markdown_files(paths):
    """Files named on the command line, folders expanded to their *.md files, sorted."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in (".md", ".markdown")))
        else:
            found.append(path)
    return found


def _fill(page, doc, lookups):
    page.title = doc.title
    page.slug = doc.slug
    page.author_kanwil = lookups.kanwil(doc.kanwil)
    page.date = doc.date
    page.summary = doc.summary
    page.source_file = Path(doc.source).name[:255]
    page.body = [("markdown", doc.body)] if doc.body else []
    # Every section field is set, so a section deleted from the file is emptied on re-import.
    for name in set(SECTION_FIELDS[doc.type].values()) - {"steps"}:
        setattr(page, name, doc.sections.get(name, ""))
    if doc.type == "studi-tiru":
        page.host_kanwil = lookups.kanwil(doc.host_kanwil)
        page.date_end = doc.date_end
        page.team = [("member", _team_member(member)) for member in doc.team]
        page.follow_up = [("action", item) for item in doc.follow_up]
    elif doc.type == "pelajaran":
        page.p19_returns = doc.p19_returns
        page.days_spdp_to_p21 = doc.days_spdp_to_p21
        page.validation_status = doc.validation
    elif doc.type == "panduan":
        page.version = doc.version
        page.effective_date = doc.effective_date
        page.steps = [
            ("step", {"title": s.title, "stage": None, "description": s.description, "checklist": s.checklist})
            for s in doc.steps
        ]
    page.stages = lookups.terms(Stage, doc.stages)
    page.obstacles = lookups.terms(Obstacle, doc.obstacles)
    page.provisions = lookups.terms(LegalProvision, doc.provisions)
    page.practice_kanwils = [k for k in map(lookups.kanwil, doc.practice_of) if k is not None]


def new_page(doc, digest, lookups, user):
    """The unsaved page of a document not imported before."""
    page = DOCUMENT_TYPES[doc.type](live=False)
    _fill(page, doc, lookups)
    page.source_digest = digest
    page.owner = user  # as Wagtail's own create view does; owners keep edit rights
    return page


def _unchanged(page, digest, publish):
    """Re-importing an identical file is a no-op, so repeated loads add no revisions."""
    same_content = page.get_latest_revision_as_object().source_digest == digest
    already_live = page.live and not page.has_unpublished_changes
    return same_content and (already_live or not publish)


def _team_member(text):
    """'Name (Role)' -> {'name', 'role'}."""
    name, _, role = str(text).partition("(")
    return {"name": name.strip(), "role": role.rstrip(")").strip()}


def _may_publish(user, page):
    """Whether this importer could publish the page (only then may privacy change at once;
    see lessons.markdown.import_privacy). An unnamed importer (the command line) waits too."""
    return user is not None and page.permissions_for_user(user).can_publish()


def refusal(user, kanwil_page, existing, publish):
    """Why `user` may not make this import, or None. Wagtail's page permissions decide."""
    kanwil = kanwil_page.specific.kanwil.short_name
    if existing is None and not kanwil_page.permissions_for_user(user).can_add_subpage():
        return Problem(_("Anda tidak berhak menambah dokumen untuk Kanwil %(kanwil)s") % {"kanwil": kanwil}, "kanwil")
    tester = existing.permissions_for_user(user) if existing is not None else None
    if tester is not None and not tester.can_edit():
        return Problem(_("Anda tidak berhak mengubah dokumen '%(slug)s' di Kanwil %(kanwil)s")
                       % {"slug": existing.slug, "kanwil": kanwil}, "slug")
    if tester is not None and tester.page_locked():
        return Problem(_("dokumen '%(slug)s' sedang dikunci (dalam peninjauan atau dikunci pengguna lain)")
                       % {"slug": existing.slug}, "slug")
    can_publish = tester.can_publish() if tester else kanwil_page.permissions_for_user(user).can_publish_subpage()
    if publish and not can_publish:
        return Problem(_("Anda tidak berhak menerbitkan dokumen di Kanwil %(kanwil)s") % {"kanwil": kanwil})
    return None


def length_problems(page):
    """Text longer than its column allows, named by field, before anything is saved."""
    problems = []
    for model_field in page._meta.concrete_fields:
        value, limit = getattr(page, model_field.attname), getattr(model_field, "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            problems.append(Problem(_("terlalu panjang: %(length)s karakter, paling banyak %(limit)s")
                                    % {"length": len(value), "limit": limit}, model_field.name))
    return problems


def validation_problems(error):
    """Model validation (e.g. a title longer than the database allows) as problems."""
    if not hasattr(error, "error_dict"):
        return [Problem(str(message)) for message in error.messages]
    return [Problem(str(message), "" if name == NON_FIELD_ERRORS else name)
            for name, messages in error.message_dict.items() for message in messages]


def import_parsed(doc, *, publish, user=None, digest="", check_permissions=False, known=None, lookups=None):
    """Create or update the page for one parsed document, atomically. With
    `check_permissions`, `user` must be allowed to add (or edit, or publish) it there.
    `known` (from known_codes()) and `lookups` (a Lookups) let a bulk import read the
    taxonomy and the Kanwil once per batch."""
    try:
        return _import_parsed(doc, publish=publish, user=user, digest=digest, check_permissions=check_permissions,
                              known=known, lookups=lookups or Lookups())
    except ValidationError as error:  # raised inside the atomic block, so nothing was saved
        return ImportResult(doc.source, problems=validation_problems(error))


def section_of(doc, known, lookups):
    """(the Kanwil section page the document goes under, problems with its references)."""
    problems = check_references(doc, known or known_codes())
    kanwil_page = lookups.section(doc.kanwil)
    if kanwil_page is None and not problems:
        problems.append(Problem(_("Kanwil '%(code)s' belum memiliki halaman") % {"code": doc.kanwil}, "kanwil"))
    return kanwil_page, problems


def _import_parsed(doc, *, publish, user, digest, check_permissions, known, lookups):
    kanwil_page, problems = section_of(doc, known, lookups)
    if problems:
        return ImportResult(doc.source, problems=problems)

    model = DOCUMENT_TYPES[doc.type]
    with transaction.atomic():
        existing = kanwil_page.get_children().filter(slug=doc.slug).specific().first()
        refused = check_permissions and refusal(user, kanwil_page, existing, publish)
        if refused:
            return ImportResult(doc.source, problems=[refused])
        if existing is not None and not isinstance(existing, model):
            return ImportResult(doc.source, problems=[Problem(
                _("halaman '%(slug)s' sudah ada di Kanwil ini dengan jenis lain (%(type)s)")
                % {"slug": doc.slug, "type": existing._meta.verbose_name}, "type")])
        created = existing is None
        if digest and existing is not None and _unchanged(existing, digest, publish):
            return ImportResult(doc.source, page=existing, unchanged=True)
        if created:
            page = new_page(doc, digest, lookups, user)
        else:
            page = existing.get_latest_revision_as_object()
            _fill(page, doc, lookups)
            page.source_digest = digest
        if too_long := length_problems(page):
            return ImportResult(doc.source, problems=too_long)
        if created:
            kanwil_page.add_child(instance=page)
        # Publishing validates the page in full (Page.save of a live page), so validating the
        # same content here as well would only do it twice.
        revision = page.save_revision(user=user, log_action=True, clean=not publish)
        if created or publish or _may_publish(user, page):
            import_privacy.apply(page, doc.restricted_to)
        else:
            import_privacy.remember(revision, doc.restricted_to)
        if publish:
            revision.publish(user=user)
    return ImportResult(doc.source, page=page, created=created)


def parse_file(name, raw, known=None):
    """(document, digest, None) for a file's bytes that parse, else (None, None, ImportResult
    listing every problem)."""
    doc, problems = parse_document(name, raw, settings.MARKDOWN_MAX_BYTES, partial=True)
    if problems:
        if doc is not None:
            problems += check_references(doc, known or known_codes())
        return None, None, ImportResult(name, problems=sorted(problems, key=lambda p: (p.line or 0)))
    return doc, hashlib.sha256(raw).hexdigest(), None


def import_file(name, raw, *, publish, user=None, check_permissions=False, known=None, lookups=None):
    """Parse and import one file's bytes; every problem is reported, nothing half-done."""
    doc, digest, failure = parse_file(name, raw, known)
    if failure:
        return failure
    return import_parsed(doc, publish=publish, user=user, digest=digest,
                         check_permissions=check_permissions, known=known, lookups=lookups)


def read_limited(handle, max_bytes):
    """At most one byte over the limit: enough to tell an oversized file, never the whole."""
    return handle.read(max_bytes + 1)


def read_path(path):
    """(bytes, None) for a readable file within the size limit, else (None, ImportResult)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            raw = read_limited(handle, settings.MARKDOWN_MAX_BYTES)
    except OSError as error:
        return None, ImportResult(path.name, problems=[Problem(_("berkas tidak dapat dibaca (%(error)s)")
                                                               % {"error": error.strerror or error})])
    if len(raw) > settings.MARKDOWN_MAX_BYTES:
        size = path.stat().st_size
        return None, ImportResult(path.name, problems=[Problem(_("berkas berukuran %(size)s bita; batasnya %(limit)s bita")
                                                               % {"size": f"{size:,}", "limit": f"{settings.MARKDOWN_MAX_BYTES:,}"})])
    return raw, None


def import_path(path, *, publish, user=None, check_permissions=False, known=None, lookups=None):
    """Import one file from disk (the command line's unit of work)."""
    raw, failure = read_path(path)
    if failure:
        return failure
    return import_file(Path(path).name, raw, publish=publish, user=user, check_permissions=check_permissions,
                       known=known, lookups=lookups)
