"""Elasticsearch responses -> plain result objects for the HTML page and the JSON API."""
from dataclasses import dataclass, field

from lessons.models import KANWIL_ROLES

from . import schema


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
    editorial: bool = False  # offered in the search form's editor options only


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
    kanwil_roles: list = field(default_factory=list)  # [{code, role, label, role_label}], author first


def labels():
    """Display labels per facet with choices, in display order (stages in procedural order)."""
    return {facet.param: facet.choices() for facet in schema.FACETS if facet.choices}


def facets(response, params, label_map):
    """Each declared facet in declaration order: its values with counts, as declared
    (choices in their order, numbers newest first; zero counts listed or not)."""
    result = []
    for facet in schema.FACETS:
        name = facet.param
        counted = response.aggregations[name]
        # Under a filter bucket when other selections apply (queries.build_counts).
        counted = counted["values"] if "values" in counted else counted
        counts = {str(b.key): b.doc_count for b in counted.buckets}
        selected = set(params.selected(name))
        if facet.choices:
            names = label_map[name]
            order = list(names)
        else:
            order = sorted(set(counts) | selected, key=int, reverse=True)
            names = {code: code for code in order}
        shown = [code for code in order if counts.get(code) or code in selected or facet.zero_counts]
        urls = params.toggled_urls(name, shown)
        values = [FacetValue(code, names.get(code, code), counts.get(code, 0), code in selected, urls[code])
                  for code in shown]
        result.append(Facet(name, str(facet.title), values, facet.editorial))
    return result


def hits(response, label_map):
    found = []
    for h in response.hits:
        highlight = []
        if hasattr(h.meta, "highlight"):
            for name in (f.name for f in schema.fields_where("highlighted")):
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
            kanwil_roles=kanwil_roles(getattr(h, "kanwil_roles", None) or [], label_map["kanwil"]),
        ))
    return found


def kanwil_roles(stored, kanwil_labels):
    """The index's [{code, role}] with the Kanwil's name and the role's name in the reader's language."""
    return [{"code": r["code"], "role": r["role"], "label": kanwil_labels.get(r["code"], r["code"]),
             "role_label": str(KANWIL_ROLES.get(r["role"], r["role"]))} for r in stored]


def unknown_words(response):
    """The query's words that no document the reader may see contains, from the answer to
    spelling.words_seen_search; empty when there were none to check (response None)."""
    if response is None:
        return set()
    return {word for word, bucket in response.aggregations.words.buckets.to_dict().items() if not bucket["doc_count"]}


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
