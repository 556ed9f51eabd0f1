"""Per-process cache of what the reader pages compute the same way for many readers and
that changes rarely: the list of Kanwil sections, every Kanwil by id (the roles on cards),
the case path's counts per set of access tokens, and each Kanwil page's lists of document
ids per set of paths hidden from the reader (portal.experience) (the same pattern as
lessons.content.reference_cache). The counts were half the home page's time (a search
request whose facets are built for every stage and obstacle); the Kanwil lists, at 100k
documents, most of the Kanwil page's.

Freshness:
- a publication, unpublication, move or deletion of a page, a change of view restrictions
  or of a Kanwil clears the cache of the process that made it at once (signals below);
- the counts come from the search index, which the index worker updates after a change:
  a count on the home page may lag the index by up to REFERENCE_CACHE_SECONDS (other
  processes, and this one after the worker indexed). Counts are cached per set of access
  tokens, so a reader only ever sees counts of documents their own groups may read;
- a Kanwil page's lists are keyed by the reader's hidden paths, read from the database on
  every request: a change of restrictions or groups, made in any process, changes the key
  at once. A document published, moved or unpublished in another process joins or leaves
  the lists within REFERENCE_CACHE_SECONDS; its card is fetched with the reader's
  visibility checked again, so a cached list never shows what the reader may not read;
- inside a database transaction the cache is bypassed (data read there may be rolled back)."""
import threading
import time

from django.conf import settings
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from lessons.content.taxonomy import Kanwil

_lock = threading.Lock()
_store = {}  # key -> (expires at, value)


def _in_transaction():
    return connection.in_atomic_block


def get(key, loader):
    """The cached value of `key`, or loader()'s (cached unless it returns None)."""
    ttl = settings.REFERENCE_CACHE_SECONDS
    if ttl <= 0 or _in_transaction():
        return loader()
    now = time.monotonic()
    entry = _store.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = loader()
    if value is not None:
        with _lock:
            # Keys per reader set come and go: expired entries go when a new one comes.
            for stale in [k for k, (expires, _value) in _store.items() if expires <= now]:
                del _store[stale]
            _store[key] = (now + ttl, value)
    return value


def clear(**kwargs):
    with _lock:
        _store.clear()


for _signal in (page_published, page_unpublished, post_page_move):
    _signal.connect(clear, dispatch_uid=f"portal-page-cache-{id(_signal)}")
post_delete.connect(clear, sender=Page, dispatch_uid="portal-page-cache-page-delete")
for _model in (PageViewRestriction, Kanwil):
    post_save.connect(clear, sender=_model, dispatch_uid=f"portal-page-cache-save-{_model.__name__}")
    post_delete.connect(clear, sender=_model, dispatch_uid=f"portal-page-cache-delete-{_model.__name__}")
m2m_changed.connect(clear, sender=PageViewRestriction.groups.through, dispatch_uid="portal-page-cache-groups")
