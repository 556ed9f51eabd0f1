"""Markdown files with YAML front matter -> ParsedDocument. Pure: no database.

Problems are collected, not raised, so an importer can report every one of them with the
field or line it concerns."""
import datetime
import re
from dataclasses import dataclass, field

import yaml

TYPES = ("studi-tiru", "pelajaran", "panduan")
LIST_FIELDS = ("stages", "obstacles", "provisions", "team", "restricted_to")
KNOWN_FIELDS = {
    "type", "title", "slug", "kanwil", "host_kanwil", "date", "date_end", "stages", "obstacles",
    "provisions", "summary", "team", "follow_up", "p19_returns", "days_spdp_to_p21", "validation",
    "version", "effective_date", "restricted_to",
}
VALIDATION_VALUES = ("tervalidasi", "belum-divalidasi")
FOLLOW_UP_STATUSES = ("belum", "berjalan", "selesai")

# "## <heading>" sections that fill a field of their own; everything else stays in the body.
SECTION_FIELDS = {
    "studi-tiru": {"tujuan": "purpose", "purpose": "purpose", "temuan": "findings", "findings": "findings",
                   "rekomendasi": "recommendations", "recommendations": "recommendations"},
    "pelajaran": {"situasi": "situation", "situation": "situation", "tindakan": "action_taken",
                  "action taken": "action_taken", "hasil": "result", "result": "result",
                  "rekomendasi": "recommendation", "recommendation": "recommendation"},
    "panduan": {"dasar hukum": "legal_basis", "legal basis": "legal_basis", "langkah": "steps",
                "langkah-langkah": "steps", "steps": "steps"},
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CHECK_ITEM = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+(.*)$")


@dataclass
class Problem:
    message: str
    field: str = ""
    line: int | None = None

    def __str__(self):
        where = ", ".join(filter(None, [self.field and f"field '{self.field}'", self.line and f"line {self.line}"]))
        return f"{where}: {self.message}" if where else self.message


@dataclass
class Step:
    title: str
    description: str = ""
    checklist: list = field(default_factory=list)


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
    p19_returns: int | None = None
    days_spdp_to_p21: int | None = None
    validation: str = "belum-divalidasi"
    version: str = ""
    effective_date: datetime.date | None = None
    sections: dict = field(default_factory=dict)  # model field -> Markdown
    steps: list = field(default_factory=list)
    body: str = ""


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


def _key_line(front, key):
    for number, line in enumerate(front.split("\n"), start=2):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return None


def _date(value, name, front, problems):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(Problem(f"'{value}' is not a date in YYYY-MM-DD form", name, _key_line(front, name)))
        return None


def _int(value, name, front, problems):
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(Problem(f"'{value}' is not a whole number of zero or more", name, _key_line(front, name)))
        return None
    return value


def _code_list(value, name, front, problems):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list):
        problems.append(Problem("must be a list", name, _key_line(front, name)))
        return []
    return [str(item).strip() for item in value if str(item).strip()]


def _sections(body, doc_type):
    """Split the body at '## ' headings; mapped headings fill fields, the rest stays body."""
    mapping = SECTION_FIELDS[doc_type]
    sections, kept, current, buffer = {}, [], None, []

    def flush():
        text = "\n".join(buffer).strip()
        if current is None:
            if text:
                kept.append(text)
        else:
            target, heading = current
            if target:
                sections[target] = (sections.get(target, "") + "\n\n" + text).strip()
            else:
                kept.append(f"## {heading}\n\n{text}".strip())

    in_fence = False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        heading = re.match(r"^##\s+(.+?)\s*#*\s*$", line) if not in_fence else None
        if heading:
            flush()
            buffer = []
            title = heading.group(1)
            current = (mapping.get(title.strip().lower()), title)
        else:
            buffer.append(line)
    flush()
    return sections, "\n\n".join(kept)


def _steps(markdown_text):
    steps, current = [], None
    for line in markdown_text.split("\n"):
        heading = re.match(r"^###\s+(.+?)\s*#*\s*$", line)
        item = CHECK_ITEM.match(line)
        if heading:
            current = Step(title=heading.group(1))
            steps.append(current)
        elif current is None:
            if line.strip():
                current = Step(title="Langkah")
                steps.append(current)
                current.description += line + "\n"
        elif item:
            current.checklist.append(item.group(1).strip())
        else:
            current.description += line + "\n"
    for step in steps:
        step.description = step.description.strip()
    return steps


def parse_document(name, raw, max_bytes):
    """Parse one file's bytes. Returns (ParsedDocument or None, [Problem, ...])."""
    if len(raw) > max_bytes:
        return None, [Problem(f"file is {len(raw):,} bytes; the limit is {max_bytes:,} bytes")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem("file is not UTF-8 text; save it as UTF-8", line=line)]
    text = text.replace("\r\n", "\n")
    front, body, _ = _split_front_matter(text)
    if front is None:
        return None, [Problem("front matter missing: the file must start with a '---' line", line=1)]
    try:
        meta = yaml.safe_load(front) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else None
        return None, [Problem(f"front matter is not valid YAML ({getattr(error, 'problem', error)})", line=line)]
    if not isinstance(meta, dict):
        return None, [Problem("front matter must be 'key: value' lines", line=2)]

    problems = [Problem("unknown field", key, _key_line(front, key)) for key in meta if key not in KNOWN_FIELDS]
    doc_type = str(meta.get("type") or "").strip()
    if doc_type not in TYPES:
        problems.append(Problem(f"must be one of {', '.join(TYPES)}", "type", _key_line(front, "type")))
    title = str(meta.get("title") or "").strip()
    if not title:
        problems.append(Problem("a title is required", "title", _key_line(front, "title")))
    kanwil = str(meta.get("kanwil") or "").strip().lower()
    if not kanwil:
        problems.append(Problem("the author Kanwil code is required", "kanwil", _key_line(front, "kanwil")))
    slug = str(meta.get("slug") or slugify_filename(name)).strip().lower()
    if not SLUG_RE.match(slug):
        problems.append(Problem(f"'{slug}' is not a valid slug", "slug", _key_line(front, "slug")))
    validation = str(meta.get("validation") or "belum-divalidasi")
    if validation not in VALIDATION_VALUES:
        problems.append(Problem(f"must be one of {', '.join(VALIDATION_VALUES)}", "validation", _key_line(front, "validation")))
    follow_up = meta.get("follow_up") or []
    if not isinstance(follow_up, list) or not all(isinstance(i, dict) and i.get("action") for i in follow_up):
        problems.append(Problem("must be a list of {action, owner, status}", "follow_up", _key_line(front, "follow_up")))
        follow_up = []
    for item in follow_up:
        if str(item.get("status", "belum")) not in FOLLOW_UP_STATUSES:
            problems.append(Problem(f"status must be one of {', '.join(FOLLOW_UP_STATUSES)}", "follow_up", _key_line(front, "follow_up")))

    doc = ParsedDocument(
        source=name, type=doc_type, title=title, slug=slug, kanwil=kanwil,
        summary=str(meta.get("summary") or "").strip(),
        host_kanwil=str(meta.get("host_kanwil") or "").strip().lower(),
        date=_date(meta.get("date"), "date", front, problems),
        date_end=_date(meta.get("date_end"), "date_end", front, problems),
        effective_date=_date(meta.get("effective_date"), "effective_date", front, problems),
        p19_returns=_int(meta.get("p19_returns"), "p19_returns", front, problems),
        days_spdp_to_p21=_int(meta.get("days_spdp_to_p21"), "days_spdp_to_p21", front, problems),
        validation=validation, version=str(meta.get("version") or "").strip(),
        follow_up=[{"action": str(i["action"]), "owner": str(i.get("owner") or ""), "status": str(i.get("status") or "belum")} for i in follow_up],
        **{name_: _code_list(meta.get(name_), name_, front, problems) for name_ in LIST_FIELDS},
    )
    doc.stages, doc.obstacles, doc.provisions = ([c.lower() for c in getattr(doc, f)] for f in ("stages", "obstacles", "provisions"))
    doc.restricted_to = [c.lower() for c in doc.restricted_to]
    if doc.date and doc.date_end and doc.date_end < doc.date:
        problems.append(Problem("ends before it starts", "date_end", _key_line(front, "date_end")))
    if doc_type in TYPES:
        doc.sections, doc.body = _sections(body, doc_type)
        if doc_type == "panduan" and "steps" in doc.sections:
            doc.steps = _steps(doc.sections.pop("steps"))
    if not body.strip():
        problems.append(Problem("the document has no text after the front matter"))
    return (None if problems else doc), problems


def check_references(doc, known):
    """Codes the file names that do not exist. `known` maps list names to sets of codes:
    {'kanwil': {...}, 'stages': {...}, 'obstacles': {...}, 'provisions': {...}}."""
    problems = []
    for name in ("stages", "obstacles", "provisions"):
        for code in getattr(doc, name):
            if code not in known[name]:
                problems.append(Problem(f"unknown code '{code}'", name))
    for name in ("kanwil", "host_kanwil"):
        code = getattr(doc, name)
        if code and code not in known["kanwil"]:
            problems.append(Problem(f"unknown Kanwil code '{code}'", name))
    for code in doc.restricted_to:
        if code not in known["kanwil"]:
            problems.append(Problem(f"unknown Kanwil code '{code}'", "restricted_to"))
    return problems
