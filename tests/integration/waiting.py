"""Waiting for the index worker to bring about a condition, without fixed pauses.

The outbox writes to Elasticsearch with refresh, so whatever a drain applied is searchable
when it returns; the only thing worth waiting for between two drains is the next row
falling due (a row backing off after a failure, or a lease running out)."""
import time

from django.db.models import F, Min
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from search import outbox
from search.models import PendingIndexUpdate


def seconds_until_next_due():
    """Until the earliest live outbox row may be claimed (its back-off over and any lease
    on it run out); None when no live row is left."""
    moment = Greatest(F("next_attempt_at"), Coalesce(F("claimed_until"), F("next_attempt_at")))
    first = PendingIndexUpdate.objects.filter(dead_at__isnull=True).aggregate(first=Min(moment))["first"]
    return None if first is None else max(0.0, (first - timezone.now()).total_seconds())


def drain_until(condition, timeout, what="the condition"):
    """Drain the outbox as a worker would until condition() holds; returns the seconds it
    took. Fails when the deadline passes, or at once when no row is left that could still
    change anything."""
    began = time.monotonic()
    deadline = began + timeout
    while True:
        outbox.drain()
        if condition():
            return time.monotonic() - began
        wait = seconds_until_next_due()
        left = deadline - time.monotonic()
        if wait is None:
            raise AssertionError(f"{what} does not hold and the outbox is empty")
        if left <= 0:
            raise AssertionError(f"{what} did not hold within {timeout} s")
        time.sleep(min(wait, left))
