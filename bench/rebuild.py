"""Rebuild throughput through our pipeline against a raw bulk load of the same documents,
measured side by side in one run, plus the peak memory of a rebuild in its own process.

    LINTAS_STATE_DIR=/tmp/lintas-bench-10k SEARCH_INDEX_ALIAS=lintas-bench-10k \\
        python bench/rebuild.py [--runs 3] [--no-rss] [--processes 1 2]

Needs a corpus loaded by `bench/corpus.py load` in that state directory and alias. Each
run (after `--warm-ups` runs of each, one by default, not counted):
- pipeline: indexing.rebuild() (what `search_index rebuild` does: build every document
  from the database, bulk-write a new index, swap the alias, then its closing check,
  reconcile_since: only what changed while it ran); reported both as a whole and without
  that closing check; once per --processes value (worker processes building documents,
  SEARCH_REBUILD_PROCESSES by default; several values compare them side by side);
- raw: the very same document sources (dumped from the live index once, beforehand)
  streamed from a file into a new index with the same mapping by elasticsearch.helpers
  .streaming_bulk, refreshed at the end, then deleted.
CPU time per document counts this process and its worker processes (reaped when the
rebuild ends). Then one `manage.py search_index rebuild` in a child process for its peak
RSS: the largest of that process and its workers."""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, setup_django


def p95(values):
    values = sorted(values)
    return values[max(0, round(0.95 * len(values)) - 1)]


def summary(label, values, unit):
    return f"{label:42} median {statistics.median(values):9.1f} {unit}   p95 {p95(values):9.1f} {unit}   (n={len(values)})"


def dump_sources(path):
    from elasticsearch.helpers import scan

    from search.client import get_client
    from search.documents import alias_name

    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for hit in scan(get_client(), index=alias_name(), query={"query": {"match_all": {}}}, size=1000):
            handle.write(json.dumps({"_id": hit["_id"], "_source": hit["_source"]}, ensure_ascii=False) + "\n")
            count += 1
    return count


def raw_load(path):
    """Stream the dumped sources into a fresh index with our mapping; returns seconds."""
    from elasticsearch.helpers import streaming_bulk

    from search import indexing
    from search.client import get_client

    client = get_client()
    name = indexing.create_index(f"{indexing.alias_name()}-raw-{time.time_ns()}", filling=True)
    try:
        def actions():
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    item = json.loads(line)
                    yield {"_op_type": "index", "_index": name, "_id": item["_id"], "_source": item["_source"]}

        started = time.perf_counter()
        # A generous timeout: on a busy node a 10 MB bulk may take longer than the default 10 s.
        for ok, info in streaming_bulk(client.options(request_timeout=120), actions(), chunk_size=500, max_chunk_bytes=10 * 1024 * 1024,
                                       raise_on_error=True):
            pass
        client.indices.refresh(index=name)
        return time.perf_counter() - started
    finally:
        client.indices.delete(index=name, ignore_unavailable=True)


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pipeline_rebuild(processes):
    """(seconds for the whole rebuild, seconds of its closing reconcile, documents, CPU
    seconds of this process and its workers: on a shared machine the wall time depends on
    the neighbours, the CPU time spent building documents much less)."""
    from search import indexing
    from search import reconcile

    spent = {}
    original = reconcile.reconcile_since

    def timed_reconcile(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent["reconcile"] = time.perf_counter() - started

    reconcile.reconcile_since = timed_reconcile  # rebuild() looks it up there when it runs
    try:
        started, cpu = time.perf_counter(), time.process_time() + children_cpu()
        report = indexing.rebuild(processes=processes)
        total, cpu = time.perf_counter() - started, time.process_time() + children_cpu() - cpu
    finally:
        reconcile.reconcile_since = original
    return total, spent.get("reconcile", 0.0), report.indexed, cpu


# Run in a fresh, small process: RUSAGE_CHILDREN of this benchmark would also count the
# worker processes its own rebuilds forked (copies of this process, dumped sources and all).
RSS_WRAPPER = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def rss_of_rebuild(processes):
    """Peak RSS (MB) of `manage.py search_index rebuild` run as a child process: the largest
    of it and its worker processes (ru_maxrss of waited-for descendants)."""
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, "-c", RSS_WRAPPER, sys.executable, str(ROOT / "manage.py"), "search_index",
                               "rebuild"], check=True, capture_output=True, text=True,
                              env={**os.environ, "SEARCH_REBUILD_PROCESSES": str(processes)})
    seconds = time.perf_counter() - started
    return int(finished.stdout.split()[-1]) / 1024, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-rss", action="store_true")
    parser.add_argument("--warm-ups", type=int, default=1, help="runs not counted (0 at 100k: one run is long enough)")
    parser.add_argument("--processes", type=int, nargs="+", default=None,
                        help="worker processes building documents (default SEARCH_REBUILD_PROCESSES); "
                             "several values are measured side by side, e.g. --processes 1 2")
    args = parser.parse_args()
    setup_django("lintas-bench-corpus", prepare=False)
    from django.conf import settings

    from search.models import PendingIndexUpdate

    settings_ = args.processes or [settings.SEARCH_REBUILD_PROCESSES]
    with tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.jsonl"
        count = dump_sources(sources)
        print(f"{count} documents in the index; sources dumped ({sources.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
        whole, fill, cpu_ms = ({p: [] for p in settings_} for _ in range(3))
        raw = []
        for run in range(1 - args.warm_ups, args.runs + 1):
            label = "warm-up" if run <= 0 else f"run {run}"
            measured = {p: pipeline_rebuild(p) for p in settings_}
            raw_seconds = raw_load(sources)
            line = ", ".join(f"pipeline ({p} proc.) {indexed / seconds:.0f} docs/s ({seconds:.1f} s, closing check "
                             f"{reconcile_seconds:.1f} s)" for p, (seconds, reconcile_seconds, indexed, _) in measured.items())
            print(f"  {label}: {line}, raw bulk {count / raw_seconds:.0f} docs/s ({raw_seconds:.1f} s); "
                  f"load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
            if run > 0:
                raw.append(count / raw_seconds)
                for p, (seconds, reconcile_seconds, indexed, cpu) in measured.items():
                    whole[p].append(indexed / seconds)
                    fill[p].append(indexed / (seconds - reconcile_seconds))
                    cpu_ms[p].append(cpu * 1000 / indexed)
        PendingIndexUpdate.objects.all().delete()
    print(f"rebuild benchmark: {count} documents, {args.runs} runs after {args.warm_ups} warm-up(s); "
          f"load average now {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(summary("raw streaming_bulk of the same sources", raw, "docs/s"))
    for p in settings_:
        print(f"-- {p} worker process(es) building documents" if p > 1 else "-- documents built in the rebuilding process")
        print(summary("pipeline rebuild incl. closing check", whole[p], "docs/s"))
        print(summary("pipeline rebuild without closing check", fill[p], "docs/s"))
        print(summary("pipeline CPU time (incl. workers) per doc", cpu_ms[p], "ms  "))
        ratios = [w / r for w, r in zip(whole[p], raw)]
        ratios_fill = [f / r for f, r in zip(fill[p], raw)]
        print(f"{'ratio pipeline/raw (same run)':42} median {statistics.median(ratios):.2f}x incl. closing check, "
              f"{statistics.median(ratios_fill):.2f}x without")
    if not args.no_rss:
        for p in settings_:
            peak, seconds = rss_of_rebuild(p)
            print(f"{f'peak RSS of search_index rebuild ({p} proc.)':42} {peak:.0f} MB per process "
                  f"({seconds:.1f} s in a child process)")


if __name__ == "__main__":
    main()
