"""Building a rebuild's documents in worker processes.

Building is CPU-bound Python (code normalisation, stemming, model instances), so one
process uses one core however many the machine has. Worker processes, forked from the
rebuilding process, each load their own chunk of page ids from the database and build its
documents; they hand back the documents, the pages that failed and the plain-text backfill.
The rebuilding process alone writes: to the database (the backfill) and to Elasticsearch.

Memory stays bounded: at most `processes + 1` chunks are in flight, and results are taken
in order as they come. A failing page is reported like in a single process; an exception
that escapes a worker (or a worker that dies) fails the rebuild rather than hanging it."""
import logging
import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor

from django.db import connections

from .building import build_batch, load_pages

logger = logging.getLogger(__name__)


def usable_processes(asked, chunks):
    """How many worker processes a rebuild of `chunks` chunks gets: at most one per chunk,
    and 1 (build in this process) where forking is not possible or would not see the data."""
    asked = min(asked, chunks)
    return asked if asked > 1 and can_fork() else 1


def can_fork():
    """Worker processes are forked (they inherit the loaded code and the restrictions) and
    read what is committed. Inside a transaction they would not see its writes: the
    documents are then built in this process."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    return not any(conn.in_atomic_block for conn in connections.all(initialized_only=True))


def built_batches(ids, restrictions, version, batch_size, processes):
    """Yield (chunk size, {id: document}, {id: error}, stale plain texts) per chunk of ids,
    in order, built in `processes` worker processes (see usable_processes), or here if 1."""
    chunks = [ids[start:start + batch_size] for start in range(0, len(ids), batch_size)]
    if processes <= 1:
        for chunk in chunks:
            yield (len(chunk), *_build_chunk(chunk, restrictions, version))
        return
    yield from _in_processes(chunks, restrictions, version, processes)


def _in_processes(chunks, restrictions, version, processes):
    # A forked child must not share this process's database connections (sockets, file
    # handles): closed here, each side opens its own. Django keeps an in-memory SQLite
    # database open (close is a no-op): children then read their copy of it.
    connections.close_all()
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(restrictions, version))
    pending = deque()
    try:
        for chunk in chunks:
            pending.append((len(chunk), pool.submit(_build_in_worker, chunk)))
            if len(pending) > processes:
                size, future = pending.popleft()
                yield (size, *future.result())
        while pending:
            size, future = pending.popleft()
            yield (size, *future.result())
    finally:
        # On failure (a worker's exception, a dead worker, the caller giving up) the chunks
        # not started yet are dropped; shutdown waits only for those already running.
        pool.shutdown(wait=True, cancel_futures=True)


_worker = {}


def _start_worker(restrictions, version):
    _worker.update(restrictions=restrictions, version=version)


def _build_in_worker(chunk):
    try:
        return _build_chunk(chunk, _worker["restrictions"], _worker["version"])
    finally:
        # Workers end with os._exit: a connection left open would be dropped without a goodbye.
        connections.close_all()


def _build_chunk(chunk, restrictions, version):
    """({id: document}, {id: error} for pages that failed to load or build, stale texts)."""
    pages, failed = load_pages(chunk)
    documents, build_failed, stale = build_batch(pages, restrictions, version, collect_plain_texts=True)
    failed.update(build_failed)
    return documents, failed, stale
