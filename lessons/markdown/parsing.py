"""Markdown files with YAML front matter -> ParsedDocument. Pure: no database.

Problems are collected, not raised, so an importer can report every one of them with the
field or line it concerns. Messages are shown to editors, hence Indonesian gettext msgids."""
import collections
import datetime
import re
from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext as _

from . import front_matter_limits, limits
from .sections import SECTION_FIELDS, Step, split_sections, split_steps  # noqa: F401  (public API)

TYPES = ("studi-tiru", "pelajaran", "panduan")
LIST_FIELDS = ("stages", "obstacles", "provisions", "team", "restricted_to", "practice_of")
KNOWN_FIELDS = {
    "type", "title", "slug", "kanwil", "host_kanwil", "date", "date_end", "stages", "obstacles",
    "provisions", "summary", "team", "follow_up", "p19_returns", "days_spdp_to_p21", "validation",
    "version", "effective_date", "restricted_to", "practice_of",
}
VALIDATION_VALUES = ("tervalidasi", "belum-divalidasi")
FOLLOW_UP_STATUSES = ("belum", "berjalan", "selesai")

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOP_LEVEL_KEY = re.compile(r"^([^\s#:-][^:]*?)\s*:")
SCALARS = (str, int, float, datetime.date)


class _FrontMatterLoader(front_matter_limits.AliasLimitedComposer, yaml.SafeLoader):
    """YAML without implicit timestamps: PyYAML raises a bare ValueError on '2024-13-45',
    so dates stay strings here and _date() reports a bad one with its line. Aliases are
    refused (an alias bomb is a few hundred bytes that expand to billions of items)."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _ReplayingFrontMatterLoader(_FrontMatterLoader):
    """_FrontMatterLoader composing the events the limits' pre-scan already read (the same
    parser's events, in order) instead of scanning and parsing the text again: scanning was
    half of a file's parse time. Composition, its alias refusal and construction are the
    loader's own."""

    def __init__(self, events):
        super().__init__("")
        self._events = collections.deque(events)

    def check_event(self, *choices):
        if not self._events:
            return False
        return not choices or isinstance(self._events[0], choices)

    def peek_event(self):
        return self._events[0] if self._events else None

    def get_event(self):
        return self._events.popleft() if self._events else None


def _load_front_matter(front, events):
    loader = _ReplayingFrontMatterLoader(events) if events else _FrontMatterLoader(front)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@dataclass
class Problem:
    message: str
    field: str = ""
    line: int | None = None

    def __str__(self):
        where = ", ".join(filter(None, [
            self.line and _("baris %(line)s") % {"line": self.line},
            self.field and _("kolom '%(field)s'") % {"field": self.field},
        ]))
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ParsedDocument:
    source: str
    type: str
    title: str
    slug: str
    kanwil: str
    summary: str = ""
    date: datetime.date | None = None
    date_end: datetime.date | None = None
    host_kanwil: str = ""
    stages: list = field(default_factory=list)
    obstacles: list = field(default_factory=list)
    provisions: list = field(default_factory=list)
    team: list = field(default_factory=list)
    follow_up: list = field(default_factory=list)
    restricted_to: list = field(default_factory=list)
    practice_of: list = field(default_factory=list)  # Kanwil codes whose practice the document describes
    p19_returns: int | None = None
    days_spdp_to_p21: int | None = None
    validation: str = "belum-divalidasi"
    version: str = ""
    effective_date: datetime.date | None = None
    sections: dict = field(default_factory=dict)  # model field -> Markdown
    steps: list = field(default_factory=list)
    body: str = ""
    lines: dict = field(default_factory=dict)  # front matter key, or (key, code) -> line number


def slugify_filename(name):
    stem = re.sub(r"\.(md|markdown|txt)$", "", name.rsplit("/", 1)[-1], flags=re.I).lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")


def _split_front_matter(text):
    """Returns (front matter text, body text, line number where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1:]), number + 2
    return None, text, 1


def _front_lines(front):
    """Line numbers (in the file) of each top-level key and of each item under it."""
    lines, key = {}, None
    for number, line in enumerate(front.split("\n"), start=2):
        match = TOP_LEVEL_KEY.match(line)
        if match:
            key = match.group(1).strip()
            lines.setdefault(key, number)
        if key is not None:
            for item in re.findall(r"[\w-]+", line.lower()):
                lines.setdefault((key, item), number)
    return lines


def _text(meta, name, lines, problems):
    value = meta.get(name)
    if value is None:
        return ""
    if not isinstance(value, SCALARS):
        problems.append(Problem(_("harus berupa teks, bukan daftar atau kumpulan"), name, lines.get(name)))
        return ""
    return str(value).strip()


def _date(meta, name, lines, problems):
    value = _text(meta, name, lines, problems)
    if not value:
        return None
    for parse in (datetime.date.fromisoformat, lambda v: datetime.datetime.fromisoformat(v).date()):
        try:
            return parse(value)
        except ValueError:
            pass
    problems.append(Problem(_("'%(value)s' bukan tanggal yang sah; tulis sebagai TTTT-BB-HH, misalnya 2024-09-02")
                            % {"value": value[:40]}, name, lines.get(name)))
    return None


def _int(meta, name, lines, problems):
    value = meta.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(Problem(_("'%(value)s' bukan bilangan bulat nol atau lebih") % {"value": str(value)[:40]},
                                name, lines.get(name)))
        return None
    return value


def _code_list(meta, name, lines, problems):
    value = meta.get(name)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(item, SCALARS) for item in value):
        problems.append(Problem(_("harus berupa daftar nilai, misalnya [p-19, p-21]"), name, lines.get(name)))
        return []
    return [str(item).strip() for item in value if str(item).strip()]


def _follow_up(meta, lines, problems):
    items = meta.get("follow_up") or []
    line = lines.get("follow_up")
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("action"), str) and i["action"].strip()
        and all(isinstance(v, SCALARS) for v in i.values()) for i in items
    ):
        problems.append(Problem(_("harus berupa daftar {action, owner, status}"), "follow_up", line))
        return []
    for item in items:
        if str(item.get("status", "belum")) not in FOLLOW_UP_STATUSES:
            problems.append(Problem(_("status harus salah satu dari: %(choices)s")
                                    % {"choices": ", ".join(FOLLOW_UP_STATUSES)}, "follow_up", line))
    return [{"action": str(i["action"]), "owner": str(i.get("owner") or ""), "status": str(i.get("status") or "belum")}
            for i in items]


def parse_document(name, raw, max_bytes, partial=False):
    """Parse one file's bytes. Returns (ParsedDocument or None, [Problem, ...]). The document
    is None when there are problems, unless `partial` asks for whatever could be read (so
    its codes can be checked too and every problem reported at once). Never raises on the
    file's content: what the limits did not foresee is still a Problem."""
    try:
        return _parse_document(name, raw, max_bytes, partial)
    except (RecursionError, MemoryError, ValueError, TypeError, yaml.YAMLError) as error:
        return None, [Problem(_("berkas tidak dapat dibaca (%(error)s)") % {"error": type(error).__name__})]


def _parse_document(name, raw, max_bytes, partial):
    if len(raw) > max_bytes:
        return None, [Problem(_("berkas berukuran %(size)s bita; batasnya %(limit)s bita")
                              % {"size": f"{len(raw):,}", "limit": f"{max_bytes:,}"})]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(_("berkas bukan teks UTF-8; simpan ulang sebagai UTF-8"), line=line)]
    if "\x00" in text:
        # Binary, or UTF-16 saved without a byte order mark; PostgreSQL refuses NUL in text.
        return None, [Problem(_("berkas berisi karakter NUL (berkas biner atau UTF-16); simpan ulang sebagai "
                                "teks UTF-8"), line=text[: text.index("\x00")].count("\n") + 1)]
    text = text.replace("\r\n", "\n")
    front, body, _body_line = _split_front_matter(text)
    if front is None:
        return None, [Problem(_("front matter tidak ada: berkas harus diawali baris '---'"), line=1)]
    events = []
    if exceeded := front_matter_limits.front_matter_problems(front, _FrontMatterLoader, events):
        return None, [Problem(e.message, line=e.line and e.line + 1) for e in exceeded]
    try:
        meta = _load_front_matter(front, events) or {}
    except RecursionError:
        return None, [Problem(_("front matter bersarang terlalu dalam"), line=2)]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else None
        detail = getattr(error, "problem", None) or str(error)
        return None, [Problem(_("front matter bukan YAML yang sah (%(detail)s)") % {"detail": detail}, line=line)]
    if not isinstance(meta, dict):
        return None, [Problem(_("front matter harus berupa baris 'kunci: nilai'"), line=2)]

    lines = _front_lines(front)
    problems = [Problem(_("kolom tidak dikenal"), str(key), lines.get(str(key)))
                for key in meta if str(key) not in KNOWN_FIELDS]
    meta = {str(key): value for key, value in meta.items()}

    def one_of(name, value, choices):
        if value not in choices:
            problems.append(Problem(_("harus salah satu dari: %(choices)s") % {"choices": ", ".join(choices)},
                                    name, lines.get(name)))

    doc_type = _text(meta, "type", lines, problems)
    one_of("type", doc_type, TYPES)
    title = _text(meta, "title", lines, problems)
    if not title:
        problems.append(Problem(_("judul wajib diisi"), "title", lines.get("title")))
    kanwil = _text(meta, "kanwil", lines, problems).lower()
    if not kanwil:
        problems.append(Problem(_("kode Kanwil penulis wajib diisi, misalnya 'kanwil: kalbar'"), "kanwil",
                                lines.get("kanwil")))
    slug = (_text(meta, "slug", lines, problems) or slugify_filename(name)).lower()
    if not SLUG_RE.match(slug):
        problems.append(Problem(_("'%(slug)s' bukan slug yang sah (huruf kecil, angka dan tanda hubung)")
                                % {"slug": slug[:60]}, "slug", lines.get("slug")))
    validation = _text(meta, "validation", lines, problems) or "belum-divalidasi"
    one_of("validation", validation, VALIDATION_VALUES)

    doc = ParsedDocument(
        source=name, type=doc_type, title=title, slug=slug, kanwil=kanwil, lines=lines,
        summary=_text(meta, "summary", lines, problems),
        host_kanwil=_text(meta, "host_kanwil", lines, problems).lower(),
        date=_date(meta, "date", lines, problems),
        date_end=_date(meta, "date_end", lines, problems),
        effective_date=_date(meta, "effective_date", lines, problems),
        p19_returns=_int(meta, "p19_returns", lines, problems),
        days_spdp_to_p21=_int(meta, "days_spdp_to_p21", lines, problems),
        validation=validation, version=_text(meta, "version", lines, problems),
        follow_up=_follow_up(meta, lines, problems),
        **{name_: _code_list(meta, name_, lines, problems) for name_ in LIST_FIELDS},
    )
    for name_ in ("stages", "obstacles", "provisions", "restricted_to", "practice_of"):
        setattr(doc, name_, [code.lower() for code in getattr(doc, name_)])
    if doc.date and doc.date_end and doc.date_end < doc.date:
        problems.append(Problem(_("tanggal selesai lebih awal dari tanggal mulai"), "date_end", lines.get("date_end")))
    if doc_type in TYPES:
        doc.sections, doc.body = split_sections(body, doc_type)
        if doc_type == "panduan" and "steps" in doc.sections:
            doc.steps = split_steps(doc.sections.pop("steps"))
    if not body.strip():
        problems.append(Problem(_("dokumen tidak berisi teks setelah front matter"), line=_body_line))
    # Checked on the whole body: its sections are all rendered on the page.
    problems += [Problem(e.message, line=e.line and e.line + _body_line - 1) for e in limits.markdown_problems(body)]
    return (None if problems and not partial else doc), problems


def check_references(doc, known):
    """Codes the file names that do not exist. `known` maps list names to sets of codes:
    {'kanwil': {...}, 'stages': {...}, 'obstacles': {...}, 'provisions': {...}}."""
    problems = []

    def line(name, code):
        return doc.lines.get((name, code)) or doc.lines.get(name)

    for name in ("stages", "obstacles", "provisions"):
        for code in getattr(doc, name):
            if code not in known[name]:
                problems.append(Problem(_("kode tidak dikenal '%(code)s'") % {"code": code}, name, line(name, code)))
    kanwil_codes = [("kanwil", doc.kanwil), ("host_kanwil", doc.host_kanwil)]
    kanwil_codes += [(name, code) for name in ("restricted_to", "practice_of") for code in getattr(doc, name)]
    for name, code in kanwil_codes:
        if code and code not in known["kanwil"]:
            problems.append(Problem(_("kode Kanwil tidak dikenal '%(code)s'") % {"code": code}, name, line(name, code)))
    return problems
