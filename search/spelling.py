"""Requests behind "did you mean": which of the query's words the reader can find, and
spelling candidates for those they cannot. Builds only; never sends a request."""
from elasticsearch.dsl import Q, Search

from . import schema
from .analysis import tokens
from .documents import alias_name
from .queries import access_filter

SUGGEST_OPTIONS = 5  # spelling candidates per word, checked in turn against what the reader may see
SUGGEST_FIELD = "body"  # the spelling suggester's vocabulary
SUGGEST_MIN_LENGTH = 4  # shorter words get no spelling candidates (the suggester's min_word_length)


def spelling_words(q):
    """The query's words the spelling suggester would offer candidates for."""
    return sorted({word for word in tokens(q) if len(word) >= SUGGEST_MIN_LENGTH})


def _word_filters(words):
    return {word: Q("bool", should=[Q("term", **{f: word}) for f in schema.field_names("spelling")]) for word in words}


def words_seen_search(words, access_tokens):
    """Which of these index terms occur in a document the reader may see: one size-0 search,
    a filter bucket per word, all under the permission filter. Sent with every search that
    has words to check (spelling_words): only a word the reader cannot find gets a spelling
    suggestion (spelling_search), so the common, correctly spelt search needs no further
    request. As the only aggregation of its request, each word is counted from its own
    postings, not by visiting every document."""
    permission = access_filter(access_tokens)
    search = Search(index=alias_name()).query(Q("bool", filter=[permission] if permission else []))
    search.aggs.bucket("words", "filters", filters=_word_filters(words))
    return search.extra(size=0, track_total_hits=False)


def spelling_search(q):
    """Spelling candidates for a query with a word the reader cannot find. Candidates only:
    the term suggester reads every document's words, whatever the permission filter, so
    each is checked against the reader's documents (words_seen_search) before it may be
    offered. "always": a word counts as known only if the reader can find it, not if it
    merely exists somewhere."""
    return Search(index=alias_name()).extra(size=0, track_total_hits=False).suggest(
        "did_you_mean", q, term={"field": SUGGEST_FIELD, "suggest_mode": "always",
                                 "min_word_length": SUGGEST_MIN_LENGTH, "size": SUGGEST_OPTIONS})
