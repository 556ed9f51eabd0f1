"""One search, start to finish: validated params + reader -> executed query -> results.
Shared by the HTML page and the JSON API. If Elasticsearch is away, a basic database
search stands in and the outcome says so."""
import logging
from dataclasses import dataclass, field, replace

from django.conf import settings
from elastic_transport import TransportError as ConnectionProblem
from elasticsearch import ApiError
from elasticsearch.dsl.response import Response

from lessons.access import rules as access
from lessons.content import reference_cache

from . import queries, results, schema, similar, spelling
from .analysis import Glossary, tokens
from .client import get_client
from .fallback import database_search
from .params import SearchParams

logger = logging.getLogger(__name__)
UNAVAILABLE = (ConnectionProblem, ApiError)


@dataclass
class Outcome:
    params: SearchParams
    total: int = 0
    hits: list = field(default_factory=list)
    facets: list = field(default_factory=list)
    suggestion: str = ""
    relaxations: list = field(default_factory=list)  # (facet, title, count, url) when nothing matched
    unavailable: bool = False  # Elasticsearch could not answer; hits come from the database
    partial_match: bool = False  # no document had enough query words; these have some
    page_size: int = 10

    @property
    def pages(self):
        return max(1, -(-self.total // self.page_size))


_glossary = (None, None)  # (the cached glossary rows, the Glossary built from them)


def glossary():
    """The Glossary of the cached rows, built once per cached list (every search needs it;
    building it took ~6 ms)."""
    global _glossary
    rows = reference_cache.get("glossary")
    built_from, built = _glossary
    if built_from is not rows:
        built = Glossary((t.term, t.expansion_list) for t in rows)
        _glossary = (rows, built)
    return built


def kanwil_mentions(q):
    """Codes of the Kanwil a query names by short or full name ("Jatim", "Jawa Timur")."""
    words = f" {' '.join(tokens(q))} "
    return {k.code for k in reference_cache.get("kanwil")
            if any(f" {' '.join(tokens(name))} " in words for name in (k.short_name, k.name) if tokens(name))}


@dataclass
class Answer:
    """The node's answers to one search's requests (searches())."""
    hits: object
    counts: object
    words: object = None  # which query words the reader can find; None when none to check

    @property
    def total(self):
        return self.counts.hits.total.value


def run(params, user, page_size=None):
    page_size = page_size or settings.SEARCH_PAGE_SIZE
    reader = access.access_tokens_for_user(user)
    terms = glossary()
    named = kanwil_mentions(params.q) if params.q else set()
    try:
        answer = _execute(params, terms, reader, page_size, named)
        relaxed = False
        if params.q and answer.total == 0:
            # Nothing has enough of the words: show what has some of them, and say so.
            answer, relaxed = _execute(params, terms, reader, page_size, named, relaxed=True), True
    except UNAVAILABLE as error:
        logger.warning("Search unavailable, using the database: %s", error)
        found = database_search(params, user, limit=page_size)
        return Outcome(params, total=len(found), hits=found, unavailable=True, page_size=page_size)
    label_map = results.labels()
    outcome = Outcome(
        params, total=answer.total, hits=results.hits(answer.hits, label_map),
        facets=results.facets(answer.counts, params, label_map), page_size=page_size,
        partial_match=relaxed and answer.total > 0,
    )
    if params.q:
        # Only words the reader cannot find get a correction, so this stays quiet for
        # correctly spelt queries even when they match little.
        try:
            outcome.suggestion = _spelling_suggestion(answer.words, params, terms, reader)
        except UNAVAILABLE as error:
            logger.warning("Spelling suggestion unavailable: %s", error)
    if outcome.total == 0 and params.has_filters:
        outcome.relaxations = _relaxations(params, terms, reader)
    return outcome


def searches(params, terms, reader, page_size, named=(), relaxed=False):
    """The requests of one search, run side by side by the node: the page of hits, the
    counts and facets, and (when the query has words to check) which words the reader can
    find."""
    options = {"glossary": terms, "access_tokens": reader, "relaxed": relaxed, "kanwil_codes": named}
    found = [queries.build_search(params, page_size=page_size, **options), queries.build_counts(params, **options)]
    words = spelling.spelling_words(params.q) if params.q else []
    return found + [spelling.words_seen_search(words, reader)] if words else found


def _execute(params, terms, reader, page_size, named=(), relaxed=False):
    return Answer(*_send(*searches(params, terms, reader, page_size, named, relaxed)))


def _total(params, terms, reader):
    search = queries.total_search(params, glossary=terms, access_tokens=reader)
    return _send(search)[0].hits.total.value


def _send(*searches):
    """Execute as one multi-search, retrying once on the errors an alias swap can cause
    (the index a query had resolved went away, or its shards did): the retry resolves the
    alias afresh."""
    try:
        return multi_search(searches)
    except ApiError as error:
        if not _swap_error(error):
            raise
        logger.info("Search hit an index being swapped; retrying once: %s", error)
        return multi_search(searches)


def multi_search_body(searches):
    """The _msearch body of [Search]: a header line and a request per search."""
    body = []
    for search in searches:
        body += [{"index": search._index}, search.to_dict()]
    return body


def multi_search(searches):
    """[Response] for [Search], in one request. A search that failed raises its own error
    (type and status), as a single search would."""
    answer = get_client().msearch(body=multi_search_body(searches))
    responses = []
    for search, raw in zip(searches, answer["responses"]):
        if "error" in raw:
            error = raw["error"]
            kind = error.get("type", "search_error") if isinstance(error, dict) else str(error)
            raise ApiError(kind, meta=replace(answer.meta, status=raw.get("status", 500)), body=raw)
        responses.append(Response(search, raw))
    return responses


def _swap_error(error):
    kind = str(getattr(error, "error", "") or "")
    return error.meta.status == 404 or kind in {"index_not_found_exception", "search_phase_execution_exception",
                                                "no_shard_available_action_exception", "index_closed_exception"}


def _spelling_suggestion(words_seen, params, terms, reader):
    """Corrections are judged word by word against the documents the reader may see, then
    the whole corrected query must find something with the reader's filters. The search
    itself said which of the query's words the reader can find (words_seen): when they all
    are, there is nothing to correct and no further request."""
    if not results.unknown_words(words_seen):
        return ""
    response, = _send(spelling.spelling_search(params.q))
    words = results.suggested_words(response)
    if not words:
        return ""
    buckets = spelling.words_seen_search(sorted(words), reader).using(get_client()).execute().aggregations.words.buckets
    seen = {word for word in words if buckets[word].doc_count}
    return _first_with_results(results.did_you_mean(response, params.q, seen), params, terms, reader)


def _first_with_results(candidates, params, terms, reader):
    """A spelling suggestion is only offered if following it finds something."""
    for text in candidates:
        if _total(replace(params, q=text, page=1), terms, reader):
            return text
    return ""


def _relaxations(params, terms, reader):
    """How many documents each selected filter is hiding: 'drop this filter: N results'."""
    found = []
    for facet, values in params.filters.items():
        if not values:
            continue
        count = _total(params.without_filter(facet), terms, reader)
        if count:
            found.append((facet, str(schema.facet(facet).title), count, params.without_filter(facet).url()))
    return found


def suggestions(prefix, user, limit=8):
    """Autocomplete: document titles the reader may see, then glossary terms and facet names."""
    # Printable characters only: PostgreSQL refuses a NUL in the glossary lookup (found by schemathesis).
    prefix = " ".join("".join(ch for ch in prefix if ch.isprintable()).split())[:60]
    if len(prefix) < 2:
        return []
    items = []
    try:
        tokens = access.access_tokens_for_user(user)
        response = queries.suggest_search(prefix, tokens).using(get_client()).execute()
        for option in response.suggest.titles[0].options:
            items.append({"text": option._source.title, "kind": "dokumen", "url": option._source.url})
    except UNAVAILABLE as error:
        logger.warning("Suggestions unavailable: %s", error)
    # From the process-wide reference cache: autocomplete runs on every keystroke.
    start = prefix.casefold()
    for term in [t for t in reference_cache.get("glossary") if t.term.casefold().startswith(start)][:4]:
        items.append({"text": term.term, "kind": "istilah", "url": "", "detail": ", ".join(term.expansion_list[:2])})
    return items[:limit]


def related_request(page, user, size=5):
    """The related-documents request for `page` as `user` may see them. Reads the database
    (the reader's access tokens, the page's stages and obstacles); sends nothing."""
    reader = access.access_tokens_for_user(user)
    stages = [stage.code for stage in page.stages.all()]  # .all(): the page may have them prefetched
    obstacles = [obstacle.code for obstacle in page.obstacles.all()]
    return similar.related_search(page.id, stages, obstacles, reader, size)


def send_related(search):
    """Send a related-documents request: safe in another thread (no database)."""
    return search.using(get_client()).execute()


def related_hits(answer):
    """The hits of a related-documents request, from `answer()` (which returns the response,
    or raises what the request raised); none when Elasticsearch could not answer."""
    try:
        response = answer()
    except UNAVAILABLE as error:
        logger.warning("Related documents unavailable: %s", error)
        return []
    return results.hits(response, results.labels())


def related(page, user, size=5):
    search = related_request(page, user, size)
    return related_hits(lambda: send_related(search))
