"""Load test: locust against gunicorn (production settings, started here), mixing search
pages, facet clicks, autocomplete and document pages (bench/locustfile.py).

    LINTAS_STATE_DIR=/tmp/lintas-bench-10k SEARCH_INDEX_ALIAS=lintas-bench-10k \\
        python bench/load_test.py [--workers 3] [--steps 5,10,20,40] [--step-seconds 30]

1. Capacity: users with no think time, in steps; for each step the throughput and p95.
   The highest throughput whose p95 stays under 200 ms is the capacity.
2. 50 users with 1-4.5 s think time for 60 s: throughput, p95, errors. Meanwhile a page is
   published every 3 s and timed until search finds it (the index worker runs in a thread
   of this process, as `search_worker` does): publish-to-searchable p95 under load.
For every run it also prints where the machine's CPU went: the gunicorn processes, the
Elasticsearch node (its own process statistics), locust (the load generator shares the
machine) and everything else, as a share of all cores and in CPU ms per request. Also
prints the peak RSS of the gunicorn workers."""
import argparse
import csv
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import ROOT, session_cookie, setup_django, start_gunicorn


def locust(url, users, seconds, think, env, prefix):
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "-u", str(users), "-r", str(users), "--run-time", f"{seconds}s", "--host", url,
               "--csv", prefix, "--only-summary", "--loglevel", "WARNING"]
    subprocess.run(command, env={**env, "BENCH_THINK_SECONDS": str(think)}, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {"rps": float(total["Requests/s"]), "p95": float(total["95%"]), "p50": float(total["50%"]),
            "requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "by_name": {n: (float(r["50%"]), float(r["95%"])) for n, r in rows.items() if n != "Aggregated"}}


def rss_mb(pid):
    """Peak RSS (VmHWM) of a process and its children, in MB, from /proc."""
    found = {}
    for child in [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]:
        try:
            for row in Path(f"/proc/{child}/status").read_text().splitlines():
                if row.startswith("VmHWM:"):
                    found[child] = int(row.split()[1]) / 1024
        except OSError:
            pass
    return found


TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu_seconds(pid):
    """User + system CPU of a live process, from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


class CpuShares:
    """CPU seconds spent by gunicorn (master and workers), the Elasticsearch node, locust
    (a waited-for child: RUSAGE_CHILDREN) and the whole machine (/proc/stat) between
    start() and report()."""

    def __init__(self, server_pid):
        self.server_pid = server_pid

    def _gunicorn(self):
        children = subprocess.run(["pgrep", "-P", str(self.server_pid)], capture_output=True, text=True).stdout.split()
        return sum(_process_cpu_seconds(pid) for pid in [self.server_pid, *map(int, children)])

    @staticmethod
    def _elasticsearch():
        from search.client import get_client

        stats = get_client().nodes.stats(node_id="_local", metric="process")
        return next(iter(stats["nodes"].values()))["process"]["cpu"]["total_in_millis"] / 1000

    @staticmethod
    def _machine():
        busy_idle = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        values = list(map(int, busy_idle))
        idle = values[3] + values[4]  # idle + iowait
        return (sum(values) - idle) / TICKS, sum(values) / TICKS

    @staticmethod
    def _children():
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def _sample(self):
        return {"gunicorn": self._gunicorn(), "Elasticsearch": self._elasticsearch(), "locust": self._children(),
                "machine": self._machine()}

    def start(self):
        self.before = self._sample()

    def report(self, requests):
        after = self._sample()
        used = {name: after[name] - self.before[name] for name in ("gunicorn", "Elasticsearch", "locust")}
        busy = after["machine"][0] - self.before["machine"][0]
        elapsed = after["machine"][1] - self.before["machine"][1]  # summed over all cores
        used["other"] = max(busy - sum(used.values()), 0.0)
        parts = ", ".join(f"{name} {100 * seconds / elapsed:.0f}% ({1000 * seconds / max(requests, 1):.1f} ms/req)"
                          for name, seconds in used.items())
        return f"CPU of all {os.cpu_count()} cores: {parts}; idle {100 * (1 - busy / elapsed):.0f}%"


def publish_while_loaded(stop, latencies):
    """Publish a lesson every 3 s and time until the search finds it."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.http import QueryDict

    from lessons.models import LessonLearned
    from portal.models import KanwilPage
    from search import service
    from search import params as search_params

    admin = get_user_model().objects.get(username="admin")
    section = KanwilPage.objects.get(kanwil__code="kalbar")
    number = 0
    while not stop.is_set():
        number += 1
        word = f"bebanuji{os.getpid()}x{number:03d}"
        page = LessonLearned(title=f"Uji beban {word}", summary="Terbit saat uji beban.",
                             date=datetime.date(2025, 1, 1), author_kanwil=section.kanwil)
        section.add_child(instance=page)
        started = time.perf_counter()
        page.save_revision().publish()
        params, _ = search_params.parse(QueryDict(f"q={word}"), strict=True)
        while not any(hit.id == page.id for hit in service.run(params, admin).hits):
            if time.perf_counter() - started > 60:
                break
            time.sleep(0.05)
        latencies.append(time.perf_counter() - started)
        stop.wait(3)
    connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when > 1)")
    parser.add_argument("--skip-think", action="store_true", help="capacity steps only (to compare configurations)")
    parser.add_argument("--steps", default="5,10,20,40")
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    setup_django("lintas-bench-corpus", prepare=False)
    from relevance import load_judgments
    from wagtail.models import Page

    from lessons.models import DOCUMENT_MODELS
    from search import outbox

    queries = [j["query"] for j in load_judgments() if j.get("query")]
    from django.contrib.auth import get_user_model

    from lessons.access.rules import visible_pages

    reader = get_user_model().objects.get(username="staf-kalbar")
    documents = [p.url for p in visible_pages(reader, Page.objects.live().type(*DOCUMENT_MODELS)).order_by("?")[:300]]
    env = {**os.environ, "BENCH_QUERIES": json.dumps(queries), "BENCH_DOCUMENTS": json.dumps(documents),
           "BENCH_COOKIE": session_cookie("staf-kalbar")["Cookie"]}
    server, url = start_gunicorn(args.workers, args.port, args.threads)
    tmp = tempfile.mkdtemp(prefix="lintas-locust-")
    try:
        print(f"load test: gunicorn {args.workers} workers x {args.threads} threads at {url}, {len(documents)} document URLs, "
              f"{len(queries)} queries")
        locust(url, 5, 10, 0, env, f"{tmp}/warmup")  # warm-up, not reported
        capacity, cpu = None, CpuShares(server.pid)
        for users in map(int, args.steps.split(",")):
            cpu.start()
            result = locust(url, users, args.step_seconds, 0, env, f"{tmp}/step{users}")
            print(f"  {users:3} users, no think time: {result['rps']:6.1f} req/s, p50 {result['p50']:.0f} ms, "
                  f"p95 {result['p95']:.0f} ms, {result['failures']} errors of {result['requests']}")
            print(f"      {cpu.report(result['requests'])}")
            if result["p95"] <= 200 and (capacity is None or result["rps"] > capacity[1]):
                capacity = (users, result["rps"], result["p95"])
        if capacity:
            print(f"capacity with p95 <= 200 ms: {capacity[1]:.1f} req/s ({capacity[0]} users, p95 {capacity[2]:.0f} ms)")
        else:
            print("capacity with p95 <= 200 ms: not reached at any step")
        if args.skip_think:
            print("peak RSS of gunicorn processes (MB): " + ", ".join(f"{v:.0f}" for v in rss_mb(server.pid).values()))
            return
        stop, latencies = threading.Event(), []
        worker = threading.Thread(target=outbox.run_worker, kwargs={"poll_seconds": 0.25, "stop": stop.is_set}, daemon=True)
        publisher = threading.Thread(target=publish_while_loaded, args=(stop, latencies), daemon=True)
        worker.start()
        publisher.start()
        cpu.start()
        result = locust(url, 50, 60, 3, env, f"{tmp}/think")
        shares = cpu.report(result["requests"])
        stop.set()
        publisher.join(timeout=70)
        worker.join(timeout=10)
        print(f"50 users, 1.5-4.5 s think time, 60 s: {result['rps']:.1f} req/s, p50 {result['p50']:.0f} ms, "
              f"p95 {result['p95']:.0f} ms, {result['failures']} errors of {result['requests']}")
        print(f"    {shares} (this process also publishes and indexes)")
        for name, (p50, p95) in sorted(result["by_name"].items()):
            print(f"    {name:32} p50 {p50:5.0f} ms  p95 {p95:5.0f} ms")
        if latencies:
            latencies.sort()
            p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
            print(f"publish -> searchable under that load: median {statistics.median(latencies) * 1000:.0f} ms, "
                  f"p95 {p95 * 1000:.0f} ms (n={len(latencies)})")
        peaks = rss_mb(server.pid)
        print("peak RSS of gunicorn processes (MB): " + ", ".join(f"{v:.0f}" for v in peaks.values()))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
