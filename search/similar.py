"""The request for a document page's related documents. Builds only; never sends a request."""
from elasticsearch.dsl import Q, Search

from . import schema
from .documents import alias_name
from .queries import access_filter

# Related documents ignore words found in more documents than this: they say nothing about
# what is similar, and each one made the engine visit most of a large corpus (median took at
# 100k: 285 ms with them, 51 without, the same five documents found).
RELATED_MAX_DOC_FREQ = 5000


def related_search(page_id, stages, obstacles, access_tokens, size=5):
    like = Q("more_like_this", fields=[f.stemmed_name for f in schema.fields_where("similar")],
             like=[{"_index": alias_name(), "_id": str(page_id)}], min_term_freq=1, min_doc_freq=1,
             max_doc_freq=RELATED_MAX_DOC_FREQ, max_query_terms=40, minimum_should_match="20%")
    shared = [Q("terms", stages=list(stages), boost=2), Q("terms", obstacles=list(obstacles), boost=3)]
    permission = access_filter(access_tokens)
    query = Q("bool", should=[like, *shared], minimum_should_match=1,
              must_not=[Q("ids", values=[str(page_id)])], filter=[permission] if permission else [])
    # No total: the page shows five; without one the engine may skip documents that cannot
    # reach them (median took at 100k 46 -> 42 ms, the same five with the same scores).
    search = Search(index=alias_name()).query(query).source(schema.field_names("returned"))
    return search.extra(track_total_hits=False)[:size]
