from django.db import models
from django.utils import timezone


class PendingIndexUpdate(models.Model):
    """Outbox row: 'page N changed, bring the index in step'. Written in the same transaction
    as the change itself, so a rollback leaves nothing to index and a crash loses nothing.

    A worker claims rows (claimed_by / claimed_until, a lease a crashed worker loses) before
    applying them. `attempts` counts every failed try and paces retries; `failures` counts
    only failures of this page's own document (build error, refused by Elasticsearch), so
    an outage never turns rows into dead letters. At the limit the row is kept as a dead
    letter (dead_at set) for an administrator to see and retry."""

    INDEX, DELETE = "index", "delete"
    page_id = models.PositiveIntegerField(db_index=True)
    action = models.CharField(max_length=10, choices=[(INDEX, INDEX), (DELETE, DELETE)])
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)
    dead_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.action} page {self.page_id}"
