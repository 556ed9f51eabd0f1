"""Keeping the index in step with the database, the last step of "page published ->
document built (building.py) -> index updated": bulk writes with a result per page,
versioned rebuild with an alias swap, and status. Reconcile, which repairs drift with
these same writers, is in reconcile.py.

Rules every writer here follows:
- One page never fails its neighbours: each document is built on its own, and a bulk
  request's errors are mapped back to the page they belong to.
- Fail closed: when a page's current document cannot be built or is refused, its old
  document is deleted from the index. The old one may carry access tokens (or text) that
  no longer hold, and a page missing from search is better than one shown to the wrong
  readers. The page stays queued (and becomes a dead letter) until it can be indexed.
- Every document carries `source_hash` (what it was built from) and `build_version` (the
  document-building code and analysis data it was built with); reconcile compares them.
"""
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from elasticsearch import NotFoundError
from elasticsearch.helpers import bulk

from lessons.access import rules as access

from .building import build_documents, build_version, indexable_ids, load_pages, save_plain_texts
from .client import get_client
from .documents import alias_name, index_body_settings, mapping
from .models import PendingIndexUpdate
from .rebuild_workers import built_batches, usable_processes

if TYPE_CHECKING:  # reconcile.py imports this module; at run time rebuild() imports it late
    from .reconcile import ReconcileReport

logger = logging.getLogger(__name__)
BATCH_SIZE = 200
# Bulk requests are split by size as well as by count: a batch of pages with long
# attachments (up to 200,000 characters each, stored twice) must not become one huge request.
BULK_MAX_BYTES = 8 * 1024 * 1024
TRANSIENT_STATUSES = {429, 500, 502, 503, 504}  # the node is busy or away: retry, not the page's fault


@dataclass
class WriteResult:
    indexed: set = field(default_factory=set)
    deleted: set = field(default_factory=set)
    failed: dict = field(default_factory=dict)  # page id -> error: the page's own document is at fault
    transient: dict = field(default_factory=dict)  # page id -> error: the cluster was busy; retry as is


def _bulk(index, documents, delete_ids, refresh=True):
    """Bulk requests (split at BULK_MAX_BYTES); returns {page id: (status, error)} for the
    operations that failed. Connection problems raise: the caller retries everything later.
    `refresh`: editors expect to find what they just published at once (writes are few); a
    rebuild filling an index no one searches yet refreshes once at the end instead."""
    actions = [{"_op_type": "index", "_index": index, "_id": str(i), "_source": d} for i, d in documents.items()]
    actions += [{"_op_type": "delete", "_index": index, "_id": str(i)} for i in delete_ids]
    if not actions:
        return {}
    _, errors = bulk(get_client(), actions, raise_on_error=False, refresh=refresh, chunk_size=len(actions),
                     max_chunk_bytes=BULK_MAX_BYTES)
    problems = {}
    for item in errors:
        op, info = next(iter(item.items()))
        if op == "delete" and info.get("status") == 404:
            continue  # already gone
        problems[int(info["_id"])] = (info.get("status"), json.dumps(info.get("error"), ensure_ascii=False)[:2000])
    return problems


def apply(index, documents, delete_ids, build_failures=None, fail_closed=True, refresh=True):
    """Write built documents and deletions to `index`, one result per page. Pages whose
    document could not be built or was refused are deleted from the index (fail closed)."""
    result = WriteResult(failed=dict(build_failures or {}))
    problems = _bulk(index, documents, set(delete_ids) | (set(result.failed) if fail_closed else set()), refresh)
    refused = {}
    for page_id, (status, error) in problems.items():
        if status in TRANSIENT_STATUSES:
            result.transient[page_id] = error
        elif page_id in documents:
            refused[page_id] = error
        else:
            result.transient[page_id] = error  # a delete refused for another reason: try again
    if refused and fail_closed:
        for page_id, (status, error) in _bulk(index, {}, refused).items():
            result.transient[page_id] = error  # not removed yet: must be retried, never forgotten
    result.failed.update(refused)
    result.indexed = set(documents) - set(problems)
    result.deleted = set(delete_ids) - set(problems)
    return result


def write(page_ids_to_index, page_ids_to_delete, index=None):
    """Apply index updates in bulk; returns a WriteResult (per page). Raises on connection
    problems so the caller can retry later."""
    if index is None:
        ensure_index()  # writing to a missing alias would create a stray, unmapped index
    index = index or alias_name()
    page_ids_to_index = list(page_ids_to_index)
    pages, failed = load_pages(page_ids_to_index) if page_ids_to_index else ([], {})
    documents, build_failed = build_documents(pages, list(access.group_restrictions()), build_version())
    failed.update(build_failed)
    # A page that is no longer live (or no longer a document) must leave the index.
    gone = set(page_ids_to_index) - {p.id for p in pages} - set(failed)
    return apply(index, documents, set(page_ids_to_delete) | gone, failed)


# --- Versioned indexes behind the alias --------------------------------------------------

def new_index_name():
    return f"{alias_name()}-{timezone.now():%Y%m%d%H%M%S%f}"


def _own_index(name):
    """Indexes this alias's rebuilds create: '<alias>-<20 digits>' (not another alias's)."""
    return re.fullmatch(re.escape(alias_name()) + r"-\d{20}", name) is not None


# While a rebuild fills a new index no one searches yet, Elasticsearch need not make
# segments searchable every second; the index's own settings come back before the swap.
FILL_SETTINGS = {"refresh_interval": "-1"}


def create_index(name, filling=False):
    client = get_client()
    mappings = mapping()
    mappings["_meta"] = {"build_version": build_version(), "created_at": timezone.now().isoformat()}
    body = index_body_settings()
    client.indices.create(index=name, settings={**body, **FILL_SETTINGS} if filling else body, mappings=mappings)
    return name


def finish_filling(name):
    """Give a filled index back the settings FILL_SETTINGS overrode, then refresh it."""
    client = get_client()
    body = index_body_settings()
    client.indices.put_settings(index=name, settings={key: body.get(key) for key in FILL_SETTINGS})
    client.indices.refresh(index=name)


def ensure_index():
    """Create the first versioned index behind the alias if there is none yet."""
    client = get_client()
    if not client.indices.exists_alias(name=alias_name()):
        name = create_index(new_index_name())
        client.indices.put_alias(index=name, name=alias_name())


def live_indices():
    client = get_client()
    try:
        return sorted(client.indices.get_alias(name=alias_name()).keys())
    except NotFoundError:
        return []


def _own_indices():
    """{name: (is live, retired_at or None)} for every index of this alias."""
    client = get_client()
    found = client.indices.get(index=f"{alias_name()}-*", expand_wildcards="open", features="aliases,mappings")
    result = {}
    for name, info in found.items():
        if not _own_index(name):
            continue
        retired = ((info.get("mappings") or {}).get("_meta") or {}).get("retired_at")
        result[name] = (alias_name() in (info.get("aliases") or {}),
                        datetime.fromisoformat(retired) if retired else None)
    return result


def _retire(client, names):
    """Mark indexes just taken out of the alias; they are deleted after the grace period."""
    now = timezone.now().isoformat()
    for name in names:
        meta = (client.indices.get_mapping(index=name)[name]["mappings"].get("_meta") or {})
        client.indices.put_mapping(index=name, meta={**meta, "retired_at": now})


def prune_retired(keep_only_newest=False, now=None):
    """Delete retired indexes whose grace period has passed. A rebuild also passes
    keep_only_newest, right after its swap: indexes retired before the one it just replaced
    have been out of the alias for a whole rebuild already. Never touches an index the alias points to, nor an
    index that was never retired (another rebuild may be filling it)."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.SEARCH_OLD_INDEX_GRACE_SECONDS)
    retired = sorted(((at, name) for name, (live, at) in _own_indices().items() if at and not live), reverse=True)
    doomed = [name for i, (at, name) in enumerate(retired) if now - at >= grace or (keep_only_newest and i > 0)]
    if doomed:
        live = set(live_indices())  # checked again right before deleting
        doomed = [name for name in doomed if name not in live]
        if doomed:
            get_client().indices.delete(index=",".join(doomed), ignore_unavailable=True)
    return doomed


@dataclass
class RebuildReport:
    name: str
    indexed: int = 0
    skipped: dict = field(default_factory=dict)  # page id -> error
    reconcile: "ReconcileReport" = None
    pruned: list = field(default_factory=list)
    kept: list = field(default_factory=list)  # the previous index, kept for its grace period
    processes: int = 1  # worker processes that built the documents (1: this process)


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _apply_with_retries(index, documents, deletes, failed, fail_closed, tries=3, refresh=True):
    """apply() with a few retries of the pages the cluster was too busy to take."""
    result = apply(index, documents, deletes, failed, fail_closed, refresh)
    for attempt in range(1, tries):
        if not result.transient:
            break
        time.sleep(0.5 * attempt)
        retry = {i: documents[i] for i in result.transient if i in documents}
        again = apply(index, retry, set(result.transient) - set(retry), {}, fail_closed, refresh)
        result.indexed |= again.indexed
        result.deleted |= again.deleted
        result.failed.update(again.failed)
        result.transient = again.transient
    if result.transient:
        raise RuntimeError(f"{len(result.transient)} index operations kept failing; first: "
                           f"{next(iter(result.transient.values()))}")
    return result


def _fill(report, ids, restrictions, version, progress, batch_size, processes):
    """Build and write every page into report.name. Building is Python's work and indexing
    Elasticsearch's: one batch is written (in a thread, waiting on the node) while the next
    is built, here or in `processes` worker processes (rebuild_workers). Progress counts
    written batches, and nothing is left in flight when this returns or raises."""
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild-bulk")
    in_flight = None
    done = 0

    def settle(future, size):
        nonlocal done
        result = future.result()
        report.skipped.update(result.failed)
        report.indexed += len(result.indexed)
        done += size
        progress(done, len(ids))

    report.processes = usable_processes(processes, -(-len(ids) // batch_size))
    try:
        with closing(built_batches(ids, restrictions, version, batch_size, report.processes)) as batches:
            for size, documents, failed, stale_texts in batches:
                if stale_texts:
                    save_plain_texts(stale_texts)
                if in_flight:
                    settle(*in_flight)
                in_flight = None
                future = writer.submit(_apply_with_retries, report.name, documents, set(), failed,
                                       fail_closed=False, refresh=False)  # refreshed once, before the swap
                in_flight = (future, size)
                del documents
            if in_flight:
                settle(*in_flight)
    finally:
        writer.shutdown(wait=True)


def rebuild(progress=lambda done, total: None, batch_size=BATCH_SIZE, processes=None):
    """Index everything into a new versioned index and swap the alias atomically. Pages whose
    document fails are skipped and reported (and queued, so they show up as dead letters).
    A failed rebuild deletes its new index. The replaced index is kept for a grace period
    (searches may still be running on it); then reconcile_since() picks up what changed
    while the rebuild ran. Documents are built in `processes` worker processes
    (SEARCH_REBUILD_PROCESSES by default; 1 builds them in this process)."""
    processes = settings.SEARCH_REBUILD_PROCESSES if processes is None else processes
    client = get_client()
    # Taken before anything is read: whatever changes after it is looked at again at the end.
    started = timezone.now()
    from .reconcile import _restriction_state, reconcile_since  # here: reconcile.py imports this module
    report = RebuildReport(name=create_index(new_index_name(), filling=True))
    try:
        ids = indexable_ids()
        restrictions = list(access.group_restrictions())
        restricted = _restriction_state(restrictions)
        version = build_version()
        progress(0, len(ids))
        _fill(report, ids, restrictions, version, progress, batch_size, processes)
        finish_filling(report.name)
        old = live_indices()
        swap = [{"add": {"index": report.name, "alias": alias_name()}}]
        swap += [{"remove": {"index": o, "alias": alias_name()}} for o in old]
        client.indices.update_aliases(actions=swap)
    except BaseException:
        # No orphan: the half-built index goes; the alias still points at the old one.
        try:
            client.indices.delete(index=report.name, ignore_unavailable=True)
        except Exception:  # noqa: BLE001 - report the original failure, not the clean-up's
            logger.exception("Could not delete the unfinished index %s", report.name)
        raise
    _retire(client, old)
    report.kept = old
    # Indexes retired by earlier rebuilds have been out of the alias for a whole rebuild:
    # no search can still be using them. The one just replaced waits for its grace period.
    report.pruned = prune_retired(keep_only_newest=True)
    _set_aside(report.skipped)
    report.reconcile = reconcile_since(started, old, restricted)
    return report


def _set_aside(failures):
    """Queue pages whose document failed outside the worker (rebuild, reconcile), so they
    are retried and, if they keep failing, listed as dead letters. Pages already queued
    (or already dead letters) are left as they are."""
    queued = set(PendingIndexUpdate.objects.filter(page_id__in=list(failures)).values_list("page_id", flat=True))
    PendingIndexUpdate.objects.bulk_create(
        PendingIndexUpdate(page_id=i, action=PendingIndexUpdate.INDEX, last_error=failures[i])
        for i in sorted(set(failures) - queued))


# --- Status ------------------------------------------------------------------------------

def status():
    """What `search_index status` prints: the alias and its indexes, document counts, and
    which build versions the live documents carry."""
    client = get_client()
    current = build_version()
    state = {"alias": alias_name(), "indices": live_indices(), "documents_in_index": 0, "build_versions": {},
             "build_version": current, "retired": [], "orphans": [],
             "documents_in_database": len(indexable_ids())}
    if state["indices"]:
        response = client.search(index=alias_name(), size=0, track_total_hits=True, aggs={
            "versions": {"terms": {"field": "build_version", "size": 20, "missing": "(none)"}}})
        state["documents_in_index"] = response["hits"]["total"]["value"]
        state["build_versions"] = {b["key"]: b["doc_count"] for b in response["aggregations"]["versions"]["buckets"]}
    for name, (live, retired_at) in sorted(_own_indices().items()):
        if not live:
            state["retired" if retired_at else "orphans"].append((name, retired_at))
    other = sum(count for version, count in state["build_versions"].items() if version != current)
    state["documents_built_by_other_code"] = other
    return state
