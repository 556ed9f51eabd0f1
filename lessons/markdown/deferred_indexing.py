"""Wagtail's per-save side work, done once per object at the end of a bulk-import batch.

Every save of a page normally runs two updates at once (django_tasks' immediate backend):
its entry in Wagtail's database search index (modelsearch; the fallback search when
Elasticsearch is away) and Wagtail's reference index. An import saves each page three times
(add_child, save_revision, publish), so a document cost six such updates, each re-reading
the page, and the SQLite search backend recomputes its title norms on every one of them.
Inside `deferred()` this thread skips them; `flush()` then updates each saved object once,
the search entries in one bulk write per model. The batch calls flush() inside its own
transaction, so both indexes still commit or roll back with the pages, as before.

The reference index has a supported switch (wagtail.signal_handlers.
disable_reference_index_auto_update, local to the thread). modelsearch has none: its post_save
receiver is replaced, once per process, by a guard that calls it unless the current thread is
deferring, so other threads (web requests, the index worker) are never affected. Which objects
were saved is recorded by one post_save receiver that does nothing outside a deferral.
"""
import logging
import threading
from contextlib import contextmanager

from asgiref.local import Local
from django.db.models.signals import post_save
from modelsearch import signal_handlers as modelsearch_signals
from modelsearch.backends import get_search_backends_with_name
from modelsearch.index import class_is_indexed, get_indexed_models
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.tasks import update_reference_index_task

logger = logging.getLogger(__name__)
_state = Local()  # .saved: {model: {pk, ...}} while this thread defers, as Wagtail's own switch
_install_lock = threading.Lock()
_guarded_models = None  # models whose modelsearch receiver the guard replaced


def _deferring():
    return getattr(_state, "saved", None) is not None


def _search_update_unless_deferred(sender, instance, **kwargs):
    if not _deferring():
        modelsearch_signals.post_save_signal_handler(sender=sender, instance=instance, **kwargs)


def _record_save(sender, instance, raw=False, **kwargs):
    if not raw:
        record(sender, instance.pk)


def record(model, pk, references_done=False):
    """Count an object written without a save signal (bulk writes) as saved; with
    `references_done`, its reference index entries were made already (from the object in
    memory, inside the same savepoint), so flush() updates only its search entry."""
    if _deferring() and (model in _guarded_models or model in ReferenceIndex.tracked_models):
        _state.saved.setdefault(model, set()).add(pk)
        if references_done:
            _state.references_done.add((model, pk))
        else:  # saved again since: its references are read again
            _state.references_done.discard((model, pk))


def _install():
    """Swap modelsearch's receivers for the guard (once; other threads keep indexing)."""
    global _guarded_models
    with _install_lock:
        if _guarded_models is not None:
            return
        guarded = set()
        for model in get_indexed_models():
            if not getattr(model, "search_auto_update", True):
                continue
            # Guard first, then the original off: a save in between is indexed twice, never missed.
            post_save.connect(_search_update_unless_deferred, sender=model, weak=False,
                              dispatch_uid="lintas-deferred-search-update")
            if post_save.disconnect(modelsearch_signals.post_save_signal_handler, sender=model):
                guarded.add(model)
            else:  # nothing to guard (not connected here): leave the model as it was
                post_save.disconnect(_search_update_unless_deferred, sender=model,
                                     dispatch_uid="lintas-deferred-search-update")
        post_save.connect(_record_save, weak=False, dispatch_uid="lintas-deferred-record-save")
        _guarded_models = frozenset(guarded)


@contextmanager
def deferred():
    """Skip this thread's per-save search and reference index updates; yields the record of
    saved objects to pass to flush(). Nested use shares the outer record (the outer flushes)."""
    if _deferring():
        yield _state.saved
        return
    _install()
    _state.saved, _state.references_done = {}, set()
    try:
        with disable_reference_index_auto_update():
            yield _state.saved
    finally:
        del _state.saved, _state.references_done


def flush(saved):
    """Update the search and reference indexes once for every object saved while deferring
    (and still there: a file rolled back to its savepoint left nothing to index)."""
    for model, pks in saved.items():
        if model in _guarded_models and class_is_indexed(model):
            _update_search(model, pks)
        if model in ReferenceIndex.tracked_models:
            for pk in sorted(pks):  # what the skipped signal handler would have run, once
                if (model, pk) in _state.references_done:
                    continue
                try:
                    update_reference_index_task.call(model._meta.app_label, model._meta.model_name, str(pk))
                except model.DoesNotExist:
                    pass
    saved.clear()
    _state.references_done.clear()


def _update_search(model, pks):
    by_model = {}
    for obj in model.get_indexed_objects().filter(pk__in=pks):
        indexed = obj.get_indexed_instance()
        if indexed is not None:
            by_model.setdefault(type(indexed), []).append(indexed)
    for name, backend in get_search_backends_with_name(with_auto_update=True):
        for indexed_model, objects in by_model.items():
            try:
                backend.add_bulk(indexed_model, objects)
            except Exception:
                # As modelsearch.index.insert_or_update_object: only a backend on an external
                # service may fail quietly; a database backend's error must roll the batch back.
                logger.exception("Could not add %s %s to the '%s' search backend", len(objects), indexed_model, name)
                if not backend.catch_indexing_errors:
                    raise
