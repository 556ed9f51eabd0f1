"""Elasticsearch's `took` for this checkout's search requests against another checkout's, side by side.

    LINTAS_STATE_DIR=/tmp/lintas-bench-100k SEARCH_INDEX_ALIAS=lintas-bench-100k \\
        python bench/took_compare.py --compare /path/to/other/checkout [--runs 2]

Each checkout builds, in its own process and with its own virtualenv (when it has one), the
requests a search sends for every judged query (fixtures/relevance/judgments.yaml) as the
admin (no permission filter): a multi-search of hits, counts and known words on a checkout
with search.service.searches, one search on an older one. This process then sends both
checkouts' requests to the same node and index, alternating in a random order per query,
with the request cache off, one warm-up pass and then --runs timed passes. It prints the
median and p95 took of each, their ratio, whether every query matched as many documents
on both sides, and how much the first ten results overlap. `git worktree add /tmp/old REV`
makes a checkout of an earlier commit to compare with."""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

from common import setup_django

ROOT = Path(__file__).resolve().parent.parent

# Run inside each checkout (cwd = the checkout): prints [[{"index", "body"}, ...] per judged query].
BUILD_REQUESTS = r"""
import json, sys, urllib.parse
import django, yaml
django.setup()
from django.contrib.auth import get_user_model
from django.http import QueryDict
from lessons.access import rules as access
from search import params as search_params, queries, service

tokens = access.access_tokens_for_user(get_user_model().objects.get(username=sys.argv[1]))
terms = service.glossary()
out = []
for item in yaml.safe_load(open(sys.argv[2])):
    query = {"q": item.get("query") or ""}
    for facet, values in (item.get("filters") or {}).items():
        query[facet] = [str(v) for v in (values if isinstance(values, list) else [values])]
    params, errors = search_params.parse(QueryDict(urllib.parse.urlencode(query, doseq=True)), strict=True)
    named = service.kanwil_mentions(params.q) if params.q else set()
    if hasattr(service, "searches"):
        searches = service.searches(params, terms, tokens, 10, named)
    else:  # before the multi-search: one request held hits, total and facets
        searches = [queries.build_search(params, glossary=terms, access_tokens=tokens, page_size=10, kanwil_codes=named)]
    out.append([{"index": s._index, "body": s.to_dict()} for s in searches])
print(json.dumps(out))
"""


def p95(values):
    values = sorted(values)
    return values[max(0, round(0.95 * len(values)) - 1)]


def requests_of(checkout, user, judgments):
    python = Path(checkout) / ".venv" / "bin" / "python"
    out = subprocess.run([str(python) if python.exists() else sys.executable, "-c", BUILD_REQUESTS, user, judgments],
                         cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)}, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"building the requests failed in {checkout}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def send(client, requests):
    """(took, total, first ten ids) of one search's requests, sent as one multi-search."""
    body = []
    for request in requests:
        body += [{"index": request["index"], "request_cache": False}, request["body"]]
    answer = client.msearch(body=body)
    for response in answer["responses"]:
        if "error" in response:
            raise SystemExit(f"a request failed: {json.dumps(response['error'])[:500]}")
    totals = [r["hits"]["total"]["value"] for r in answer["responses"] if isinstance(r["hits"].get("total"), dict)]
    ranked = next((r["hits"]["hits"] for r in answer["responses"] if r["hits"]["hits"]), [])
    return answer["took"], max(totals, default=None), [hit["_id"] for hit in ranked[:10]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", required=True, help="the other checkout")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--user", default="admin")
    args = parser.parse_args()
    setup_django("lintas-bench-corpus", prepare=False)
    from search.client import get_client

    judgments = str(ROOT / "fixtures" / "relevance" / "judgments.yaml")
    sides = {"this checkout": requests_of(ROOT, args.user, judgments),
             f"compare ({args.compare})": requests_of(Path(args.compare).resolve(), args.user, judgments)}
    assert len({len(requests) for requests in sides.values()}) == 1, "the checkouts judge different query sets"
    client, took = get_client(), {label: [] for label in sides}
    differing_totals, overlap, compared = [], 0, 0
    for run in range(args.runs + 1):  # run 0 warms up
        for number in range(len(next(iter(sides.values())))):
            labels = list(sides)
            random.Random(run * 100_000 + number).shuffle(labels)
            answers = {label: send(client, sides[label][number]) for label in labels}
            if run:
                for label, (ms, _, _) in answers.items():
                    took[label].append(ms)
            if run == 1:
                (_, total_a, ids_a), (_, total_b, ids_b) = answers.values()
                if total_a != total_b:
                    differing_totals.append((number, total_a, total_b))
                compared += 1
                overlap += len(set(ids_a) & set(ids_b)) / max(len(ids_a), len(ids_b), 1)
        print(f"  pass {run + 1}/{args.runs + 1} done{' (warm-up)' if not run else ''}", file=sys.stderr)
    for label, values in took.items():
        print(f"{label:40} took median {statistics.median(values):6.1f} ms   p95 {p95(values):6.1f} ms   (n={len(values)})")
    (a, b) = took.values()
    print(f"ratio this/compare: median x{statistics.median(a) / max(statistics.median(b), 0.1):.2f}, "
          f"p95 x{p95(a) / max(p95(b), 0.1):.2f}")
    print(f"matched documents equal for {compared - len(differing_totals)} of {compared} queries"
          + "".join(f"\n  query #{n}: {x} vs {y}" for n, x, y in differing_totals[:10]))
    print(f"first ten results overlap: {overlap / max(compared, 1):.2f}")


if __name__ == "__main__":
    main()
