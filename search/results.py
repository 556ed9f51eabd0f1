"""Elasticsearch responses -> plain result objects for the HTML page and the JSON API."""
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from lessons.models import DOCUMENT_TYPES
from lessons import reference_cache

FACET_TITLES = {
    "stage": _("Tahapan"), "obstacle": _("Kendala"), "kanwil": _("Kanwil"),
    "type": _("Jenis dokumen"), "year": _("Tahun"), "provision": _("Ketentuan hukum"),
}


@dataclass
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool
    url: str = ""


@dataclass
class Facet:
    name: str
    title: str
    values: list


@dataclass
class Hit:
    id: int
    title: str
    url: str
    type: str
    type_label: str
    kanwil: str
    kanwil_label: str
    stages: list
    obstacles: list
    date: str | None
    summary: str
    highlight: list = field(default_factory=list)  # HTML fragments, already escaped by ES
    subjects: list = field(default_factory=list)  # stage and obstacle labels, for scanning a result list


def labels():
    """Display labels per facet, in display order (stages in procedural order)."""
    return {
        "stage": {s.code: s.label for s in reference_cache.get("stages")},
        "obstacle": {o.code: o.label for o in sorted(reference_cache.get("obstacles"), key=lambda o: o.label)},
        "kanwil": {k.code: k.name for k in reference_cache.get("kanwil")},
        "type": {code: str(model._meta.verbose_name).capitalize() for code, model in DOCUMENT_TYPES.items()},
        "provision": {p.code: str(p) for p in reference_cache.get("provisions")},
    }


ALWAYS_LISTED = ("stage", "obstacle", "type")  # browsable lists: show zero counts too


def facets(response, params, label_map):
    result = []
    for name in FACET_TITLES:
        counts = {str(b.key): b.doc_count for b in response.aggregations[name]["values"].buckets}
        selected = set(params.selected(name))
        if name == "year":
            order = sorted(set(counts) | selected, reverse=True)
            names = {code: code for code in order}
        else:
            names = label_map[name]
            order = list(names)
        values = [
            FacetValue(code, names.get(code, code), counts.get(code, 0), code in selected,
                       params.toggled(name, code).url())
            for code in order
            if counts.get(code) or code in selected or name in ALWAYS_LISTED
        ]
        result.append(Facet(name, str(FACET_TITLES[name]), values))
    return result


def hits(response, label_map):
    found = []
    for h in response.hits:
        highlight = []
        if hasattr(h.meta, "highlight"):
            for name in ("summary", "body", "attachments"):
                highlight.extend(getattr(h.meta.highlight, name, []))
        found.append(Hit(
            id=int(h.meta.id), title=h.title, url=h.url, type=h.type,
            type_label=label_map["type"].get(h.type, h.type),
            kanwil=h.kanwil, kanwil_label=label_map["kanwil"].get(h.kanwil, h.kanwil or ""),
            stages=list(getattr(h, "stages", None) or []), obstacles=list(getattr(h, "obstacles", None) or []),
            date=str(h.date)[:10] if getattr(h, "date", None) else None,
            summary=getattr(h, "summary", "") or "", highlight=highlight[:2],
            subjects=[label_map["stage"].get(c, c) for c in getattr(h, "stages", None) or []]
            + [label_map["obstacle"].get(c, c) for c in getattr(h, "obstacles", None) or []],
        ))
    return found


def suggested_words(response):
    """Every word of the spelling suggester's answer: the query's own and the candidates.
    Empty when there is nothing to correct."""
    entries = list(getattr(getattr(response, "suggest", None), "did_you_mean", None) or [])
    if not any(entry.options for entry in entries):
        return set()
    return {entry.text for entry in entries} | {option.text for entry in entries for option in entry.options}


def did_you_mean(response, q, seen):
    """Spelling alternatives, best first: the query with each word the reader cannot find
    replaced by the nearest word they can (`seen`: words occurring in documents the reader
    may see), then only the corrected words (dropping words nothing visible resembles).
    Only `seen` words are ever offered, so another Kanwil's restricted words never are."""
    entries = list(getattr(getattr(response, "suggest", None), "did_you_mean", None) or [])
    words, corrected = [], []
    for entry in entries:
        choice = None if entry.text in seen else next((o.text for o in entry.options if o.text in seen), None)
        words.append(choice or entry.text)
        if choice:
            corrected.append(choice)
    if not corrected:
        return []
    candidates = [" ".join(words), " ".join(corrected)]
    return [c for i, c in enumerate(candidates) if c.lower() != q.lower() and c not in candidates[:i]]
