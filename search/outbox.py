"""Enqueue and drain index updates. The worker loop and the tests call the same drain()."""
import logging
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .indexing import write
from .models import PendingIndexUpdate

logger = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 5  # short: after an outage the index catches up within seconds


def enqueue(page_ids, action=PendingIndexUpdate.INDEX):
    PendingIndexUpdate.objects.bulk_create(PendingIndexUpdate(page_id=i, action=action) for i in page_ids)


def backoff(attempts):
    return min(0.5 * 2 ** attempts, MAX_BACKOFF_SECONDS)


def drain(batch_size=500):
    """Apply due updates in one bulk request. Returns how many rows were applied; on failure
    the rows stay queued with a later next_attempt_at."""
    now = timezone.now()
    rows = list(PendingIndexUpdate.objects.filter(next_attempt_at__lte=now)[:batch_size])
    if not rows:
        return 0
    latest = {}
    for row in rows:  # the last word about a page wins
        latest[row.page_id] = row.action
    to_index = [i for i, action in latest.items() if action == PendingIndexUpdate.INDEX]
    to_delete = [i for i, action in latest.items() if action == PendingIndexUpdate.DELETE]
    try:
        write(to_index, to_delete)
    except Exception as error:  # connection refused, timeouts, cluster errors: all retried
        attempts = max(row.attempts for row in rows) + 1
        delay = backoff(attempts)
        PendingIndexUpdate.objects.filter(id__in=[r.id for r in rows]).update(
            attempts=attempts, next_attempt_at=now + timedelta(seconds=delay), last_error=str(error)[:2000])
        logger.warning("Index update failed (attempt %s), retrying in %.1fs: %s", attempts, delay, error)
        return 0
    PendingIndexUpdate.objects.filter(id__in=[r.id for r in rows]).delete()
    return len(rows)


def pending_count():
    return PendingIndexUpdate.objects.count()


def run_worker(poll_seconds=0.25, stop=lambda: False, report=lambda n: None):
    """Drain forever (or until stop() is true)."""
    while not stop():
        try:
            applied = drain()
        except Exception:  # the database itself hiccuped; keep the worker alive
            logger.exception("Index worker error")
            applied = 0
        if applied:
            report(applied)
        else:
            time.sleep(poll_seconds)


def enqueue_on_change(page_ids, action=PendingIndexUpdate.INDEX):
    """Queue inside the caller's transaction: a rollback drops the queue row too."""
    with transaction.atomic():
        enqueue(page_ids, action)
