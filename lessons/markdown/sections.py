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


def split_steps(markdown_text):
    steps, current = [], None
    for line in markdown_text.split("\n"):
        heading = re.match(r"^###\s+(.+?)\s*#*\s*$", line)
        item = CHECK_ITEM.match(line)
        if heading:
            current = Step(title=STEP_NUMBER.sub("", heading.group(1)) or heading.group(1))
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
