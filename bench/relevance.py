"""Relevance benchmark: judged queries (fixtures/relevance/judgments.yaml) against the demo
content, for (a) the portal's search, (b) a plain multi_match with the standard analyzer
on the same index, (c) Wagtail's database search backend. Prints nDCG@10, recall@10,
precision@10 and MRR per system, overall, on the queries added for issue #10 (written before
any tuning) and per query kind, all from one run.

    python bench/relevance.py            # builds its own database and index, then measures
    python bench/relevance.py --verbose  # also each query's scores and misses

It needs the Elasticsearch node (python manage.py elasticsearch start)."""
import argparse
import math
import statistics
import sys
import time
from collections import defaultdict

from common import ROOT, setup_django

K = 10


def load_judgments():
    import yaml

    with open(ROOT / "fixtures" / "relevance" / "judgments.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# The judgments' `kanwil` is the author Kanwil (see the header of judgments.yaml): the
# search's `author` parameter. The search's own `kanwil` selects by experience (issue 12).
JUDGED_FILTERS = {"kanwil": "author"}


def judged_filters(item):
    """The item's filters as search parameters: {parameter: [values]}."""
    return {JUDGED_FILTERS.get(f, f): [str(v) for v in (values if isinstance(values, list) else [values])]
            for f, values in (item.get("filters") or {}).items()}


def query_dict(item):
    from django.http import QueryDict

    qd = QueryDict(mutable=True)
    if item.get("query"):
        qd["q"] = item["query"]
    for facet, values in judged_filters(item).items():
        qd.setlist(facet, values)
    return qd


def ours(item, user, page_ids):
    from search import params as search_params
    from search import service

    params, errors = search_params.parse(query_dict(item), strict=True)
    assert not errors, (item["id"], errors)
    return [hit.id for hit in service.run(params, user, page_size=K).hits]


def _filter_clauses(item):
    from search.params import SearchParams
    from search.queries import _selection_filter

    params = SearchParams(filters={f: tuple(v) for f, v in judged_filters(item).items()})
    return [c for c in (_selection_filter(params, f) for f in params.filters) if c is not None]


def plain_multi_match(item, user, page_ids):
    from elasticsearch.dsl import Q, Search

    from search.client import get_client
    from search.documents import alias_name

    text = Q("multi_match", query=item["query"], fields=["title", "summary", "body", "attachments"]) if item.get("query") else Q("match_all")
    search = Search(index=alias_name()).query(Q("bool", must=[text], filter=_filter_clauses(item))).source(False)[:K]
    if not item.get("query"):
        search = search.sort({"date": {"order": "desc"}})
    return [int(hit.meta.id) for hit in search.using(get_client()).execute()]


def wagtail_database(item, user, page_ids):
    """Wagtail's database backend, with the same filters applied to the queryset first."""
    from lessons.access.rules import document_queryset
    from search.building import build_document

    allowed = []
    filters = judged_filters(item)
    field_of = {"stage": "stages", "obstacle": "obstacles", "author": "kanwil", "type": "type", "year": "year",
                "provision": "provisions"}
    for page in document_queryset().specific():
        doc = _cached_docs.setdefault(page.id, build_document(page))
        ok = True
        for facet, values in filters.items():
            have = doc[field_of[facet]]
            have = set(have) if isinstance(have, list) else {have}
            if not {str(h) for h in have} & set(values):
                ok = False
        if ok:
            allowed.append(page.id)
    queryset = document_queryset().filter(id__in=allowed)
    if not item.get("query"):
        return list(queryset.order_by("-first_published_at").values_list("id", flat=True)[:K])
    return [page.id for page in queryset.search(item["query"])[:K]]


_cached_docs = {}
SYSTEMS = [("(a) Lintas Kanwil search", ours), ("(b) plain multi_match, standard analyzer", plain_multi_match),
           ("(c) Wagtail database backend", wagtail_database)]


def dcg(gains):
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


# Query kinds added for issue #10, judged before any tuning; reported as their own group.
NEW_KINDS = {"en-question", "id-sentence", "kanwil-stage"}


def score(ranked, relevant):
    gains = [relevant.get(doc, 0) for doc in ranked[:K]]
    ideal = dcg(sorted(relevant.values(), reverse=True)[:K])
    ndcg = dcg(gains) / ideal if ideal else 0.0
    found = sum(1 for doc in ranked[:K] if doc in relevant)
    recall = found / len(relevant)
    # Precision of what was returned in the top K (a search that returns 4 documents, 3 of
    # them relevant, scores 0.75): it rewards matching fewer irrelevant documents, which
    # recall cannot see on a corpus where every query has fewer than K relevant documents.
    precision = found / len(ranked[:K]) if ranked[:K] else 0.0
    rr = next((1 / (i + 1) for i, doc in enumerate(ranked[:K]) if doc in relevant), 0.0)
    return ndcg, recall, precision, rr


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    setup_django("lintas-bench-relevance")
    from django.contrib.auth import get_user_model
    from wagtail.models import Page

    from lessons.models import DOCUMENT_MODELS

    user = get_user_model().objects.get(username="admin")  # judgments assume a reader who may see everything
    slug_to_id = dict(Page.objects.type(*DOCUMENT_MODELS).values_list("slug", "id"))
    id_to_slug = {v: k for k, v in slug_to_id.items()}
    judgments = load_judgments()
    totals = {name: defaultdict(list) for name, _ in SYSTEMS}
    timings = {name: [] for name, _ in SYSTEMS}
    for number, item in enumerate(judgments, start=1):
        print(f"\r  query {number}/{len(judgments)}", end="", file=sys.stderr)
        relevant = {slug_to_id[slug]: grade for slug, grade in item["relevant"].items()}
        for name, system in SYSTEMS:
            started = time.perf_counter()
            ranked = system(item, user, slug_to_id)
            timings[name].append(time.perf_counter() - started)
            ndcg, recall, precision, rr = score(ranked, relevant)
            kind = item.get("kind", "other")
            groups = ("all", kind) + (("new (#10)",) if kind in NEW_KINDS else ("old",))
            for group in groups:
                totals[name][group].append((ndcg, recall, precision, rr))
            if args.verbose and name.startswith("(a)"):
                missed = [id_to_slug[d] for d in relevant if d not in ranked[:K]]
                print(f"\n{item['id']} {item.get('query')!r} {item.get('filters') or ''} nDCG={ndcg:.2f} R={recall:.2f} P={precision:.2f} RR={rr:.2f}"
                      + (f" missed={missed}" if missed else ""), file=sys.stderr)
    print(file=sys.stderr)
    print(f"{len(judgments)} judged queries, {len(slug_to_id)} documents, top {K}\n")
    for group in ("all", "old", "new (#10)"):
        rows_of = {name: totals[name].get(group) for name, _ in SYSTEMS}
        if not all(rows_of.values()):
            continue
        print(f"\n{group} queries (n={len(rows_of[SYSTEMS[0][0]])})")
        print(f"{'system':45} {'nDCG@10':>8} {'recall@10':>10} {'P@10':>6} {'MRR':>6} {'median ms':>10}")
        for name, _ in SYSTEMS:
            means = [statistics.mean(col) for col in zip(*rows_of[name])]
            print(f"{name:45} {means[0]:8.3f} {means[1]:10.3f} {means[2]:6.3f} {means[3]:6.3f} "
                  f"{statistics.median(timings[name]) * 1000:10.1f}")
    kinds = sorted(k for k in totals[SYSTEMS[0][0]] if k not in ("all", "old", "new (#10)"))
    print("\nnDCG@10 per query kind")
    print(f"{'kind':12} {'n':>3} " + " ".join(f"{name[:3]:>6}" for name, _ in SYSTEMS))
    for kind in kinds:
        values = [statistics.mean(r[0] for r in totals[name][kind]) for name, _ in SYSTEMS]
        print(f"{kind:12} {len(totals[SYSTEMS[0][0]][kind]):3} " + " ".join(f"{v:6.3f}" for v in values))


if __name__ == "__main__":
    main()
