"""A rebuild builds its documents in worker processes (search/rebuild_workers.py): the
index must be the very same as when one process builds everything, a page failing in a
worker is skipped and reported, and a worker that raises or dies fails the rebuild (its
new index deleted, the alias untouched) instead of hanging it.

Worker processes read what is committed, so these tests run outside a test transaction
(like the demo content, which is committed once per run) and put back what they change."""
import os
import signal
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

import pytest
from django.db import connection
from elasticsearch.helpers import scan

from lessons.models import DOCUMENT_MODELS, LessonLearned
from search import indexing, rebuild_workers
from search.models import PendingIndexUpdate
from tests.integration.test_pipeline import corrupt_body, own_indices

pytestmark = [pytest.mark.integration]
BATCH = 10  # several chunks per worker, so chunks are handed out and collected in turn


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    """Overrides pytest-django's `db` here: database access in autocommit mode, as `manage.py
    search_index rebuild` has it, not wrapped in a test transaction. The name matters:
    pytest-django sets up the test database only for a run with a test using `db`."""
    with django_db_blocker.unblock():
        yield


@contextmanager
def deadline(seconds):
    """A rebuild that hangs fails the test instead of blocking the run."""
    def expired(signum, frame):
        raise TimeoutError(f"the rebuild did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def indexed_sources(es, alias):
    es.indices.refresh(index=alias)
    return {int(hit["_id"]): hit["_source"] for hit in scan(es, index=alias, query={"query": {"match_all": {}}})}


def stored_plain_texts():
    return {(model, pk): texts for model in DOCUMENT_MODELS
            for pk, texts in model.objects.values_list("pk", "plain_texts")}


def test_worker_processes_build_exactly_the_documents_one_process_builds(es, fresh_alias, db):
    with deadline(600):
        single = indexing.rebuild(processes=1, batch_size=BATCH)
    alone = indexed_sources(es, fresh_alias)
    texts = stored_plain_texts()
    # Some pages lose their stored plain texts: the workers render them again and the
    # rebuilding process stores them (the backfill), as one process would.
    cleared = sorted(texts, key=lambda key: key[1])[::7]
    for model, pk in cleared:
        model.objects.filter(pk=pk).update(plain_texts={})

    with deadline(600):
        parallel = indexing.rebuild(processes=2, batch_size=BATCH)
    together = indexed_sources(es, fresh_alias)
    print(f"\n{len(together)} documents built by {parallel.processes} worker processes, "
          f"{len(alone)} in one process; {len(cleared)} plain-text backfills")
    assert single.processes == 1 and parallel.processes == 2
    assert parallel.indexed == single.indexed == len(indexing.indexable_ids()) == len(together)
    assert not parallel.skipped and indexing.live_indices() == [parallel.name]
    assert {i: d["source_hash"] for i, d in together.items()} == {i: d["source_hash"] for i, d in alone.items()}
    assert together == alone
    assert stored_plain_texts() == texts


@pytest.fixture
def corrupted(db):
    """One lesson whose stored body breaks building its document; put back afterwards."""
    page = LessonLearned.objects.live().order_by("id")[3]
    table = LessonLearned._meta.db_table
    as_text = "CAST(body AS text)" if connection.vendor == "postgresql" else "body"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {as_text} FROM {table} WHERE page_ptr_id = %s", [page.id])
        original = cursor.fetchone()[0]
    corrupt_body(page)
    yield page
    value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET body = {value} WHERE page_ptr_id = %s", [original, page.id])
    PendingIndexUpdate.objects.filter(page_id=page.id).delete()


def test_a_page_failing_in_a_worker_is_skipped_and_reported_while_the_others_are_indexed(es, fresh_alias, corrupted):
    with deadline(600):
        report = indexing.rebuild(processes=2, batch_size=BATCH)
    ids = set(indexing.indexable_ids())
    print(f"\nskipped by the workers: {report.skipped}")
    assert report.processes == 2
    assert set(report.skipped) == {corrupted.id} and report.skipped[corrupted.id]
    assert report.indexed == len(ids) - 1
    assert set(indexed_sources(es, fresh_alias)) == ids - {corrupted.id}
    assert indexing.live_indices() == [report.name]  # the rebuild still swapped
    assert PendingIndexUpdate.objects.filter(page_id=corrupted.id).exists()  # queued: shows as a dead letter


def raise_in_worker():
    raise RuntimeError("worker out of memory")


def die_in_worker():
    os._exit(3)  # as the kernel's OOM killer would end it: no exception, no result


@pytest.mark.parametrize("fault, error, message", [(raise_in_worker, RuntimeError, "worker out of memory"),
                                                   (die_in_worker, BrokenProcessPool, "terminated abruptly")],
                         ids=["raises", "dies"])
def test_a_worker_that_raises_or_dies_fails_the_rebuild_without_hanging_or_leaving_its_index(
        es, fresh_alias, db, monkeypatch, fault, error, message):
    indexing.rebuild(processes=1)
    live, before = indexing.live_indices(), own_indices(es, fresh_alias)
    victim = indexing.indexable_ids()[len(indexing.indexable_ids()) // 2]
    build_chunk = rebuild_workers._build_chunk
    parent = os.getpid()

    def faulty(chunk, restrictions, version):
        if victim in chunk and os.getpid() != parent:  # only in a worker process
            fault()
        return build_chunk(chunk, restrictions, version)

    monkeypatch.setattr(rebuild_workers, "_build_chunk", faulty)  # the forked workers inherit it
    with deadline(300), pytest.raises(error, match=message) as raised:
        indexing.rebuild(processes=2, batch_size=BATCH)
    print(f"\nrebuild failed with {raised.type.__name__}: {raised.value}")
    assert own_indices(es, fresh_alias) == before and indexing.live_indices() == live
