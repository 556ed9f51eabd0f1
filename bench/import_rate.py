"""Import rate of `import_archive --publish`: documents/s, CPU ms and SQL queries per document.

    python bench/import_rate.py CORPUS --state STATE_DIR [--runs 3] [--compare /work/main]

Each run imports the same Markdown files into a fresh copy of STATE_DIR (a loaded state
directory, e.g. one made by `bench/corpus.py load`; it is never modified), in a child
process, so every run starts from the same database. With --compare, the runs alternate
between this checkout and the other one (its own virtualenv when it has one), on the same
files and the same state, and the ratio of the medians is printed: side by side in one
run, as the machine's load changes for both alike.

Figures per run: wall-clock documents/s, CPU time of the importing process per document
(time.process_time: what the import costs, less sensitive to other processes on a shared
machine), CPU time of its parse worker processes per document (lessons/markdown/parse_pool:
with LINTAS_IMPORT_PARSE_WORKERS > 1, batches of many files are read, parsed and their plain
text rendered there while the batch before is written; "workers" counts the files they
parsed) and SQL queries per document (counted with connection.execute_wrapper).

--compare-env KEY=VALUE sets an environment variable for the compare side only, e.g.
`LINTAS_IMPORT_PARSE_WORKERS=2 python bench/import_rate.py ... --compare . --compare-env
LINTAS_IMPORT_PARSE_WORKERS=1` runs this checkout with and without parse workers side by
side (they are off by default: portal/settings/base.py)."""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(args):
    """One import in this process, code from args.root; prints one JSON line."""
    sys.path.insert(0, args.root)
    os.chdir(args.root)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from lessons.markdown.bulk_import import import_archive

    user = get_user_model().objects.get(username=args.user) if args.user else None
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    def children_cpu():  # worker processes, once they have ended (the pool joins them)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    with connection.execute_wrapper(count):
        cpu, wall, workers_cpu = time.process_time(), time.perf_counter(), children_cpu()
        if profiler:
            profiler.enable()
        report = import_archive([args.corpus], publish=True, user=user, batch_size=args.batch_size)
        if profiler:
            profiler.disable()
        cpu, wall, workers_cpu = time.process_time() - cpu, time.perf_counter() - wall, children_cpu() - workers_cpu
    if profiler:
        profiler.dump_stats(args.profile)
    done = max(report.imported, 1)
    print(json.dumps({"imported": report.imported, "failed": len(report.failures),
                      "together": getattr(report, "together", None),  # created by new_pages (None: no such path)
                      "docs_per_s": report.imported / wall, "cpu_ms_per_doc": 1000 * cpu / done,
                      "queries_per_doc": queries / done, "wall_s": wall,
                      "worker_cpu_ms_per_doc": 1000 * workers_cpu / done,
                      "parsed_in_workers": getattr(report, "parsed_in_workers", 0),
                      "parse_wait_s": getattr(report, "parse_wait", 0.0),
                      "failures": [f"{f.source}: {'; '.join(map(str, f.problems))}" for f in report.failures[:5]]}))


def run_once(root, python, corpus, state, args, extra_env=None):
    extra_env = extra_env or {}
    with tempfile.TemporaryDirectory(prefix="lintas-import-rate-") as scratch:
        copy = Path(scratch) / "state"
        shutil.copytree(state, copy, symlinks=True)
        env = {**os.environ, **extra_env, "LINTAS_STATE_DIR": str(copy), "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
               "DJANGO_DEBUG": "0", "SEARCH_INDEX_ALIAS": os.environ.get("SEARCH_INDEX_ALIAS", "lintas-bench-import-rate"),
               "LOG_LEVEL": "WARNING"}
        command = [python, str(Path(__file__).resolve()), "--child", "--root", str(root), corpus,
                   "--batch-size", str(args.batch_size), "--user", args.user or ""]
        if args.profile:
            command += ["--profile", f"{args.profile}.{Path(root).name}"]
        out = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"import failed in {root}:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])


def python_of(root):
    own = Path(root) / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def summary(label, runs):
    def med(key):
        return statistics.median(r[key] for r in runs)

    rates = sorted(r["docs_per_s"] for r in runs)
    together = runs[0].get("together")
    workers = runs[0].get("parsed_in_workers") or 0
    print(f"{label}: {runs[0]['imported']} imported, {runs[0]['failed']} failed per run"
          + (f" ({together} new documents created together)" if together is not None else "") + "; "
          f"docs/s median {med('docs_per_s'):.1f} (min {rates[0]:.1f}, max {rates[-1]:.1f}); "
          f"CPU {med('cpu_ms_per_doc'):.1f} ms/doc"
          + (f" + {statistics.median(r.get('worker_cpu_ms_per_doc', 0) for r in runs):.1f} ms/doc in parse workers "
             f"({workers} files parsed there)" if workers else "")
          + f"; {med('queries_per_doc'):.1f} SQL queries/doc")
    for failure in runs[0]["failures"]:
        print("  failed:", failure)
    return med("docs_per_s"), med("cpu_ms_per_doc"), med("queries_per_doc")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--state", help="state directory to copy for each run (not modified)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", help="another checkout (e.g. /work/main) to run side by side")
    parser.add_argument("--compare-env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment variable for the compare side only (repeatable)")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--user", default="admin", help="import as this user (permission checks); '' for none")
    parser.add_argument("--profile", help="write a cProfile of each run to PROFILE.<checkout name>")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    if not args.state:
        parser.error("--state is required")
    sides = [("this checkout", ROOT)] + ([(f"compare ({args.compare})", Path(args.compare).resolve())] if args.compare else [])
    compare_env = dict(item.split("=", 1) for item in args.compare_env)
    if compare_env and not args.compare:
        parser.error("--compare-env needs --compare")
    if compare_env:
        sides[1] = (f"{sides[1][0]} with {' '.join(args.compare_env)}", sides[1][1])
    results = {label: [] for label, _ in sides}
    for number in range(args.runs):
        for side, (label, root) in enumerate(sides):  # alternating, so both see the same load
            result = run_once(root, python_of(root), args.corpus, args.state, args, compare_env if side else None)
            results[label].append(result)
            print(f"  run {number + 1} {label}: {result['docs_per_s']:.1f} docs/s, "
                  f"{result['cpu_ms_per_doc']:.1f} CPU ms/doc (+{result.get('worker_cpu_ms_per_doc', 0):.1f} in workers, "
                  f"{result.get('parse_wait_s', 0):.1f} s waited for them), "
                  f"{result['queries_per_doc']:.1f} queries/doc",
                  file=sys.stderr)
    medians = {label: summary(label, runs) for label, runs in results.items()}
    if args.compare:
        (_, ours), (_, theirs) = medians.items()
        print(f"ratio this/compare: docs/s x{ours[0] / theirs[0]:.2f}, CPU per doc x{ours[1] / theirs[1]:.2f}, "
              f"queries per doc x{ours[2] / theirs[2]:.2f}")


if __name__ == "__main__":
    main()
