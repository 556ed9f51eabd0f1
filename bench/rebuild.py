"""Rebuild throughput through our pipeline against a raw bulk load of the same documents,
measured side by side in one run, plus the peak memory of a rebuild in its own process.

    LINTAS_STATE_DIR=/tmp/lintas-bench-10k SEARCH_INDEX_ALIAS=lintas-bench-10k \\
        python bench/rebuild.py [--runs 3] [--no-rss]

Needs a corpus loaded by `bench/corpus.py load` in that state directory and alias. Each
run (after `--warm-ups` runs of each, one by default, not counted):
- pipeline: indexing.rebuild() (what `search_index rebuild` does: build every document
  from the database, bulk-write a new index, swap the alias, then its closing check,
  reconcile_since: only what changed while it ran); reported both as a whole and without
  that closing check;
- raw: the very same document sources (dumped from the live index once, beforehand)
  streamed from a file into a new index with the same mapping by elasticsearch.helpers
  .streaming_bulk, refreshed at the end, then deleted.
Then one `manage.py search_index rebuild` in a child process for its peak RSS."""
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


def pipeline_rebuild():
    """(seconds for the whole rebuild, seconds of its closing reconcile, documents, CPU
    seconds of this process: on a shared machine the wall time depends on the neighbours,
    the CPU time spent building documents much less)."""
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
        started, cpu = time.perf_counter(), time.process_time()
        report = indexing.rebuild()
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        reconcile.reconcile_since = original
    return total, spent.get("reconcile", 0.0), report.indexed, cpu


def rss_of_rebuild():
    """Peak RSS (MB) of `manage.py search_index rebuild` run as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "search_index", "rebuild"], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]})
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (peak if peak > before else before) / 1024, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-rss", action="store_true")
    parser.add_argument("--warm-ups", type=int, default=1, help="runs not counted (0 at 100k: one run is long enough)")
    args = parser.parse_args()
    setup_django("lintas-bench-corpus", prepare=False)
    from search.models import PendingIndexUpdate

    with tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.jsonl"
        count = dump_sources(sources)
        print(f"{count} documents in the index; sources dumped ({sources.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
        whole, fill, raw, cpu_ms = [], [], [], []
        for run in range(1 - args.warm_ups, args.runs + 1):
            seconds, reconcile_seconds, indexed, cpu = pipeline_rebuild()
            raw_seconds = raw_load(sources)
            label = "warm-up" if run <= 0 else f"run {run}"
            print(f"  {label}: pipeline {indexed / seconds:.0f} docs/s ({seconds:.1f} s, closing check "
                  f"{reconcile_seconds:.1f} s), raw bulk {count / raw_seconds:.0f} docs/s ({raw_seconds:.1f} s)",
                  file=sys.stderr)
            if run > 0:
                whole.append(indexed / seconds)
                fill.append(indexed / (seconds - reconcile_seconds))
                raw.append(count / raw_seconds)
                cpu_ms.append(cpu * 1000 / indexed)
        PendingIndexUpdate.objects.all().delete()
    print(f"rebuild benchmark: {count} documents, {args.runs} runs after {args.warm_ups} warm-up(s)")
    print(summary("pipeline rebuild incl. closing check", whole, "docs/s"))
    print(summary("pipeline rebuild without closing check", fill, "docs/s"))
    print(summary("raw streaming_bulk of the same sources", raw, "docs/s"))
    print(summary("pipeline CPU time (this process) per doc", cpu_ms, "ms  "))
    ratios = [w / r for w, r in zip(whole, raw)]
    ratios_fill = [f / r for f, r in zip(fill, raw)]
    print(f"{'ratio pipeline/raw (same run)':42} median {statistics.median(ratios):.2f}x incl. closing check, "
          f"{statistics.median(ratios_fill):.2f}x without")
    if not args.no_rss:
        peak, seconds = rss_of_rebuild()
        print(f"{'peak RSS of search_index rebuild':42} {peak:.0f} MB ({seconds:.1f} s in a child process)")


if __name__ == "__main__":
    main()
