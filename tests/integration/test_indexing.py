"""The index follows the database: outbox rows written with the change, applied in bulk,
reconciled and rebuilt without losing what editors publish meanwhile. Each test works on a
private alias of the real node (fresh_alias) so the shared demo index stays intact."""
import datetime

import pytest
from django.db import transaction
from django.http import QueryDict
from wagtail.models import PageViewRestriction

from lessons.models import LessonLearned
from portal.models import KanwilPage
from search import indexing, outbox, reconcile
from search import params as search_params
from search import service
from search.models import PendingIndexUpdate

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def new_lesson(code, title, publish=True):
    section = KanwilPage.objects.get(kanwil__code=code)
    page = LessonLearned(title=title, summary=f"Ringkasan {title}", date=datetime.date(2025, 3, 1),
                         author_kanwil=section.kanwil, situation="Situasi uji pengindeksan.")
    section.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return page


def indexed_ids(es, alias):
    es.indices.refresh(index=alias)
    return {int(hit["_id"]) for hit in es.search(index=alias, size=1000, source=False)["hits"]["hits"]}


def found(user, words):
    params, _ = search_params.parse(QueryDict(f"q={words}"), strict=True)
    return [hit.id for hit in service.run(params, user).hits]


@pytest.fixture
def admin(users):
    return users["admin"]


def test_publish_is_queued_with_the_change_and_found_after_the_worker_runs(es, fresh_alias, admin):
    PendingIndexUpdate.objects.all().delete()
    page = new_lesson("kalbar", "Kuarsa zamrud pengindeksan satu")
    assert list(PendingIndexUpdate.objects.values_list("page_id", "action")) == [(page.id, "index")]
    assert outbox.drain() == 1
    assert found(admin, "kuarsa zamrud") == [page.id]
    assert PendingIndexUpdate.objects.count() == 0


def test_rolled_back_save_leaves_queue_and_index_unchanged(es, fresh_alias, admin):
    PendingIndexUpdate.objects.all().delete()
    before = indexed_ids(es, fresh_alias)
    with pytest.raises(RuntimeError), transaction.atomic():
        new_lesson("kalbar", "Kuarsa zamrud yang dibatalkan")
        assert PendingIndexUpdate.objects.count() == 1  # queued inside the transaction…
        raise RuntimeError("editor's save fails")
    assert PendingIndexUpdate.objects.count() == 0  # …and gone with it
    outbox.drain()
    assert indexed_ids(es, fresh_alias) == before
    assert found(admin, "kuarsa zamrud dibatalkan") == []


def test_unpublish_delete_and_privacy_changes_reach_the_index(es, fresh_alias, users):
    staff_sumsel, admin = users["staf-sumsel"], users["admin"]
    page = new_lesson("kalbar", "Kuarsa zamrud berubah status")
    outbox.drain()
    assert found(staff_sumsel, "kuarsa zamrud") == [page.id]

    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(*users["staf-kalbar"].groups.all())
    outbox.drain()
    assert found(staff_sumsel, "kuarsa zamrud") == []
    assert found(users["staf-kalbar"], "kuarsa zamrud") == [page.id]

    page.unpublish()
    outbox.drain()
    assert found(admin, "kuarsa zamrud") == []

    page.save_revision().publish()
    outbox.drain()
    assert found(admin, "kuarsa zamrud") == [page.id]
    page.delete()
    outbox.drain()
    assert found(admin, "kuarsa zamrud") == []


def test_worker_failure_keeps_the_rows_and_backs_off(settings, admin):
    PendingIndexUpdate.objects.all().delete()
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    page = new_lesson("kalbar", "Kuarsa zamrud saat mesin pencari mati")
    assert outbox.drain() == 0
    row = PendingIndexUpdate.objects.get(page_id=page.id)
    assert row.attempts == 1 and row.last_error
    assert row.next_attempt_at > datetime.datetime.now(datetime.timezone.utc)
    assert outbox.drain() == 0  # not due yet: no hammering
    assert PendingIndexUpdate.objects.get(page_id=page.id).attempts == 1


def test_reconcile_repairs_missing_extra_and_stale_documents(es, fresh_alias):
    indexing.rebuild()
    present = sorted(indexed_ids(es, fresh_alias))
    missing, stale = present[0], present[1]
    es.delete(index=fresh_alias, id=str(missing), refresh=True)
    es.index(index=fresh_alias, id="999999", document={"title": "hantu", "access": ["all"]}, refresh=True)
    es.update(index=fresh_alias, id=str(stale), doc={"access": ["group:424242"]}, refresh=True)

    report = reconcile.reconcile()
    assert report.added == [missing] and report.removed == [999999] and report.refreshed == [stale]
    assert sorted(indexed_ids(es, fresh_alias)) == present
    assert not reconcile.reconcile().changed


def test_rebuild_keeps_what_is_published_meanwhile_and_search_never_fails(es, fresh_alias, admin):
    indexing.rebuild()
    published = []
    failures = []

    def during_rebuild(done, total):
        # While the new index fills, editors publish and officers search the old one.
        if done == total and not published:
            for number in range(20):
                published.append(new_lesson("sumsel", f"Kuarsa zamrud terbit saat rebuild {number}").id)
                outbox.drain()
                try:
                    service.run(search_params.parse(QueryDict("q=penerjemah"), strict=True)[0], admin)
                except Exception as error:  # noqa: BLE001 - any failure counts
                    failures.append(error)

    rebuilt = indexing.rebuild(progress=during_rebuild)
    name, report = rebuilt.name, rebuilt.reconcile
    assert len(published) == 20 and not failures
    assert set(published) <= indexed_ids(es, fresh_alias)
    params, _ = search_params.parse(QueryDict("q=kuarsa zamrud rebuild"), strict=True)
    assert {hit.id for hit in service.run(params, admin, page_size=50).hits} == set(published)
    assert set(report.added) == set(published)
    assert list(es.indices.get_alias(name=fresh_alias).keys()) == [name]
