"""The index heals itself: one bad page never blocks the rest and never stays open to the
wrong readers, rebuild and reconcile finish and leave no orphan index, searches never
notice a swap, two workers never apply the same row, and nothing goes stale (taxonomy
renames, analysis data). Real node, real database; each test on a private alias.
Run with -s to see the measured figures."""
import datetime
import io
import json
import re
import threading
import time

import pytest
from django.core.management import call_command
from django.db import DataError, connection, connections, transaction
from django.http import QueryDict
from django.test import Client
from wagtail.models import Page, PageViewRestriction

from lessons.models import DOCUMENT_MODELS, LessonLearned, Stage
from portal.models import KanwilPage
from search import analysis, indexing, outbox, reconcile
from search import params as search_params
from search import service
from search.models import PendingIndexUpdate
from tests.integration.waiting import drain_until

pytestmark = [pytest.mark.integration]
db = pytest.mark.django_db


def new_lesson(code, title, situation="Situasi uji jalur indeks."):
    section = KanwilPage.objects.get(kanwil__code=code)
    page = LessonLearned(title=title, summary=f"Ringkasan {title}", date=datetime.date(2025, 3, 1),
                         author_kanwil=section.kanwil, situation=situation)
    section.add_child(instance=page)
    page.save_revision().publish()
    return page


def corrupt_body(page):
    """A malformed stored body (as a bad migration or manual edit leaves it): a Markdown
    block whose value is not text. Loading works; building the document raises."""
    bad = json.dumps([{"type": "markdown", "value": {"not": "text"}, "id": "rusak"}])
    value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {LessonLearned._meta.db_table} SET body = {value} WHERE page_ptr_id = %s", [bad, page.id])


def refused_title(word):
    """A title Elasticsearch refuses: the completion field reserves U+0000 (SQLite stores it,
    an import lets it in). PostgreSQL cannot store NUL at all, and the other reserved
    characters (U+001E, U+001F) are whitespace to str.split, so they never reach the
    completion input: there no stored title can be refused, and tests say so."""
    return f"{word} judul\x00rusak"


def refusal_possible():
    return connection.vendor != "postgresql"


def set_title(page, title):
    Page.objects.filter(id=page.id).update(title=title)


def found(user, words, size=200):
    params, _ = search_params.parse(QueryDict(f"q={words}"), strict=True)
    outcome = service.run(params, user, page_size=size)
    assert not outcome.unavailable
    return {hit.id for hit in outcome.hits}


def indexed_ids(es, alias):
    es.indices.refresh(index=alias)
    return {int(h["_id"]) for h in es.search(index=alias, size=2000, source=False)["hits"]["hits"]}


def own_indices(es, alias):
    return set(es.indices.get(index=f"{alias}-*").keys())


@pytest.fixture
def quick_retries(settings):
    settings.SEARCH_INDEX_MAX_ATTEMPTS = 3
    settings.SEARCH_INDEX_RETRY_SECONDS = 0.2


@db
def test_one_bad_page_among_a_hundred_blocks_nothing_and_becomes_a_dead_letter(es, fresh_alias, users, quick_retries):
    admin = users["admin"]
    PendingIndexUpdate.objects.all().delete()
    began = time.monotonic()
    good = {new_lesson("kalbar", f"Kuarsa seratus halaman {n}").id for n in range(100)}
    refused = new_lesson("kalbar", "Kuarsa seratus ditolak")
    if refusal_possible():
        set_title(refused, refused_title("Kuarsa seratus"))
        outbox.enqueue([refused.id])
    unbuildable = new_lesson("kalbar", "Kuarsa seratus rusak")
    corrupt_body(unbuildable)
    print(f"\n102 pages published in {time.monotonic() - began:.1f} s; {outbox.pending_count()} rows queued")
    if not refusal_possible():
        good.add(refused.id)

    elapsed = drain_until(lambda: good <= found(admin, "kuarsa seratus"), timeout=5, what="every good page found")
    searchable = good & found(admin, "kuarsa seratus")
    print(f"{len(searchable)}/{len(good)} good pages searchable {elapsed:.2f} s after the worker started")
    assert searchable == good and elapsed <= 5

    bad = {refused.id, unbuildable.id} if refusal_possible() else {unbuildable.id}
    dead_after = drain_until(lambda: outbox.dead_letters().count() == len(bad), timeout=30,
                             what="every bad page a dead letter")
    dead = {row.page_id: row for row in outbox.dead_letters()}
    print(f"bad pages dead letters {dead_after:.1f} s later, after {[r.failures for r in dead.values()]} failures")
    assert set(dead) == bad and all(row.failures == 3 for row in dead.values())
    # The build's own exception, named (which one depends on where the malformed value breaks).
    assert re.match(r"\w+Error: ", dead[unbuildable.id].last_error), dead[unbuildable.id].last_error
    assert outbox.pending_count() == 0
    assert not bad & indexed_ids(es, fresh_alias)  # fail closed: none left a document behind

    out = io.StringIO()
    call_command("search_index", "status", stdout=out)
    status = out.getvalue()
    assert f"Surat mati (dead letters): {len(bad)}" in status and "Antrean pembaruan indeks: 0" in status
    assert all(f"halaman {page_id}" in status for page_id in bad)
    health = Client().get("/healthz").json()
    assert health["search_index"] == {"queue_length": 0, "oldest_pending_seconds": 0, "dead_letters": len(bad)}
    if not refusal_possible():
        return

    # Refused by the completion field, and once fixed and retried indexed, its dead letter gone.
    assert "reserved character" in dead[refused.id].last_error
    set_title(refused, "Kuarsa seratus diperbaiki")
    assert outbox.retry([dead[refused.id].id]) == 1
    drain_until(lambda: refused.id in found(admin, "kuarsa seratus diperbaiki"), timeout=5,
                what="the repaired page found")
    assert refused.id in found(admin, "kuarsa seratus diperbaiki")
    assert set(outbox.dead_letters().values_list("page_id", flat=True)) == {unbuildable.id}


@db
def test_an_outage_delays_but_never_makes_dead_letters(settings, users, quick_retries):
    PendingIndexUpdate.objects.all().delete()
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    page = new_lesson("kalbar", "Kuarsa saat mesin pencari mati")
    for _ in range(8):
        PendingIndexUpdate.objects.update(next_attempt_at=datetime.datetime.now(datetime.timezone.utc))
        outbox.drain()
    row = PendingIndexUpdate.objects.get(page_id=page.id)
    assert row.attempts == 8 and row.failures == 0 and row.dead_at is None


@db
@pytest.mark.parametrize("fault", ["refused", "unbuildable"])
def test_a_bad_page_whose_access_was_restricted_leaves_the_index(es, fresh_alias, users, fault):
    staff_sumsel, staff_kalbar = users["staf-sumsel"], users["staf-kalbar"]
    page = new_lesson("kalbar", "Kuarsa rahasia berubah akses")
    outbox.drain()
    assert found(staff_sumsel, "kuarsa rahasia") == {page.id}

    # The page goes bad, and in the same breath is restricted to Kalbar.
    if fault == "refused" and not refusal_possible():
        # No stored title can be refused here, because the database refuses it first: assert
        # that premise instead of the path it rules out.
        with pytest.raises((ValueError, DataError)), transaction.atomic():
            set_title(page, refused_title("Kuarsa rahasia"))
        return
    if fault == "refused":
        set_title(page, refused_title("Kuarsa rahasia"))
    else:
        corrupt_body(page)
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(*staff_kalbar.groups.all())
    assert outbox.drain() == 0  # nothing could be applied…
    assert found(staff_sumsel, "kuarsa rahasia") == set()  # …but the old, open document is gone
    assert page.id not in indexed_ids(es, fresh_alias)
    row = PendingIndexUpdate.objects.get(page_id=page.id)
    assert row.failures == 1 and row.last_error and row.dead_at is None


@db
def test_rebuild_and_reconcile_finish_with_a_bad_page_and_leave_no_orphan(es, fresh_alias, settings):
    bad = new_lesson("sumsel", "Kuarsa rusak saat rebuild")
    corrupt_body(bad)
    PendingIndexUpdate.objects.all().delete()
    live_before = indexing.live_indices()
    before = own_indices(es, fresh_alias)

    out = io.StringIO()
    began = time.monotonic()
    call_command("search_index", "rebuild", stdout=out)
    took = time.monotonic() - began
    printed = out.getvalue()
    live = indexing.live_indices()
    after = own_indices(es, fresh_alias)
    print(f"\nrebuild with a bad page: {took:.1f} s; indexes {sorted(before)} -> {sorted(after)}")
    print(printed)
    assert f"halaman {bad.id} dilewati" in printed and "1 dilewati" in printed
    assert f"{indexing.status()['documents_in_database'] - 1} dokumen diindeks" in printed
    assert len(live) == 1 and after == before | set(live)  # the new one, and the old one kept for its grace
    assert bad.id not in indexed_ids(es, fresh_alias)
    assert PendingIndexUpdate.objects.filter(page_id=bad.id).exists()  # queued: it will show as a dead letter

    out = io.StringIO()
    call_command("search_index", "reconcile", stdout=out)
    print(out.getvalue())
    assert f"halaman {bad.id} gagal" in out.getvalue()
    assert own_indices(es, fresh_alias) == after

    # Once the grace period has passed, the replaced index goes; the live one never does.
    settings.SEARCH_OLD_INDEX_GRACE_SECONDS = 0
    assert indexing.prune_retired() == live_before
    assert own_indices(es, fresh_alias) == set(live)


@db
def test_a_rebuild_failing_midway_leaves_no_orphan_and_the_alias_untouched(es, fresh_alias):
    indexing.rebuild()
    live = indexing.live_indices()
    before = own_indices(es, fresh_alias)

    def fail_midway(done, total):
        if 0 < done < total:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        indexing.rebuild(progress=fail_midway, batch_size=20)
    print(f"\nafter a failed rebuild: {sorted(own_indices(es, fresh_alias))} (before: {sorted(before)})")
    assert own_indices(es, fresh_alias) == before and indexing.live_indices() == live


@db
def test_three_rebuilds_under_a_search_loop_give_no_failed_or_degraded_search(es, fresh_alias, users):
    indexing.rebuild()
    admin, staff = users["admin"], users["staf-kalbar"]
    queries = ["penerjemah", "p-21 berkas", "deportasi", "izin tinggal", "spdp"]
    stop = threading.Event()
    tally = {"searches": 0, "failed": [], "degraded": 0}

    def search_loop():
        try:
            while not stop.is_set():
                for q in queries:
                    for user in (admin, staff):
                        try:
                            outcome = service.run(search_params.parse(QueryDict(f"q={q}"), strict=True)[0], user)
                            tally["degraded"] += outcome.unavailable
                        except Exception as error:  # noqa: BLE001 - every failure counts
                            tally["failed"].append(repr(error))
                        tally["searches"] += 1
        finally:
            connection.close()

    thread = threading.Thread(target=search_loop)
    thread.start()
    began = time.monotonic()
    try:
        names = [indexing.rebuild().name for _ in range(3)]
    finally:
        stop.set()
        thread.join()
    took = time.monotonic() - began
    print(f"\n3 rebuilds in {took:.1f} s under {tally['searches']} searches: "
          f"{len(tally['failed'])} failed, {tally['degraded']} degraded")
    assert tally["searches"] > 20 and not tally["failed"] and tally["degraded"] == 0
    assert indexing.live_indices() == [names[-1]]
    assert own_indices(es, fresh_alias) == set(names[1:])  # the previous one kept for its grace, no older


class TestTwoWorkers:
    """Outside pytest-django's per-test transaction: the workers' own connections must see
    the committed rows, as two worker processes would."""

    @pytest.fixture
    def db(self, django_db_setup, django_db_blocker):
        """Named `db` so that pytest-django sets the test database up even when this test runs
        alone (it does so only for tests asking for `db` or marked django_db); it opens the
        database without wrapping the test in a transaction."""
        with django_db_blocker.unblock():
            yield

    def test_two_workers_apply_each_row_once(self, es, fresh_alias, db):
        """Committed rows and two threads with their own database connections, as two worker
        processes would have."""
        PendingIndexUpdate.objects.all().delete()
        pages = list(Page.objects.live().type(*DOCUMENT_MODELS).order_by("id").values_list("id", flat=True)[:50])
        outbox.enqueue(pages)
        outbox.enqueue(pages)  # two rows per page: one page's rows must not be split either
        rows = set(PendingIndexUpdate.objects.values_list("id", flat=True))
        start = threading.Barrier(2)
        applied = {"a": [], "b": []}
        hiccups = {"a": 0, "b": 0}

        def worker(name):
            """Drains until the outbox is empty (rows the other worker holds count until it
            has applied them), or a minute has passed."""
            try:
                start.wait()
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    try:
                        if not PendingIndexUpdate.objects.exists():
                            break
                        outbox.drain(batch_size=5, worker=name, applied=applied[name])
                    except Exception:  # noqa: BLE001 - e.g. a locked database: the worker loop retries
                        hiccups[name] += 1
            finally:
                connections.close_all()

        began = time.monotonic()
        threads = [threading.Thread(target=worker, args=(name,)) for name in applied]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - began
        together = applied["a"] + applied["b"]
        print(f"\n{connection.vendor}: {len(rows)} rows for {len(pages)} pages; worker a applied {len(applied['a'])}, "
              f"b {len(applied['b'])}, applied twice {len(together) - len(set(together))}, in {took:.1f} s "
              f"(retried database hiccups: {hiccups})")
        try:
            assert len(together) == len(set(together)) and set(together) == rows
            assert applied["a"] and applied["b"]
            assert not PendingIndexUpdate.objects.exists()
            assert set(pages) <= indexed_ids(es, fresh_alias)
        finally:
            PendingIndexUpdate.objects.all().delete()


@db
def test_a_crashed_workers_rows_are_claimed_again_after_the_lease(settings):
    PendingIndexUpdate.objects.all().delete()
    outbox.enqueue([1, 2, 3])
    assert len(outbox.claim("crashed", 10)) == 3
    assert outbox.claim("other", 10) == []  # held by the lease
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
        seconds=settings.SEARCH_WORKER_LEASE_SECONDS + 1)
    assert len(outbox.claim("other", 10, now=later)) == 3


@db
def test_a_renamed_stage_is_found_by_its_new_name_without_a_rebuild(es, fresh_alias, users):
    indexing.rebuild()
    PendingIndexUpdate.objects.all().delete()
    live = indexing.live_indices()
    stage = max(Stage.objects.all(), key=lambda s: len(_pages_with_stage(s)))
    using = _pages_with_stage(stage)
    assert found(users["admin"], "zamrudtahap") == set()

    stage.name = "Zamrudtahap penyerahan"
    stage.save()
    queued = set(PendingIndexUpdate.objects.values_list("page_id", flat=True))
    elapsed = drain_until(lambda: found(users["admin"], "zamrudtahap") == using, timeout=5,
                          what="every page found by the new stage name")
    print(f"\nstage '{stage.code}' renamed: {len(queued)} pages queued, all {len(using)} found by the new name "
          f"{elapsed:.2f} s later")
    assert queued == using and found(users["admin"], "zamrudtahap") == using and elapsed <= 5
    assert indexing.live_indices() == live  # no rebuild happened


def _pages_with_stage(stage):
    return {p for model in DOCUMENT_MODELS for p in model.objects.live().filter(stages=stage).values_list("id", flat=True)}


@pytest.fixture
def analysis_patch(monkeypatch):
    """monkeypatch for search.analysis; afterwards the real data is loaded afresh."""
    yield monkeypatch
    monkeypatch.undo()
    analysis.data.cache_clear()
    analysis.stem.cache_clear()


@db
def test_a_changed_stemmer_exception_is_detected_by_reconcile(es, fresh_alias, analysis_patch, tmp_path):
    monkeypatch = analysis_patch
    indexing.rebuild()
    assert not reconcile.reconcile().changed
    sources = {int(h["_id"]): h["_source"] for h in es.search(index=fresh_alias, size=2000)["hits"]["hits"]}
    words = {page: set(analysis.tokens(" ".join(s[f] or "" for f in ("title", "summary", "body", "attachments",
                                                                         "facet_text")))) for page, s in sources.items()}
    old_stems = {w: analysis.stem(w) for ws in words.values() for w in ws}

    # The YAML as an editor would change it: 'pemberitahuan' taken out of the 'beritahu' group.
    text = analysis.DATA_FILE.read_text(encoding="utf-8")
    edited_text = text.replace("words: [pemberitahuan, memberitahu,", "words: [memberitahu,")
    assert edited_text != text
    edited = tmp_path / "analysis_data.yaml"
    edited.write_text(edited_text, encoding="utf-8")
    edited_data = analysis.load_data(edited)  # loaded once, as the cached data() would be
    monkeypatch.setattr(analysis, "data", lambda: edited_data)
    analysis.stem.cache_clear()
    changed_stems = {w for w, s in old_stems.items() if analysis.stem(w) != s}
    expected = {page for page, ws in words.items() if ws & changed_stems}
    assert changed_stems and expected and len(expected) < len(sources)

    report = reconcile.reconcile()
    print(f"\nstemmer exception edited ({sorted(changed_stems)}): reconcile refreshed {len(report.refreshed)} of "
          f"{report.checked} documents; expected {len(expected)}")
    assert set(report.refreshed) == expected and not report.added and not report.removed
    es.indices.refresh(index=fresh_alias)
    new_stem = analysis.stem("pemberitahuan")
    assert new_stem != old_stems["pemberitahuan"]
    query = {"bool": {"should": [{"term": {f"{f}_stemmed": new_stem}} for f in ("title", "summary", "body", "attachments")]
                      + [{"term": {"facet_text_stemmed": new_stem}}]}}
    hits = es.search(index=fresh_alias, query=query, size=2000)["hits"]["hits"]
    assert hits and {int(h["_id"]) for h in hits} <= expected  # the index holds the new stems
    assert not reconcile.reconcile().changed

    # The file itself edited: the build version changes, status says the index was built
    # by other code, and reconcile brings every document to the new version.
    monkeypatch.setattr(analysis, "DATA_FILE", edited)
    state = indexing.status()
    assert state["documents_built_by_other_code"] == state["documents_in_index"] > 0
    out = io.StringIO()
    call_command("search_index", "status", stdout=out)
    assert "dibangun oleh kode atau data analisis lain" in out.getvalue()
    report = reconcile.reconcile()
    assert len(report.refreshed) == report.checked
    assert indexing.status()["documents_built_by_other_code"] == 0


@db
def test_dead_letters_in_the_admin_for_superusers_with_a_retry(users):
    PendingIndexUpdate.objects.all().delete()
    page = Page.objects.live().type(*DOCUMENT_MODELS).first()
    row = PendingIndexUpdate.objects.create(page_id=page.id, action="index", failures=5, attempts=5,
                                            last_error="BuildError: rusak", dead_at=datetime.datetime.now(
                                                datetime.timezone.utc))
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["editor-kalbar"])  # may use the admin, is no administrator
    refused = client.get("/admin/indeks-pencarian/")
    assert refused.status_code in (302, 403) and b"rusak" not in refused.content
    assert "/admin/indeks-pencarian/" not in client.get("/admin/").content.decode()  # no menu item either

    client.force_login(users["admin"])
    assert "/admin/indeks-pencarian/" in client.get("/admin/").content.decode()  # under Reports
    response = client.get("/admin/indeks-pencarian/")
    assert response.status_code == 200
    assert "BuildError: rusak" in response.content.decode() and page.title in response.content.decode()
    assert client.post("/admin/indeks-pencarian/", {"row": row.id}).status_code == 403  # no CSRF token
    token = client.cookies["csrftoken"].value
    response = client.post("/admin/indeks-pencarian/", {"row": row.id, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.dead_at is None and row.failures == 0
