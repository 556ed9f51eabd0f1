"""SearchParams -> elasticsearch-dsl Search. Builds only; never sends a request."""
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from elasticsearch.dsl import Q, Search

from .analysis import analyse, normalise_codes, stage_codes_in, stem, surface_cores, tokens
from . import schema
from .documents import alias_name, stop_words
from .question_words import is_question_word
from .sources import EVERY_DOCUMENT

FACET_SIZE = 100
# Typo tolerance: one edit from 5 letters, two from 10; the first two letters as typed.
# Shorter words and a free first letter made every common word match hundreds of others.
FUZZY_MIN_LENGTH = 5
FUZZINESS = "AUTO:5,10"
FUZZY_PREFIX = 2
# How many of the best matches get the costly bonuses (TextQuery.rescore): enough that a
# document they lift into the first pages is among them.
RESCORE_WINDOW = 100


def _fields(weights):
    return [f"{name}^{weight}" for name, weight in weights.items()]


QUOTED = re.compile(r'"([^"]+)"')
# English possessive ("a suspect's phone"): the word itself is the concept.
POSSESSIVE = re.compile(r"(?<=[a-z])['’]s\b", re.IGNORECASE)


def concepts(q, glossary):
    """Split a query into concepts: each "quoted phrase", each glossary phrase found (with
    its equivalents) or a single remaining word. Matching any form of a concept counts as
    matching it; words the index ignores (stop words) are no concept at all."""
    result = [[f'"{phrase}"'] for phrase in QUOTED.findall(q) if tokens(phrase)]
    text = normalise_codes(POSSESSIVE.sub("", QUOTED.sub(" ", q)), replace_phrases=True)
    words = [w for w in tokens(text)]
    found = glossary.expansions(text) if glossary else []
    position = 0
    for phrase, others in found:
        size = len(phrase.split())
        while position < len(words) and words[position:position + size] != phrase.split():
            result.append([words[position]])
            position += 1
        result.append([phrase, *others])
        position += size
    result.extend([word] for word in words[position:])
    stop = stop_words()
    return [forms for forms in result if not all(w in stop for w in tokens(forms[0]))]


def _concept_query(forms, weights):
    clauses = []
    for index, form in enumerate(forms):
        boost = 1.0 if index == 0 else schema.GLOSSARY
        if form.startswith('"'):
            # Quoted by the user: those words in that order, as written or stemmed.
            exact = form.strip('"')
            clauses.append(Q("multi_match", query=exact, type="phrase", fields=_fields(weights["as_written"]), boost=2))
            clauses.append(Q("multi_match", query=analyse(exact, query=True), type="phrase", fields=_fields(weights["stemmed"])))
            continue
        analysed = analyse(form, query=True)
        if not analysed:
            continue
        kind = "phrase" if len(analysed.split()) > 1 else "best_fields"
        clauses.append(Q("multi_match", query=analysed, type=kind, fields=_fields(weights["stemmed"]), boost=boost))
        if index == 0 and kind == "best_fields" and len(form) >= FUZZY_MIN_LENGTH and form.isalpha():
            # Typos: fuzzy on the text as written, worth less than an exact stem.
            clauses.append(Q("multi_match", query=form, fields=_fields(weights["as_written"]), fuzziness=FUZZINESS,
                             prefix_length=FUZZY_PREFIX, max_expansions=20, boost=0.3 * boost))
    return Q("dis_max", queries=clauses, tie_breaker=0.2) if clauses else None


def required_matches(count, relaxed=False):
    """How many of a query's concepts a document must match: one of one or two (asking
    for both of two lost more recall than it gained precision on the judged queries),
    all but one of three or four, all but two of more (relaxed: any one). Asking for
    most concepts keeps a typical query to the documents about it rather than ~40 % of
    the corpus; ranking among those is unchanged."""
    if relaxed or count <= 2:
        return 1
    return count - 1 if count <= 4 else count - 2


@dataclass
class TextQuery:
    """A query's text, in three parts by cost. `required` decides what matches (most of
    the query's concepts); `boosts` are cheap term bonuses (stage codes, Kanwil named)
    scored on every match; `rescore` holds the costly bonuses (phrases, word pairs, a
    question's scaffolding), scored on the best RESCORE_WINDOW matches only, since on a
    large corpus most documents match and they cost as much as the match itself."""
    required: object  # elasticsearch-dsl Query
    boosts: list
    rescore: object | None


def text_query(q, glossary, relaxed=False, kanwil_codes=()):
    weights = {kind: schema.weights(kind) for kind in ("as_written", "stemmed", "pairs")}
    found = concepts(q, glossary)
    subject = [forms for forms in found if not is_question_word(forms)] or found
    scaffolding = [forms for forms in found if forms not in subject]
    parts = [c for c in (_concept_query(forms, weights) for forms in subject) if c is not None]
    if not parts:
        return TextQuery(Q("match_none"), [], None)
    analysed = analyse(QUOTED.sub(lambda m: m.group(1), q), query=True)
    rescore = [
        Q("multi_match", query=analysed, type="phrase", slop=2, fields=_fields(weights["stemmed"]), boost=2),
        Q("multi_match", query=analysed, fields=_fields(weights["pairs"])),
        # A question's scaffolding ("can", "harus") scores where it occurs but is never required.
        *(c for c in (_concept_query(forms, weights) for forms in scaffolding) if c is not None),
    ]
    boosts = []
    codes = stage_codes_in(q)
    if codes:
        boosts.append(Q("terms", stages=sorted(codes), boost=schema.STAGE_IN_QUERY))
    if kanwil_codes:
        # "Jatim TKA": documents by or about the named Kanwil first.
        boosts.append(Q("terms", kanwil_any=sorted(kanwil_codes), boost=schema.KANWIL_IN_QUERY))
    required = Q("bool", should=parts, minimum_should_match=required_matches(len(parts), relaxed))
    return TextQuery(required, boosts, Q("bool", should=rescore))


CODE_FORMS = re.compile(r"^(p|tahap|pasal)(\d+)$")
ROMAN = {"1": "i", "2": "ii"}


def _code_forms(token):
    """How a canonical code token (p21, tahap2, pasal122) may be written in the text."""
    match = CODE_FORMS.match(token)
    if not match:
        return []
    word, number = match.groups()
    forms = [f"{word} {number}", f"{word}{number}"]
    if word == "tahap" and number in ROMAN:
        forms.append(f"tahap {ROMAN[number]}")
    return forms


def highlight_query(q, glossary):
    """What to mark in snippets: the words as typed (fuzzy), other words built on the same
    stem (Indonesian affixes wrap the stem: *sidik* finds penyidikan, disidik), code
    spellings (P-21 for p21) and glossary equivalents as phrases."""
    clauses = []
    fields = schema.field_names("highlighted")
    # Typo and word-form clauses are multi-term queries: each becomes an automaton that the
    # highlighter runs over every word of every highlighted field of each hit. With
    # require_field_match off, a clause on one field marks all of them, so one field each
    # (on all three, every automaton ran three times over: a quarter of the search's took).
    any_field = fields[:1]
    for forms in concepts(q, glossary):
        typed, *equivalents = forms
        if typed.startswith('"'):
            clauses.append(Q("multi_match", query=typed.strip('"'), type="phrase", fields=fields))
            continue
        for word in tokens(typed):
            code_forms = _code_forms(word)
            if code_forms:
                clauses.extend(Q("multi_match", query=f, type="phrase", fields=fields) for f in code_forms)
                continue
            if len(word) >= FUZZY_MIN_LENGTH and word.isalpha():
                # Fuzzy marks a misspelt word's intended form; one edit (the automaton is built
                # for each hit and field, and a two-edit one costs many times more).
                clauses.append(Q("multi_match", query=word, fields=any_field, fuzziness=1,
                                 prefix_length=FUZZY_PREFIX, max_expansions=10))
            else:
                clauses.append(Q("multi_match", query=word, fields=fields))
            root = stem(word)
            if len(root) >= 5 and root.isalpha():
                clauses.extend(Q("wildcard", **{f: {"value": f"*{core}*"}}) for core in surface_cores(root) for f in any_field)
        clauses.extend(Q("multi_match", query=form, type="phrase", fields=fields) for form in equivalents)
    return Q("bool", should=clauses) if clauses else None


def _selection_filter(params, param):
    """The documents one facet's selection lets through: any of its values (OR) or, for a
    facet declared within="all", every one of them."""
    values = params.selected(param)
    if not values:
        return None
    facet = schema.facet(param)
    values = [int(v) for v in values] if facet.numbers else list(values)
    if facet.within == "all":
        return Q("bool", filter=[Q("term", **{facet.field: v}) for v in values])
    return Q("terms", **{facet.field: values})


def access_filter(access_tokens):
    return None if access_tokens is None else Q("terms", access=list(access_tokens))


def _text(params, glossary, relaxed, kanwil_codes):
    return _text_of(params.q, glossary, relaxed, frozenset(kanwil_codes)) if params.q else None


@lru_cache(maxsize=128)
def _text_of(q, glossary, relaxed, kanwil_codes):
    """text_query, once per search: its hits and its counts both need it (analysing the
    query and expanding the glossary cost ~2 ms). Keyed by the Glossary object, which is
    built anew whenever its rows change; the queries are never modified once built."""
    return text_query(q, glossary, relaxed, kanwil_codes)


def _selections(params):
    return {facet.param: _selection_filter(params, facet.param) for facet in schema.FACETS}


def _post_filter(search, selections):
    active = [f for f in selections.values() if f is not None]
    return search.post_filter(Q("bool", filter=active)) if active else search


def build_search(params, *, glossary, access_tokens, page_size, relaxed=False, kanwil_codes=()):
    """The page of hits: ranked, highlighted. It neither counts nor aggregates (build_counts
    does, in a request sent alongside), so the engine may stop scoring documents that can
    no longer reach the page.
    access_tokens: the reader's tokens (lessons.access), or None for unrestricted.
    relaxed: any one concept of the query suffices (the retry when nothing matched).
    kanwil_codes: Kanwil the query names, whose documents rank higher."""
    text = _text(params, glossary, relaxed, kanwil_codes)
    query = Q("bool", must=[text.required], should=text.boosts) if text else Q("match_all")
    permission = access_filter(access_tokens)
    # The permission filter is part of the query, so hidden documents never reach hits,
    # counts, facets, highlights or suggestions.
    search = Search(index=alias_name()).query(Q("bool", must=[query], filter=[permission] if permission else []))
    search = _post_filter(search, _selections(params))
    start = (params.page - 1) * page_size

    if params.q:
        hq = highlight_query(params.q, glossary)
        search = search.highlight_options(
            type="unified", pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html", fragment_size=180,
            number_of_fragments=2, no_match_size=0, require_field_match=False,
            # Below the index's highlight.max_analyzed_offset, so a huge body is highlighted
            # in its first part instead of failing the whole search.
            max_analyzed_offset=settings.SEARCH_HIGHLIGHT_MAX_ANALYZED_OFFSET,
            **({"highlight_query": hq.to_dict()} if hq else {}),
        ).highlight(*schema.field_names("highlighted"))

    if params.sort == "newest" or (params.sort == "relevance" and not params.q):
        search = search.sort({"date": {"order": "desc", "missing": "_last"}}, "_score")
    elif params.sort == "oldest":
        search = search.sort({"date": {"order": "asc", "missing": "_last"}}, "_score")
    elif text.rescore:
        # Ranked by score alone (Elasticsearch rescores only then). The window is the same
        # for every page: later matches keep their order after it, so paging never skips
        # or repeats a document (a window growing with the page would reorder the top).
        search = search.extra(rescore={"window_size": RESCORE_WINDOW, "query": {
            "rescore_query": text.rescore.to_dict(), "query_weight": 1, "rescore_query_weight": 1}})
    return search.source(schema.field_names("returned")).extra(track_total_hits=False)[start:start + page_size]


def build_counts(params, *, glossary, access_tokens, relaxed=False, kanwil_codes=(), facets=True):
    """How many documents match and, with facets, the facet counts: no hits, so nothing is
    scored (the same documents as build_search matches, selections included)."""
    text = _text(params, glossary, relaxed, kanwil_codes)
    permission = access_filter(access_tokens)
    conditions = [c for c in (text.required if text else None, permission) if c is not None]
    search = Search(index=alias_name()).query(Q("bool", filter=conditions))
    selections = _selections(params)
    search = _post_filter(search, selections)
    for facet in schema.FACETS if facets else ():
        # An "any" facet counts with every other facet's selection applied, not its own
        # (choosing one more value widens the results); an "all" facet with its own too.
        applied = [f for name, f in selections.items()
                   if f is not None and (name != facet.param or facet.within == "all")]
        if applied:
            bucket = search.aggs.bucket(facet.param, "filter", filter=Q("bool", filter=applied))
            bucket.bucket("values", "terms", field=facet.field, size=FACET_SIZE)
        else:
            # Nothing to apply: counted directly, since a filter bucket matching every
            # document costs more than the counting itself.
            search.aggs.bucket(facet.param, "terms", field=facet.field, size=FACET_SIZE)
    return search.source(False).extra(size=0, track_total_hits=True)


def total_search(params, *, glossary, access_tokens):
    """Only the number of matches, selections included. (The count API would ignore the
    post_filter that holds the selections, so this is a size-0 search instead.)"""
    return build_counts(params, glossary=glossary, access_tokens=access_tokens, facets=False)


def suggest_search(prefix, access_tokens, size=6):
    """access_tokens: the reader's tokens, or None for unrestricted."""
    contexts = {"contexts": {"access": [EVERY_DOCUMENT] if access_tokens is None else list(access_tokens)}}
    fuzzy = {"fuzzy": {"fuzziness": "AUTO"}} if len(prefix) > 3 else {}
    # size 0: the options carry their own _source; the hits of a match_all would be waste.
    search = Search(index=alias_name()).source(["title", "url"]).extra(size=0, track_total_hits=False)
    return search.suggest("titles", prefix, completion={"field": "suggest", "size": size, "skip_duplicates": True,
                                                        **fuzzy, **contexts})
