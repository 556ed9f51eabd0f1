"""Highlighting's share of Elasticsearch's `took` on one corpus.

    LINTAS_STATE_DIR=/tmp/lintas-bench-1k SEARCH_INDEX_ALIAS=lintas-bench-1k \\
        python bench/highlight_latency.py [--runs 5] [--storage]

Sends every judged query, built by the portal's own query builder (admin: no permission
filter), to the alias's index in turn: as built; with the typo and word-form highlight
clauses on every highlighted field (as before they named one); with highlighting off.
Prints took median/p95 of each and whether the same words are marked.

--storage: instead, copies the alias's index (scan + bulk, same documents) into variants whose highlighted text
fields store offsets differently: none (re-analyse each hit's text), offsets in the
postings, term vectors with offsets, both. Then sends every judged query, built by the
portal's own query builder (admin: no permission filter), to each variant with
highlighting on and off, interleaved so machine noise hits all alike. Prints took
median/p95 per variant, each variant's store size, and whether every variant marks the
same snippets. The variants are deleted at the end."""
import argparse
import re
import statistics
import sys
import urllib.parse

from common import setup_django

VARIANTS = {
    "analysis": {},
    "offsets": {"index_options": "offsets"},
    "term_vectors": {"term_vector": "with_positions_offsets"},
    "both": {"index_options": "offsets", "term_vector": "with_positions_offsets"},
}


def p95(values):
    values = sorted(values)
    return values[max(0, round(0.95 * len(values)) - 1)]


def make_variants(client, source):
    from elasticsearch import helpers

    from search import schema
    from search.documents import index_body_settings, mapping

    names = {}
    for label, options in VARIANTS.items():
        body = mapping()
        for field in schema.fields_where("highlighted"):
            prop = {k: v for k, v in body["properties"][field.name].items() if k not in ("index_options", "term_vector")}
            body["properties"][field.name] = {**prop, **options}
        name = f"{source}-hl-{label.replace('_', '-')}"
        client.options(ignore_status=404).indices.delete(index=name)
        client.indices.create(index=name, settings=index_body_settings(), mappings=body)
        # The node has no reindex module: copy the stored documents through the client.
        helpers.bulk(client, ({"_index": name, "_id": hit["_id"], "_source": hit["_source"]}
                              for hit in helpers.scan(client, index=source)), refresh=True)
        client.indices.forcemerge(index=name, max_num_segments=1)
        names[label] = name
    return names


def judged_searches():
    """The request body of every judged query, as the portal builds it for admin."""
    from django.http import QueryDict

    from relevance import load_judgments, query_dict
    from search import params as search_params
    from search import queries, service

    bodies = []
    for item in load_judgments():
        params, errors = search_params.parse(QueryDict(urllib.parse.urlencode(query_dict(item), doseq=True)), strict=True)
        assert not errors, errors
        search = queries.build_search(params, glossary=service.glossary(), access_tokens=None, page_size=10,
                                      kanwil_codes=service.kanwil_mentions(params.q))
        bodies.append(search.to_dict())
    return bodies


def without_highlight(body):
    return {k: v for k, v in body.items() if k != "highlight"}


def on_every_field(body):
    """The body with its typo (fuzzy) and word-form (wildcard) highlight clauses repeated on
    every highlighted field, as the highlight query was built before."""
    from search import schema

    fields = [f.name for f in schema.fields_where("highlighted")]
    query = body.get("highlight", {}).get("highlight_query")
    if not query:
        return body
    clauses = []
    for clause in query["bool"]["should"]:
        if "wildcard" in clause:
            (value,) = clause["wildcard"].values()
            clauses.extend({"wildcard": {f: value}} for f in fields)
        elif "fuzziness" in clause.get("multi_match", {}):
            clauses.append({"multi_match": {**clause["multi_match"], "fields": fields}})
        else:
            clauses.append(clause)
    highlight = {**body["highlight"], "highlight_query": {"bool": {**query["bool"], "should": clauses}}}
    return {**body, "highlight": highlight}


def marked(response):
    return [sorted(re.findall(r"<mark>(.*?)</mark>", str(h.get("highlight", {})))) for h in response["hits"]["hits"]]


def compare_queries(runs):
    from search.client import get_client
    from search.documents import alias_name

    client = get_client()
    ways = {"as built": lambda b: b, "clauses on every field": on_every_field, "highlighting off": without_highlight}
    bodies = [(body, {label: way(body) for label, way in ways.items()}) for body in judged_searches()]
    took = {label: [] for label in ways}
    marks = {label: [] for label in ways}
    for run in range(runs + 1):  # the first run warms caches and is not counted
        print(f"\r  run {run}/{runs}", end="", file=sys.stderr)
        for _body, variants in bodies:
            for label, body in variants.items():
                response = client.search(index=alias_name(), body=body, request_cache=False)
                if run:
                    took[label].append(response["took"])
                if run == 1:
                    marks[label].append(marked(response))
    print(file=sys.stderr)
    print(f"{len(bodies)} judged queries x {runs} runs, alias {alias_name()}\n")
    for label in ways:
        print(f"{label:24} took median {statistics.median(took[label]):5.1f} ms   p95 {p95(took[label]):5.1f} ms")
    same = sum(a == b for a, b in zip(marks["as built"], marks["clauses on every field"]))
    print(f"\nqueries whose first page marks the same words both ways: {same}/{len(bodies)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--storage", action="store_true", help="compare ways of storing offsets instead")
    args = parser.parse_args()
    setup_django("lintas-bench-1k", prepare=False)
    if not args.storage:
        return compare_queries(args.runs)
    from search.client import get_client
    from search.documents import alias_name

    client = get_client()
    searches = judged_searches()
    source = next(iter(client.indices.get_alias(name=alias_name())))
    names = make_variants(client, source)
    try:
        searches = [(body, without_highlight(body)) for body in searches]
        took = {(label, hl): [] for label in names for hl in (True, False)}
        snippets = {label: [] for label in names}
        for run in range(args.runs + 1):  # the first run warms caches and is not counted
            print(f"\r  run {run}/{args.runs}", end="", file=sys.stderr)
            for with_hl, without in searches:
                for label, name in names.items():
                    for hl, body in ((True, with_hl), (False, without)):
                        response = client.search(index=name, body=body, request_cache=False)
                        if run:
                            took[(label, hl)].append(response["took"])
                        if run == 1 and hl:
                            snippets[label].append([h.get("highlight", {}) for h in response["hits"]["hits"]])
        print(file=sys.stderr)
        stats = client.indices.stats(index=",".join(names.values()), metric="store")["indices"]
        print(f"{len(searches)} judged queries x {args.runs} runs, index {source}\n")
        for label, name in names.items():
            on, off = took[(label, True)], took[(label, False)]
            size = stats[name]["primaries"]["store"]["size_in_bytes"] / 1e6
            print(f"{label:13} highlight on: median {statistics.median(on):5.1f} p95 {p95(on):5.1f} ms   "
                  f"off: median {statistics.median(off):5.1f} p95 {p95(off):5.1f} ms   store {size:5.1f} MB")
        base = snippets["analysis"]
        for label in names:
            same = sum(a == b for a, b in zip(base, snippets[label]))
            print(f"snippets identical to re-analysis: {label:13} {same}/{len(base)} queries")
    finally:
        for name in names.values():
            client.options(ignore_status=404).indices.delete(index=name)


if __name__ == "__main__":
    main()
