"""Time from "publish" to "found by search", over 50 publications, with the real index
worker running in its own thread (its own database connection, as in production).

    python bench/publish_latency.py [--count 50] [--poll 0.5]

Prints the median and p95 latency and the worker's poll interval. Needs the node."""
import argparse
import datetime
import statistics
import sys
import threading
import time

from common import setup_django


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--poll", type=float, default=0.25, help="worker poll interval when idle (the default of search_worker)")
    args = parser.parse_args()
    setup_django("lintas-bench-latency")
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.http import QueryDict

    from lessons.models import LessonLearned
    from portal.models import KanwilPage
    from search import outbox, service
    from search import params as search_params

    stop = threading.Event()

    def worker():
        outbox.run_worker(poll_seconds=args.poll, stop=stop.is_set)
        connection.close()

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    admin = get_user_model().objects.get(username="admin")
    section = KanwilPage.objects.get(kanwil__code="kalbar")
    latencies = []
    for number in range(args.count):
        word = f"latensi{number:03d}x"
        page = LessonLearned(title=f"Uji {word}", summary="Pengukuran waktu terbit.", date=datetime.date(2025, 1, 1),
                             author_kanwil=section.kanwil)
        section.add_child(instance=page)
        started = time.perf_counter()
        page.save_revision().publish()
        params, _ = search_params.parse(QueryDict(f"q={word}"), strict=True)
        while not any(hit.id == page.id for hit in service.run(params, admin).hits):
            time.sleep(0.02)
        latencies.append(time.perf_counter() - started)
        print(f"\r  {number + 1}/{args.count} published and found", end="", file=sys.stderr)
    stop.set()
    thread.join(timeout=5)
    print(file=sys.stderr)
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(f"{len(latencies)} publications, worker poll {args.poll} s")
    print(f"publish -> found by search: median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
