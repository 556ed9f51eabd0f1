"""Reader pages: median time and SQL query count of the home page, a Kanwil page (its first
and last page) and document pages (the longest, and one with the most attachments), which
must not grow with the corpus. Run it on two corpus sizes and compare.

    LINTAS_STATE_DIR=/tmp/lintas-bench-1k SEARCH_INDEX_ALIAS=lintas-bench-1k python bench/pages.py
    LINTAS_STATE_DIR=/tmp/lintas-bench-10k SEARCH_INDEX_ALIAS=lintas-bench-10k python bench/pages.py

In process (Django's test client, logged in as a reader of one Kanwil), so the SQL of each
request can be counted; one warm-up request per page, then --runs timed ones (the Kanwil
page's lists of ids are then cached, as between a reader's clicks; one line measures the
request that has to find them). "CPU" is this process's CPU time for the request (SQLite
runs in it, so it includes the queries); on a shared machine it is steadier than the
wall-clock time."""
import argparse
import statistics
import time

from common import setup_django


# The Kanwil page's lists of ids are kept per process (portal.page_cache) until a change or
# REFERENCE_CACHE_SECONDS: this line measures the request that finds them, the others reuse them.
COLD = "Kanwil page, its lists not cached (first page)"


def p95(values):
    values = sorted(values)
    return values[max(0, round(0.95 * len(values)) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--user", default="staf-kalbar")
    args = parser.parse_args()
    setup_django("lintas-bench-corpus", prepare=False)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import Length
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Page

    from lessons.models import DOCUMENT_MODELS, LessonLearned
    from portal import page_cache
    from portal.models import KanwilPage

    from lessons.access.rules import visible_pages

    reader = get_user_model().objects.get(username=args.user)
    documents = visible_pages(reader, Page.objects.live().type(*DOCUMENT_MODELS))
    longest = visible_pages(reader, LessonLearned.objects.live()).annotate(size=Length("situation")).order_by("-size").first()
    attached = documents.annotate(n=Count("attachments")).order_by("-n").first()
    kanwil = max(KanwilPage.objects.live(), key=lambda k: k.get_children().live().count())
    pages = {"home": "/", f"Kanwil page ({kanwil.title}, {kanwil.get_children().live().count()} documents)": kanwil.url,
             "Kanwil page, last page of its pager": kanwil.url + "?page=99999&visits_page=99999",
             COLD: kanwil.url,
             "document page (longest lesson)": longest.url,
             f"document page ({attached.n} attachments)": attached.specific.url}
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reader)
    print(f"pages benchmark: {documents.count()} live documents, user {args.user}, {args.runs} runs after a warm-up")
    for label, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (label, url, response.status_code)
        times, cpus, counts = [], [], set()
        for _ in range(args.runs):
            if label == COLD:
                page_cache.clear()  # as after a publication, or a reader set's first visit
            with CaptureQueriesContext(connection) as queries:
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            counts.add(len(queries))
        print(f"{label:58} median {statistics.median(times):7.1f} ms   p95 {p95(times):7.1f} ms   "
              f"CPU median {statistics.median(cpus):6.1f} ms   SQL {'/'.join(map(str, sorted(counts)))}")


if __name__ == "__main__":
    main()
