"""A Markdown body split at its headings: '## ' sections that fill a field of their own, and
a guide's '### ' steps with their '- [ ]' checklists. Pure: no database."""
import re
from dataclasses import dataclass, field

# "### 1. Kirim SPDP" or "### Langkah 2: ..." -> the page numbers steps itself.
STEP_NUMBER = re.compile(r"^\s*(?:langkah\s*)?\d+\s*[.):\-]\s*", re.IGNORECASE)

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
CHECK_ITEM = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+(.*)$")


@dataclass
class Step:
    title: str
    description: str = ""
    checklist: list = field(default_factory=list)


def split_sections(body, doc_type):
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
        title = heading_text(line, 2) if not in_fence else None
        if title:
            flush()
            buffer = []
            current = (mapping.get(title.strip().lower()), title)
        else:
            buffer.append(line)
    flush()
    return sections, "\n\n".join(kept)


def heading_text(line, level):
    """The text of an ATX heading of exactly this level ("## Temuan ##" -> "Temuan"), or None.
    String operations rather than a pattern such as `(.+?)\\s*#*\\s*$`, which backtracks
    cubically on a hostile line of hashes and spaces (a minute of CPU for 6 KB)."""
    if not line.startswith("#" * level) or not line[level:level + 1].isspace():
        return None
    text = line[level:].strip()
    return (text.rstrip("#").rstrip() or text[:1]) or None


def split_steps(markdown_text):
    steps, current = [], None
    for line in markdown_text.split("\n"):
        heading = heading_text(line, 3)
        item = CHECK_ITEM.match(line)
        if heading:
            current = Step(title=STEP_NUMBER.sub("", heading) or heading)
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
