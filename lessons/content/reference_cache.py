"""Process-wide cache of the reference data every search and page reads but editors rarely
change: stages, obstacles, provisions, Kanwil and glossary terms. Without it each search
read them all again (about eight SQL queries before the search itself).

Freshness:
- a save or delete of any of these models (admin snippets, load_demo, imports) clears the
  cache of the process that made it at once (signals below);
- other processes (the other gunicorn workers, the index worker) re-read after at most
  REFERENCE_CACHE_SECONDS;
- inside a database transaction the cache is bypassed: data read there may still be rolled
  back, and must not outlive it in the cache.
Cached values are lists of model instances, so labels stay in the reader's language."""
import threading
import time

from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save

from .taxonomy import GlossaryTerm, Kanwil, LegalProvision, Obstacle, Stage

_lock = threading.Lock()
_store = {}  # name -> (expires at, value)
LOADERS = {
    "stages": lambda: list(Stage.objects.order_by("order", "code")),
    "obstacles": lambda: list(Obstacle.objects.all()),
    "provisions": lambda: list(LegalProvision.objects.order_by("id")),
    "kanwil": lambda: list(Kanwil.objects.order_by("name")),
    "glossary": lambda: list(GlossaryTerm.objects.all()),
}


def _in_transaction():
    return connection.in_atomic_block


def get(name):
    ttl = settings.REFERENCE_CACHE_SECONDS
    if ttl <= 0 or _in_transaction():
        return LOADERS[name]()
    now = time.monotonic()
    entry = _store.get(name)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = LOADERS[name]()
    with _lock:
        _store[name] = (now + ttl, value)
    return value


def codes(name):
    return {item.code for item in get(name)}


def clear(**kwargs):
    with _lock:
        _store.clear()


for _model in (Stage, Obstacle, LegalProvision, Kanwil, GlossaryTerm):
    post_save.connect(clear, sender=_model, dispatch_uid=f"reference-cache-save-{_model.__name__}")
    post_delete.connect(clear, sender=_model, dispatch_uid=f"reference-cache-delete-{_model.__name__}")
