"""Enqueue and drain index updates. The worker loop and the tests call the same drain().

A drain claims due rows (so several workers share the queue without doing the same row
twice), applies them in one bulk request, and settles each page on its own:
- applied: its rows are deleted;
- its own document failed (cannot be built, refused): the page's newest row keeps an error,
  a failure count and an exponential back-off, and becomes a dead letter at the limit;
- the cluster was away or busy: the rows are retried soon, and the failure does not count
  towards dead letters (an outage must not bury the whole queue).
"""
import contextvars
import logging
import os
import socket
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from . import indexing
from .models import PendingIndexUpdate

logger = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 5  # outages: short, so after one the index catches up within seconds
HOUSEKEEPING_SECONDS = 60  # how often an idle worker deletes old indexes past their grace


def enqueue(page_ids, action=PendingIndexUpdate.INDEX):
    PendingIndexUpdate.objects.bulk_create(PendingIndexUpdate(page_id=i, action=action) for i in page_ids)


# Inside batched(): the enqueue_on_change calls held back, as [action, page ids] in call order.
_held = contextvars.ContextVar("outbox_held", default=None)


@contextmanager
def batched():
    """Hold back the enqueue_on_change calls made inside (e.g. page_published sent for each page
    a bulk import publishes) and make them on leaving, consecutive calls for the same action
    as one: one statement for the batch instead of one per page, the same rows, in the same
    order, as coalescing (below) makes one row of a page queued twice either way. Nothing is
    written when the block raises (its transaction is rolling back anyway)."""
    held = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    for action, page_ids in held:
        enqueue_on_change(page_ids, action)


def enqueue_on_change(page_ids, action=PendingIndexUpdate.INDEX):
    """Queue inside the caller's transaction: a rollback drops the queue row too.

    One change fires several signals (a publication with a view restriction: the page,
    the restriction, each of its groups), so the same page is often queued again in the
    same transaction. A page whose newest row is still the one this transaction wrote, for
    the same action and not yet claimed, is not queued twice: that row is invisible to the
    workers until the commit, so it will be applied after the whole change."""
    held = _held.get()
    if held is not None:
        if held and held[-1][0] == action:
            held[-1][1].extend(page_ids)
        else:
            held.append([action, list(page_ids)])
        return
    page_ids = _not_yet_queued(list(dict.fromkeys(page_ids)), action)
    if not page_ids:
        return
    with transaction.atomic():
        rows = PendingIndexUpdate.objects.bulk_create(PendingIndexUpdate(page_id=i, action=action) for i in page_ids)
        if all(row.id for row in rows):  # the database told the new ids (PostgreSQL, SQLite >= 3.35)
            transaction.on_commit(_Queued({row.page_id: (row.id, action) for row in rows}))


class _Queued:
    """An on_commit marker holding the rows enqueue_on_change wrote: page -> (row id, action).
    Django drops it with the transaction, or with the savepoint it was written in, when they
    roll back, so what it lists is exactly what this transaction still holds."""

    def __init__(self, rows):
        self.rows = rows

    def __call__(self):  # committed: nothing left to do
        pass


def _not_yet_queued(page_ids, action):
    connection = transaction.get_connection()
    if not connection.in_atomic_block or not page_ids:
        return page_ids
    written = {}  # the latest surviving row per page, in the order the markers were added
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Queued):
            written.update(callback.rows)
    mine = {p: written[p][0] for p in page_ids if p in written and written[p][1] == action}
    if not mine:
        return page_ids
    # The row must still be the page's newest and untouched (a drain in the same transaction,
    # as tests do, or a plain delete may have taken it since).
    newest = {}
    for row_id, page_id, claimed_until, dead_at in (PendingIndexUpdate.objects.filter(page_id__in=list(mine))
                                                      .order_by("id").values_list("id", "page_id", "claimed_until", "dead_at")):
        newest[page_id] = (row_id, claimed_until is None and dead_at is None)
    return [p for p in page_ids if p not in mine or newest.get(p) != (mine[p], True)]


def backoff(attempts):
    """Delay after an outage (not the page's fault)."""
    return min(0.5 * 2 ** attempts, MAX_BACKOFF_SECONDS)


def failure_backoff(failures):
    """Delay after the page's own document failed."""
    return min(settings.SEARCH_INDEX_RETRY_SECONDS * 2 ** max(failures - 1, 0), settings.SEARCH_INDEX_RETRY_MAX_SECONDS)


def new_worker_id():
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


def _due(now):
    return (PendingIndexUpdate.objects.filter(dead_at__isnull=True, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)))


def claim(worker, batch_size, now=None):
    """Claim up to batch_size due rows for `worker` and return them.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so concurrent claimers take different
    rows, then a lease (claimed_by / claimed_until) marks them for after the commit. SQLite
    ignores FOR UPDATE, but the settings open every transaction with BEGIN IMMEDIATE, so
    claims are serialised by the database's write lock. Pages another worker holds are not
    taken, and all due rows of a taken page go to the same worker, so one page's writes
    never race each other. A crashed worker's lease runs out and its rows are claimed again.
    """
    now = now or timezone.now()
    until = now + timedelta(seconds=settings.SEARCH_WORKER_LEASE_SECONDS)
    with transaction.atomic():
        busy = PendingIndexUpdate.objects.filter(claimed_until__gt=now).values("page_id")
        rows = list(_due(now).exclude(page_id__in=busy).order_by("id").select_for_update(skip_locked=True)[:batch_size])
        if not rows:
            return []
        pages = {r.page_id for r in rows}
        rows += list(_due(now).filter(page_id__in=pages).exclude(id__in=[r.id for r in rows])
                     .select_for_update(skip_locked=True))
        PendingIndexUpdate.objects.filter(id__in=[r.id for r in rows]).update(claimed_by=worker, claimed_until=until)
    return sorted(rows, key=lambda r: r.id)


def _settle(function, tries=20):
    """Record a drain's outcome, riding out a briefly locked database: once documents are
    written, losing their rows' outcome would mean applying them again after the lease."""
    for attempt in range(tries):
        try:
            with transaction.atomic():
                return function()
        except OperationalError:
            if attempt == tries - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def drain(batch_size=500, worker=None, applied=None):
    """Claim and apply due updates in one bulk request. Returns how many rows were applied;
    `applied` (a list), if given, receives their ids."""
    worker = worker or new_worker_id()
    rows = claim(worker, batch_size)
    if not rows:
        return 0
    by_page = {}
    for row in rows:  # the last word about a page wins
        by_page.setdefault(row.page_id, []).append(row)
    to_index = [p for p, page_rows in by_page.items() if page_rows[-1].action == PendingIndexUpdate.INDEX]
    to_delete = [p for p, page_rows in by_page.items() if page_rows[-1].action == PendingIndexUpdate.DELETE]
    now = timezone.now()
    try:
        result = indexing.write(to_index, to_delete)
    except Exception as error:  # connection refused, timeouts, cluster errors: the cluster's fault
        _settle(lambda: _retry_later(worker, rows, str(error), now))
        logger.warning("Index update failed (%s rows), retrying shortly: %s", len(rows), error)
        return 0
    done = [r for p, page_rows in by_page.items() if p not in result.failed and p not in result.transient
            for r in page_rows]
    busy = [r for p, page_rows in by_page.items() if p in result.transient for r in page_rows]
    failed = {p: page_rows for p, page_rows in by_page.items() if p in result.failed and p not in result.transient}

    def settle():
        _finish(worker, done)
        if busy:
            _retry_later(worker, busy, "; ".join(sorted(set(result.transient.values())))[:2000], now)
        for page_id, page_rows in failed.items():
            _set_aside(worker, page_rows, result.failed[page_id], now)

    _settle(settle)
    if failed:
        logger.warning("Search documents of pages %s failed; set aside", sorted(failed))
    if applied is not None:
        applied.extend(r.id for r in done)
    return len(done)


def _finish(worker, rows):
    """Applied: delete the rows, and dead letters of the same pages they supersede."""
    if not rows:
        return
    PendingIndexUpdate.objects.filter(id__in=[r.id for r in rows], claimed_by=worker).delete()
    newest = {}
    for row in rows:
        newest[row.page_id] = max(newest.get(row.page_id, 0), row.id)
    superseded = [row_id for row_id, page_id in dead_letters().filter(page_id__in=list(newest)).values_list(
        "id", "page_id") if row_id < newest[page_id]]
    if superseded:
        PendingIndexUpdate.objects.filter(id__in=superseded).delete()


def _retry_later(worker, rows, error, now):
    """The cluster's fault: try again soon; attempts pace the retries, failures stay."""
    attempts = max(r.attempts for r in rows) + 1
    PendingIndexUpdate.objects.filter(id__in=[r.id for r in rows], claimed_by=worker).update(
        attempts=F("attempts") + 1, next_attempt_at=now + timedelta(seconds=backoff(attempts)),
        last_error=error[:2000], claimed_by="", claimed_until=None)


def _set_aside(worker, rows, error, now):
    """The page's own document failed: keep one row for it with its own count and back-off;
    at the limit it becomes a dead letter. (Its old document was already removed from the
    index by indexing.apply: fail closed.)"""
    keep, older = rows[-1], rows[:-1]
    failures = max(r.failures for r in rows) + 1
    dead = failures >= settings.SEARCH_INDEX_MAX_ATTEMPTS
    PendingIndexUpdate.objects.filter(id__in=[r.id for r in older], claimed_by=worker).delete()
    PendingIndexUpdate.objects.filter(page_id=keep.page_id, id__lt=keep.id, dead_at__isnull=False).delete()
    PendingIndexUpdate.objects.filter(id=keep.id, claimed_by=worker).update(
        attempts=max(r.attempts for r in rows) + 1, failures=failures, last_error=error[:2000],
        next_attempt_at=now + timedelta(seconds=failure_backoff(failures)), dead_at=now if dead else None,
        claimed_by="", claimed_until=None)
    if dead:
        logger.error("Page %s is a dead letter of the search index after %s failures: %s", keep.page_id, failures, error)


# --- What administrators see -------------------------------------------------------------

def pending_count():
    return PendingIndexUpdate.objects.filter(dead_at__isnull=True).count()


def dead_letters():
    return PendingIndexUpdate.objects.filter(dead_at__isnull=False).order_by("-dead_at", "-id")


def stats(now=None):
    """Queue length, age of the oldest pending row (seconds) and dead letters: counts only,
    one cheap query (the health endpoint calls it)."""
    now = now or timezone.now()
    alive = Q(dead_at__isnull=True)
    row = PendingIndexUpdate.objects.aggregate(
        queue=Count("id", filter=alive), oldest=Min("created_at", filter=alive),
        dead=Count("id", filter=~alive))
    oldest = round((now - row["oldest"]).total_seconds(), 1) if row["oldest"] else 0
    return {"queue_length": row["queue"], "oldest_pending_seconds": oldest, "dead_letters": row["dead"]}


def retry(ids=None):
    """Give dead letters (all, or those ids) a fresh start. Returns how many."""
    rows = dead_letters() if ids is None else dead_letters().filter(id__in=ids)
    return rows.update(dead_at=None, failures=0, attempts=0, next_attempt_at=timezone.now(),
                       claimed_by="", claimed_until=None)


# --- The worker --------------------------------------------------------------------------

def run_worker(poll_seconds=0.25, stop=lambda: False, report=lambda n: None, worker=None):
    """Drain forever (or until stop() is true). When idle, now and then delete old indexes
    whose grace period after a rebuild has passed."""
    worker = worker or new_worker_id()
    last_housekeeping = 0.0
    while not stop():
        try:
            applied = drain(worker=worker)
        except Exception:  # the database itself hiccuped; keep the worker alive
            logger.exception("Index worker error")
            applied = 0
        if applied:
            report(applied)
            continue
        if time.monotonic() - last_housekeeping > HOUSEKEEPING_SECONDS:
            last_housekeeping = time.monotonic()
            try:
                indexing.prune_retired()
            except Exception as error:  # noqa: BLE001 - housekeeping must not stop the worker
                logger.warning("Could not delete old indexes: %s", error)
        time.sleep(poll_seconds)
