"""Request parameters -> one validated SearchParams. Every problem becomes a message the
page can show (or the API can return as 400); nothing here raises on user input."""
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from lessons.models import DOCUMENT_TYPES
from lessons.taxonomy import Kanwil, LegalProvision, Obstacle, Stage

FACETS = ("stage", "obstacle", "kanwil", "type", "year", "provision")
SORTS = ("relevance", "newest", "oldest")
MAX_QUERY_LENGTH = 200
MAX_PAGE = 500
MAX_VALUES_PER_FACET = 20


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    filters: dict = field(default_factory=dict)  # facet -> tuple of selected codes (years as str)
    sort: str = "relevance"
    page: int = 1

    def selected(self, facet):
        return self.filters.get(facet, ())

    def query_items(self):
        items = [("q", self.q)] if self.q else []
        for facet in FACETS:
            items += [(facet, value) for value in self.selected(facet)]
        if self.sort != "relevance":
            items.append(("sort", self.sort))
        if self.page != 1:
            items.append(("page", str(self.page)))
        return items

    def url(self, **changes):
        params = replace(self, **changes) if changes else self
        return "?" + urlencode(params.query_items())

    def toggled(self, facet, value):
        """Same search with one facet value added or removed, back on page 1."""
        current = self.selected(facet)
        values = tuple(v for v in current if v != value) if value in current else current + (value,)
        return replace(self, filters={**self.filters, facet: values}, page=1)

    def without_filter(self, facet):
        return replace(self, filters={k: v for k, v in self.filters.items() if k != facet}, page=1)

    @property
    def has_filters(self):
        return any(self.filters.values())


def known_values():
    """Valid codes per facet, from the editable taxonomy."""
    return {
        "stage": Stage.objects.codes(),
        "obstacle": Obstacle.objects.codes(),
        "kanwil": Kanwil.objects.codes(),
        "type": set(DOCUMENT_TYPES),
        "provision": LegalProvision.objects.codes(),
    }


def parse(query_dict, *, strict):
    """Returns (SearchParams, [error message, ...]). With strict=True (the API) unknown
    parameter names are errors too; the HTML page ignores them."""
    errors = []
    known = known_values()
    allowed = {"q", "sort", "page", *FACETS}
    unknown = sorted(set(query_dict.keys()) - allowed)
    if unknown and strict:
        errors.append(_("Parameter tidak dikenal: %(names)s.") % {"names": ", ".join(unknown)})

    q = " ".join("".join(ch for ch in query_dict.get("q", "") if ch.isprintable()).split())
    if len(q) > MAX_QUERY_LENGTH:
        errors.append(_("Kata kunci terlalu panjang; hanya %(n)s karakter pertama yang dipakai.") % {"n": MAX_QUERY_LENGTH})
        q = q[:MAX_QUERY_LENGTH]

    filters = {}
    for facet in FACETS:
        values = []
        for raw in query_dict.getlist(facet):
            value = raw.strip().lower()
            if not value or value in values:
                continue
            if facet == "year":
                if not (value.isdigit() and 1900 <= int(value) <= 2100):
                    errors.append(_("Tahun tidak valid: %(value)s.") % {"value": raw[:20]})
                    continue
            elif value not in known[facet]:
                errors.append(_("Nilai tidak dikenal untuk %(facet)s: %(value)s.") % {"facet": facet, "value": raw[:40]})
                continue
            values.append(value)
        if len(values) > MAX_VALUES_PER_FACET:
            errors.append(_("Terlalu banyak nilai untuk %(facet)s.") % {"facet": facet})
            values = values[:MAX_VALUES_PER_FACET]
        if values:
            filters[facet] = tuple(values)

    sort = query_dict.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        errors.append(_("Urutan tidak dikenal: %(value)s.") % {"value": sort[:20]})
        sort = "relevance"

    page_raw = query_dict.get("page", "1") or "1"
    try:
        page = int(page_raw)
        if not 1 <= page <= MAX_PAGE:
            raise ValueError
    except ValueError:
        errors.append(_("Nomor halaman tidak valid: %(value)s.") % {"value": page_raw[:20]})
        page = 1
    return SearchParams(q=q, filters=filters, sort=sort, page=page), errors
