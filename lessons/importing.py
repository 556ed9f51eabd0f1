"""Turn parsed Markdown documents into Wagtail pages (create or update, draft or live)."""
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from wagtail.models import PageViewRestriction

from . import access
from .models import DOCUMENT_TYPES, DocumentPage
from .parsing import Problem, check_references, parse_document
from .taxonomy import Kanwil, LegalProvision, Obstacle, Stage


@dataclass
class ImportResult:
    source: str
    page: DocumentPage | None = None
    created: bool = False
    problems: list = field(default_factory=list)
    unchanged: bool = False

    @property
    def ok(self):
        return not self.problems


def known_codes():
    return {
        "kanwil": Kanwil.objects.codes(),
        "stages": Stage.objects.codes(),
        "obstacles": Obstacle.objects.codes(),
        "provisions": LegalProvision.objects.codes(),
    }


def markdown_files(paths):
    """Files named on the command line, folders expanded to their *.md files, sorted."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in (".md", ".markdown")))
        else:
            found.append(path)
    return found


def _fill(page, doc, kanwil_by_code):
    page.title = doc.title
    page.slug = doc.slug
    page.author_kanwil = kanwil_by_code[doc.kanwil]
    page.date = doc.date
    page.summary = doc.summary
    page.source_file = Path(doc.source).name[:255]
    page.body = [("markdown", doc.body)] if doc.body else []
    for name, value in doc.sections.items():
        setattr(page, name, value)
    if doc.type == "studi-tiru":
        page.host_kanwil = kanwil_by_code.get(doc.host_kanwil)
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
    page.stages = list(Stage.objects.filter(code__in=doc.stages))
    page.obstacles = list(Obstacle.objects.filter(code__in=doc.obstacles))
    page.provisions = list(LegalProvision.objects.filter(code__in=doc.provisions))


def _unchanged(page, digest, publish):
    """Re-importing an identical file is a no-op, so repeated loads add no revisions."""
    same_content = page.get_latest_revision_as_object().source_digest == digest
    already_live = page.live and not page.has_unpublished_changes
    return same_content and (already_live or not publish)


def _team_member(text):
    """'Name (Role)' -> {'name', 'role'}."""
    name, _, role = str(text).partition("(")
    return {"name": name.strip(), "role": role.rstrip(")").strip()}


def _restrict(page, kanwil_codes):
    PageViewRestriction.objects.filter(page=page).delete()
    if not kanwil_codes:
        return
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    for kanwil in Kanwil.objects.filter(code__in=kanwil_codes):
        restriction.groups.add(*access.kanwil_groups(kanwil).values())


def import_parsed(doc, *, publish, user=None, digest=""):
    """Create or update the page for one parsed document, atomically."""
    from portal.models import KanwilPage

    problems = check_references(doc, known_codes())
    kanwil_page = KanwilPage.objects.filter(kanwil__code=doc.kanwil).first()
    if kanwil_page is None and not problems:
        problems.append(Problem(f"Kanwil '{doc.kanwil}' has no section page yet", "kanwil"))
    if problems:
        return ImportResult(doc.source, problems=problems)

    model = DOCUMENT_TYPES[doc.type]
    kanwil_by_code = {k.code: k for k in Kanwil.objects.filter(code__in=[doc.kanwil, doc.host_kanwil])}
    with transaction.atomic():
        existing = kanwil_page.get_children().filter(slug=doc.slug).specific().first()
        if existing is not None and not isinstance(existing, model):
            return ImportResult(doc.source, problems=[Problem(
                f"page '{doc.slug}' already exists in this Kanwil as another type ({existing._meta.verbose_name})", "type")])
        created = existing is None
        if digest and existing is not None and _unchanged(existing, digest, publish):
            return ImportResult(doc.source, page=existing, unchanged=True)
        page = existing.get_latest_revision_as_object() if existing else model(live=False)
        _fill(page, doc, kanwil_by_code)
        page.source_digest = digest
        if created:
            kanwil_page.add_child(instance=page)
        revision = page.save_revision(user=user, log_action=True, clean=True)
        _restrict(page, doc.restricted_to)
        if publish:
            revision.publish(user=user)
    return ImportResult(doc.source, page=page, created=created)


def import_file(name, raw, *, publish, user=None):
    """Parse and import one file's bytes; every problem is reported, nothing half-done."""
    doc, problems = parse_document(name, raw, settings.MARKDOWN_MAX_BYTES)
    if doc is None:
        return ImportResult(name, problems=problems)
    return import_parsed(doc, publish=publish, user=user, digest=hashlib.sha256(raw).hexdigest())
