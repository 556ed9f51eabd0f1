"""Request parameters -> one validated SearchParams. Every problem becomes a message the
page can show (or the API can return as 400); nothing here raises on user input."""
import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from . import schema

SORTS = ("relevance", "newest", "oldest")
MAX_QUERY_LENGTH = 200
MAX_PAGE = 500
MAX_VALUES_PER_FACET = 20
MAX_RESULT_WINDOW = 10_000  # index.max_result_window in index_settings.yaml
MAX_ECHO = 40  # characters of a rejected value repeated back in a message
MAX_UNKNOWN_NAMES = 10
# int() and str.isdigit() both accept non-ASCII digits (fullwidth, Arabic-Indic; isdigit
# even superscripts and circled digits that int() then refuses): numbers are ASCII only.
ASCII_NUMBER = re.compile(r"[0-9]{1,9}")


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
        for facet in schema.facet_params():
            items += [(facet, value) for value in self.selected(facet)]
        if self.sort != "relevance":
            items.append(("sort", self.sort))
        if self.page != 1:
            items.append(("page", str(self.page)))
        return items

    def url(self, **changes):
        params = replace(self, **changes) if changes else self
        return "?" + urlencode(params.query_items())

    def toggled_urls(self, facet, values):
        """{value: url of the same search with that value of the facet added or removed,
        back on page 1}. A facet list links every value, so the other parameters are
        encoded once, not once per value."""
        head = [("q", self.q)] if self.q else []
        tail, after = [], False
        for name in schema.facet_params():
            if name == facet:
                after = True
            else:
                (tail if after else head).extend((name, value) for value in self.selected(name))
        if self.sort != "relevance":
            tail.append(("sort", self.sort))
        head, tail = urlencode(head), urlencode(tail)
        current = self.selected(facet)
        urls = {}
        for value in values:
            chosen = tuple(v for v in current if v != value) if value in current else current + (value,)
            urls[value] = "?" + "&".join(part for part in (head, urlencode([(facet, v) for v in chosen]), tail) if part)
        return urls

    def without_filter(self, facet):
        return replace(self, filters={k: v for k, v in self.filters.items() if k != facet}, page=1)

    @property
    def has_filters(self):
        return any(self.filters.values())


def known_values():
    """Valid codes per facet with a list of choices (schema.FACETS), from the editable taxonomy."""
    return {facet.param: set(facet.choices()) for facet in schema.FACETS if facet.choices}


def max_page(page_size=None):
    """Deepest page Elasticsearch can serve: from + size must stay within max_result_window."""
    page_size = max(1, page_size or settings.SEARCH_PAGE_SIZE)
    return max(1, min(MAX_PAGE, MAX_RESULT_WINDOW // page_size))


def _echo(raw, limit=MAX_ECHO):
    """A rejected value as it may be shown back: printable characters only, shortened."""
    shown = "".join(ch for ch in raw[: limit * 4] if ch.isprintable())
    return shown[:limit] + ("…" if len(shown) > limit else "")


def _number(raw):
    """ASCII digits only, or None."""
    value = raw.strip()
    return int(value) if ASCII_NUMBER.fullmatch(value) else None


def parse(query_dict, *, strict, known=None):
    """Returns (SearchParams, [error message, ...]). With strict=True (the API) unknown
    parameter names are errors too; the HTML page ignores them. `known` (facet -> codes)
    defaults to the taxonomy in the database."""
    errors = []
    known = known_values() if known is None else known
    allowed = {"q", "sort", "page", *schema.facet_params()}
    unknown = sorted(set(query_dict.keys()) - allowed)
    if unknown and strict:
        names = ", ".join(_echo(name, 30) for name in unknown[:MAX_UNKNOWN_NAMES])
        more = "…" if len(unknown) > MAX_UNKNOWN_NAMES else ""
        errors.append(_("Parameter tidak dikenal: %(names)s.") % {"names": names + more})

    q = " ".join("".join(ch for ch in query_dict.get("q", "")[: MAX_QUERY_LENGTH * 20] if ch.isprintable()).split())
    if len(q) > MAX_QUERY_LENGTH:
        errors.append(_("Kata kunci terlalu panjang; hanya %(n)s karakter pertama yang dipakai.") % {"n": MAX_QUERY_LENGTH})
        q = q[:MAX_QUERY_LENGTH]

    filters = {}
    for facet in schema.FACETS:
        values = _facet_values(facet, query_dict.getlist(facet.param), known, errors)
        if values:
            filters[facet.param] = values

    sort = query_dict.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        errors.append(_("Urutan tidak dikenal: %(value)s.") % {"value": _echo(sort, 20)})
        sort = "relevance"

    page_raw = query_dict.get("page", "1") or "1"
    page, last = _number(page_raw), max_page()
    if page is None or not 1 <= page <= last:
        errors.append(_("Nomor halaman tidak valid: %(value)s. Tulis angka 1–%(last)s.")
                      % {"value": _echo(page_raw, 20), "last": last})
        page = 1
    return SearchParams(q=q, filters=filters, sort=sort, page=page), errors


def _facet_values(facet, raws, known, errors):
    """The valid, distinct values of one facet's parameter; a message for each other one."""
    values = []
    for raw in raws[: MAX_VALUES_PER_FACET * 5]:
        value = raw.strip().lower()
        if not value or value in values:
            continue
        if facet.numbers:
            number, (lowest, highest) = _number(value), facet.numbers
            if number is None or not lowest <= number <= highest:
                errors.append(facet.number_error % {"value": _echo(raw, 20)})
                continue
            value = str(number)
        elif value not in known[facet.param]:
            errors.append(_("Nilai tidak dikenal untuk %(facet)s: %(value)s.") % {"facet": facet.param, "value": _echo(raw)})
            continue
        values.append(value)
    if len(values) > MAX_VALUES_PER_FACET or len(raws) > MAX_VALUES_PER_FACET * 5:
        errors.append(_("Terlalu banyak nilai untuk %(facet)s.") % {"facet": facet.param})
        values = values[:MAX_VALUES_PER_FACET]
    return tuple(values)
