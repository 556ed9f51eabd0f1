from django.db import models
from django.utils import timezone


class PendingIndexUpdate(models.Model):
    """Outbox row: 'page N changed, bring the index in step'. Written in the same transaction
    as the change itself, so a rollback leaves nothing to index and a crash loses nothing."""

    INDEX, DELETE = "index", "delete"
    page_id = models.PositiveIntegerField(db_index=True)
    action = models.CharField(max_length=10, choices=[(INDEX, INDEX), (DELETE, DELETE)])
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.action} page {self.page_id}"
