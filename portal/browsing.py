"""Ways in by procedural stage and by obstacle: the case path on the home page and the
stage and obstacle landing pages. Every count and list comes from the search service
under the reader's permission filter, so a document the reader may not see is neither
counted nor listed, exactly as on the search page."""
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from lessons.access import rules as access
from lessons.content import reference_cache
from portal import page_cache
from search import params as search_params
from search import service

# The side routes of a case (investigation stopped; administrative action instead of
# prosecution): canonical codes, drawn as exits beside the path rather than on it.
EXIT_CODES = ("sp3", "tak")
# Guides first: they say how; lessons and visit reports then show how it went elsewhere.
TYPE_ORDER = ("panduan", "pelajaran", "studi-tiru")
PER_TYPE = 10  # documents listed per type on a landing page; the rest via the search link
TOP = 6  # obstacles, stages and Kanwil listed beside a landing page's documents
LANDING_WINDOW = 200  # hits read for a landing page (grouped by type here)


@dataclass
class Entry:
    """A stage or obstacle with the number of documents the reader may see (None: the
    search engine could not be asked)."""
    item: object
    count: int | None
    url: str
    search_url: str = ""  # the search with this value selected (with the page's own, on a landing page)


@dataclass
class Group:
    type: str
    title: str
    total: int
    hits: list
    search_url: str


@dataclass
class Landing:
    item: object
    total: int | None
    groups: list = field(default_factory=list)
    related: list = field(default_factory=list)  # Entry: obstacles at this stage / stages of this obstacle
    kanwil: list = field(default_factory=list)  # (Kanwil, count, search url), most documents first
    search_url: str = ""
    unavailable: bool = False


def search_url(**selected):
    """The search page with these facet values selected."""
    return reverse("search") + "?" + urlencode([(name, value) for name, value in selected.items() if value])


def _search(user, page_size=1, **selected):
    query = QueryDict(urlencode({**selected, "sort": "newest"}))
    params, _errors = search_params.parse(query, strict=False)
    return service.run(params, user, page_size=page_size)


def _counts(outcome, facet):
    """{code: count} of one facet of a search outcome ({} when the engine was away)."""
    for found in outcome.facets:
        if found.name == facet:
            return {value.code: value.count for value in found.values}
    return {}


def _case_counts(user):
    """({stage: count}, {obstacle: count}) of the documents the reader may see, or None when
    the search engine could not be asked. One search request, cached per set of access
    tokens (portal.page_cache): readers of the same groups see the same counts."""
    def load():
        outcome = _search(user)
        return None if outcome.unavailable else (_counts(outcome, "stage"), _counts(outcome, "obstacle"))

    tokens = access.access_tokens_for_user(user)
    key = ("case-path", "all" if tokens is None else tuple(sorted(tokens)))
    return page_cache.get(key, load)


def case_path(user):
    """The stages in procedural order (the path and its exits) and the obstacles, each with
    the number of documents the reader may see."""
    counted = _case_counts(user)
    unavailable = counted is None
    stage_counts, obstacle_counts = counted or ({}, {})

    def count(counts, code):
        return None if unavailable else counts.get(code, 0)

    stages = [Entry(stage, count(stage_counts, stage.code), reverse("browse-stage", args=[stage.code]))
              for stage in reference_cache.get("stages")]
    obstacles = sorted((Entry(obstacle, count(obstacle_counts, obstacle.code),
                              reverse("browse-obstacle", args=[obstacle.code]))
                        for obstacle in reference_cache.get("obstacles")), key=lambda entry: str(entry.item.label))
    return {
        "path": [entry for entry in stages if entry.item.code not in EXIT_CODES],
        "exits": [entry for entry in stages if entry.item.code in EXIT_CODES],
        "obstacles": obstacles,
        "unavailable": unavailable,
    }


def landing(user, facet, item):
    """A stage's or an obstacle's page: its documents grouped by type (guides first), the
    other facet's values most often met with it and the Kanwil with most documents."""
    outcome = _search(user, page_size=LANDING_WINDOW, **{facet: item.code})
    page = Landing(item=item, total=None if outcome.unavailable else outcome.total,
                   search_url=search_url(**{facet: item.code}), unavailable=outcome.unavailable)
    if outcome.unavailable:
        return page
    type_counts, type_titles = _counts(outcome, "type"), _type_titles(outcome)
    for code in TYPE_ORDER:
        hits = [hit for hit in outcome.hits if hit.type == code]
        if hits:
            page.groups.append(Group(code, type_titles.get(code, code), type_counts.get(code, len(hits)),
                                     hits[:PER_TYPE], search_url(**{facet: item.code, "type": code})))
    other = "obstacle" if facet == "stage" else "stage"
    cached, view = ("obstacles", "browse-obstacle") if other == "obstacle" else ("stages", "browse-stage")
    items = {entry.code: entry for entry in reference_cache.get(cached)}
    counted = sorted(((code, n) for code, n in _counts(outcome, other).items() if n and code in items),
                     key=lambda pair: (-pair[1], str(items[pair[0]].label)))
    page.related = [Entry(items[code], n, reverse(view, args=[code])) for code, n in counted[:TOP]]
    for entry in page.related:
        entry.search_url = search_url(**{facet: item.code, other: entry.item.code})
    kanwil = {k.code: k for k in reference_cache.get("kanwil")}
    most = sorted(((code, n) for code, n in _counts(outcome, "kanwil").items() if n and code in kanwil),
                  key=lambda pair: (-pair[1], kanwil[pair[0]].name))
    page.kanwil = [(kanwil[code], n, search_url(**{facet: item.code, "kanwil": code})) for code, n in most[:TOP]]
    return page


def _type_titles(outcome):
    for found in outcome.facets:
        if found.name == "type":
            return {value.code: value.label for value in found.values}
    return {}
