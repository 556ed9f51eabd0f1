"""Document building alone (no Elasticsearch): every live document page loaded in batches
and built as a rebuild does, timed in wall and CPU time, with the SQL queries per batch.
Compare two checkouts on the same state directory to see what a change to building costs.

    LINTAS_STATE_DIR=/tmp/lintas-bench-1k SEARCH_INDEX_ALIAS=lintas-bench-1k python bench/build_documents.py [--runs 3]
"""
import argparse
import statistics
import time

from common import setup_django


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_django("lintas-bench-corpus", prepare=False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page

    from lessons.access import rules as access
    from lessons.models import DOCUMENT_MODELS
    from search import indexing

    ids = list(Page.objects.live().type(*DOCUMENT_MODELS).order_by("id").values_list("id", flat=True))
    restrictions = list(access.group_restrictions())
    version = indexing.build_version()
    walls, cpus, queries = [], [], []
    for run in range(args.runs + 1):
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(ids), indexing.BATCH_SIZE):
            with CaptureQueriesContext(connection) as captured:
                pages, failed = indexing.load_pages(ids[start:start + indexing.BATCH_SIZE])
                documents, build_failed = indexing.build_documents(pages, restrictions, version)
            if run:
                queries.append(len(captured))
        if run:
            walls.append(len(ids) / (time.perf_counter() - started))
            cpus.append((time.process_time() - cpu) * 1000 / len(ids))
    print(f"build documents: {len(ids)} pages, batches of {indexing.BATCH_SIZE}, {args.runs} runs after a warm-up")
    print(f"  wall: median {statistics.median(walls):.1f} docs/s; CPU: median {statistics.median(cpus):.1f} ms/doc; "
          f"SQL per batch: min {min(queries)}, max {max(queries)}")


if __name__ == "__main__":
    main()
