"""Search end to end over HTTP against Elasticsearch's own `took` for the same request.

    LINTAS_STATE_DIR=/tmp/lintas-bench-10k SEARCH_INDEX_ALIAS=lintas-bench-10k \\
        python bench/search_latency.py [--runs 3] [--workers 3]

Starts gunicorn (production settings, several workers) on the loaded corpus, logs in as
`admin` (sees everything, as the judgments assume; --user for an officer under the
permission filter) and sends, once as warm-up and then --runs times:
- every judged query (fixtures/relevance/judgments.yaml) to /api/v1/search/;
- the same queries with one facet selected (the first stage facet value the unfiltered
  answer offered), as a reader clicking a facet;
- autocomplete (/api/v1/suggest/) for the first 3, 5 and 8 letters of each judged query.
For each request the same Elasticsearch requests are also built in this process with the
portal's own query builder and sent to the node directly: their `took` (a search's
multi-search of hits, counts and known words) is the engine's share. Elasticsearch's
request cache is cleared before every request unless --request-cache: the runs repeat the
same queries, and a real reader's first search of a query finds nothing cached.
Prints per mode (plain search, search with a facet selected, autocomplete): median and
p95 end to end and of took, the ratio HTTP / took from the same runs, and the median
number of matched documents (the counts request's total: how much the engine matches and
aggregates)."""
import argparse
import statistics
import sys
import time
import urllib.parse

from common import session_cookie, setup_django, start_gunicorn


def p95(values):
    values = sorted(values)
    return values[max(0, round(0.95 * len(values)) - 1)]


def line(label, values):
    return (f"{label:34} median {statistics.median(values):7.1f} ms   p95 {p95(values):7.1f} ms   "
            f"max {max(values):7.1f} ms   (n={len(values)})")


def took_of(kind, query, username):
    """(took ms, matched documents) of the portal's Elasticsearch request: for a search, the
    multi-search of its hits and its counts (service.searches), whose took covers both."""
    from django.contrib.auth import get_user_model
    from django.http import QueryDict

    from lessons.access import rules as access
    from search import params as search_params
    from search import queries, service
    from search.client import get_client

    user = get_user_model().objects.get(username=username)
    tokens = access.access_tokens_for_user(user)
    if kind == "suggest":
        response = queries.suggest_search(query["q"], tokens).using(get_client()).execute()
        return response.took, len(response.suggest.titles[0].options)
    params, errors = search_params.parse(QueryDict(urllib.parse.urlencode(query, doseq=True)), strict=True)
    assert not errors, errors
    named = service.kanwil_mentions(params.q) if params.q else set()
    searches = service.searches(params, service.glossary(), tokens, 10, named)
    answer = get_client().msearch(body=service.multi_search_body(searches))  # the raw answer: its top-level took
    return answer["took"], answer["responses"][1]["hits"]["total"]["value"]


def clear_request_cache():
    from search.client import get_client
    from search.documents import alias_name

    get_client().indices.clear_cache(index=alias_name(), request=True)


def requests_for(judgments, session, url):
    """[(kind, path, query)]: plain, with a facet selected, autocomplete."""
    items = []
    for item in judgments:
        query = {"q": item.get("query") or ""}
        for facet, values in (item.get("filters") or {}).items():
            query[facet] = [str(v) for v in (values if isinstance(values, list) else [values])]
        items.append(("search", "/api/v1/search/", query))
        answer = session.get(url + "/api/v1/search/", params=query, timeout=30).json()
        stage = next((v["code"] for v in answer.get("facets", {}).get("stage", []) if not v["selected"]), None)
        if stage:
            items.append(("search + facet", "/api/v1/search/", {**query, "stage": query.get("stage", []) + [stage]}))
        text = item.get("query") or ""
        for length in (3, 5, 8):
            if len(text) >= length:
                items.append(("suggest", "/api/v1/suggest/", {"q": text[:length]}))
    return items


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--limit", type=int, default=0, help="only the first N judged queries (0: all)")
    parser.add_argument("--user", default="admin",
                        help="who searches: admin reads everything (as the judgments assume); an officer such as "
                             "staf-kalbar searches under the permission filter")
    parser.add_argument("--request-cache", action="store_true",
                        help="keep Elasticsearch's request cache (by default it is cleared before every request: "
                             "the counts request is cacheable and the runs repeat the same queries)")
    args = parser.parse_args()
    setup_django("lintas-bench-corpus", prepare=False)
    import requests
    from relevance import load_judgments

    from search.documents import alias_name
    from search.client import get_client

    count = get_client().count(index=alias_name())["count"]
    server, url = start_gunicorn(args.workers, args.port)
    try:
        session = requests.Session()
        session.headers.update(session_cookie(args.user))
        judgments = load_judgments()
        items = requests_for(judgments[:args.limit] if args.limit else judgments, session, url)
        http, took, matched = {}, {}, {}
        for run in range(args.runs + 1):
            for number, (kind, path, query) in enumerate(items, start=1):
                if not args.request_cache:
                    clear_request_cache()
                started = time.perf_counter()
                response = session.get(url + path, params=query, timeout=30)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (response.status_code, path, query, response.text[:300])
                if not args.request_cache:
                    clear_request_cache()
                engine, found = took_of("suggest" if kind == "suggest" else "search", query, args.user)
                if run:
                    http.setdefault(kind, []).append(elapsed)
                    took.setdefault(kind, []).append(engine)
                    matched.setdefault(kind, []).append(found)
                print(f"\r  {'warm-up' if not run else f'run {run}'}: {number}/{len(items)}", end="", file=sys.stderr)
        print(file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"search latency: {count} documents in the index, gunicorn {args.workers} workers, {args.runs} runs after a "
          f"warm-up, as {args.user}, request cache {'kept' if args.request_cache else 'cleared before every request'}")
    for kind in http:
        print(line(f"{kind}: HTTP end to end", http[kind]))
        print(line(f"{kind}: Elasticsearch took", took[kind]))
        target = 2 * p95(took[kind]) + 10
        print(f"{'':34} ratio of medians {statistics.median(http[kind]) / max(statistics.median(took[kind]), 0.5):.1f}x; "
              f"p95 HTTP {p95(http[kind]):.1f} ms vs 2 x p95 took + 10 = {target:.1f} ms "
              f"({'within' if p95(http[kind]) <= target else 'over'})")
        what = "suggestions" if kind == "suggest" else f"matched documents (of {count})"
        print(f"{'':34} {what}: median {statistics.median(matched[kind]):.0f}, max {max(matched[kind])}")


if __name__ == "__main__":
    main()
