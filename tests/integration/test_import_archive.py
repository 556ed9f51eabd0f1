"""Bulk import of an archive (manage.py import_archive): valid files land, are published and
become searchable through the outbox; a broken file and a file with personal data are
reported with their reasons while the rest of their batch still loads. Real database, real
Elasticsearch."""
import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lessons.models import LessonLearned
from search import outbox, service
from search.params import SearchParams

pytestmark = pytest.mark.django_db

LESSON = """---
type: pelajaran
title: {title}
kanwil: kalbar
date: 2019-03-04
stages: [p-19]
obstacles: [bahasa-penerjemah]
summary: Arsip lama tentang juru bahasa.
---

## Situasi

{situation}
"""


def lesson(title, situation):
    return LESSON.format(title=title, situation=situation)


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_archive", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


@pytest.fixture
def archive(tmp_path):
    marker = f"arsipuji{uuid.uuid4().hex[:8]}"
    files = {
        "a-valid.md": lesson(f"Arsip {marker} satu", f"Berkas {marker} dikembalikan karena juru bahasa."),
        "b-broken.md": "---\ntype: pelajaran\ntitle: [tidak ditutup\n---\nisi",
        "c-valid.md": lesson(f"Arsip {marker} dua", f"Juru bahasa {marker} disumpah ulang."),
        "d-passport.md": lesson(f"Arsip {marker} tiga", "Tersangka menunjukkan paspor A1234567 saat diperiksa."),
        "e-unknown-code.md": lesson(f"Arsip {marker} empat", "Isi.").replace("stages: [p-19]", "stages: [p-99]"),
        "f-valid.md": lesson(f"Arsip {marker} lima", f"Tahap {marker} berikutnya."),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path, marker


def test_valid_files_land_and_become_searchable_while_bad_ones_are_reported(archive, fresh_alias, users):
    folder, marker = archive
    errors = folder / "errors.jsonl"
    # Batches of two: every bad file shares its transaction with a good one.
    output, failure = run(folder, "--publish", "--batch-size", "2", "--errors", errors)

    assert failure == "3 dari 6 berkas gagal diimpor; daftarnya di %s." % errors
    assert "Selesai (diterbitkan): 3 baru, 3 gagal" in output
    landed = LessonLearned.objects.filter(title__contains=marker)
    assert sorted(p.title for p in landed) == [f"Arsip {marker} dua", f"Arsip {marker} lima", f"Arsip {marker} satu"]
    assert all(p.live and not p.has_unpublished_changes for p in landed)

    listed = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [entry["file"].rsplit("/", 1)[-1] for entry in listed] == ["b-broken.md", "d-passport.md", "e-unknown-code.md"]
    passport = listed[1]["problems"]
    assert any("nomor paspor" in problem for problem in passport), passport
    assert "A1234567" not in json.dumps(listed)  # the report masks the data it refuses
    assert any("p-99" in problem for problem in listed[2]["problems"])
    for name in ("b-broken.md", "d-passport.md", "e-unknown-code.md"):
        assert f"{name}: GAGAL" in output

    # The refused and broken files left nothing behind, not even a draft.
    assert not LessonLearned.objects.filter(title__in=[f"Arsip {marker} tiga", f"Arsip {marker} empat"]).exists()

    outbox.drain()
    found = service.run(SearchParams(q=marker), users["admin"])
    assert {hit.title for hit in found.hits} == {p.title for p in landed}


def test_privacy_guard_blocks_publication_as_in_import_markdown(archive, fresh_alias):
    folder, marker = archive
    only = folder / "only"
    only.mkdir()
    (folder / "d-passport.md").rename(only / "d-passport.md")
    bulk_output, bulk_failure = run(only, "--publish")
    single_out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_markdown", str(only / "d-passport.md"), "--publish", stdout=single_out, stderr=StringIO())
    # Same refusal, word for word, from both commands.
    bulk_reason = bulk_output.split("GAGAL: ", 1)[1].splitlines()[0]
    single_reason = single_out.getvalue().split("GAGAL: ", 1)[1].splitlines()[0]
    assert bulk_reason == single_reason and "nomor paspor" in bulk_reason
    assert bulk_failure == "1 dari 1 berkas gagal diimpor."
    assert not LessonLearned.objects.filter(title=f"Arsip {marker} tiga").exists()


def test_drafts_by_default_and_reimport_is_a_no_op(archive, fresh_alias):
    folder, marker = archive
    for name in ("b-broken.md", "d-passport.md", "e-unknown-code.md"):
        (folder / name).unlink()
    output, failure = run(folder)
    assert failure is None and "Selesai (draf): 3 baru, 0 gagal" in output
    assert not LessonLearned.objects.filter(title__contains=marker, live=True).exists()
    output, failure = run(folder)
    assert failure is None and "3 tidak berubah" in output


def _task_runs(names):
    """Count django_tasks runs of these task names (the immediate backend runs each at once)."""
    from django_tasks.signals import task_enqueued

    counts = dict.fromkeys(names, 0)

    def count(sender, task_result, **kwargs):
        name = task_result.task.name
        if name in counts:
            counts[name] += 1

    task_enqueued.connect(count, weak=False, dispatch_uid="test-count-tasks")
    return counts, lambda: task_enqueued.disconnect(dispatch_uid="test-count-tasks")


def test_wagtail_indexes_are_updated_once_per_batch_and_the_fallback_search_finds_the_pages(archive, fresh_alias, users):
    """The database search (the fallback when Elasticsearch is away) and Wagtail's reference
    index are updated at the end of each batch, in bulk, not by each of a page's saves."""
    from wagtail.models import ReferenceIndex

    from search.fallback import database_search

    folder, marker = archive
    counts, stop = _task_runs(["insert_or_update_object_task", "update_reference_index_task"])
    try:
        run(folder, "--publish", "--batch-size", "2")
    finally:
        stop()
    assert counts == {"insert_or_update_object_task": 0, "update_reference_index_task": 0}
    landed = LessonLearned.objects.filter(title__contains=marker)
    assert landed.count() == 3
    found = database_search(SearchParams(q=marker), users["admin"])
    assert {hit.title for hit in found} == {p.title for p in landed}
    for page in landed:  # the author Kanwil is a reference Wagtail's usage report shows
        paths = set(ReferenceIndex.get_references_for_object(page).values_list("model_path", flat=True))
        assert "author_kanwil" in paths
    # Outside an import, a save still updates the database search at once (the guard passes
    # other saves through), here a title edited through Wagtail's own revision publish.
    page = landed.get(title=f"Arsip {marker} satu")
    page.title = f"Arsip {marker} diganti{marker[-4:]}"
    page.save_revision(user=users["admin"]).publish(user=users["admin"])
    found = database_search(SearchParams(q=f"diganti{marker[-4:]}"), users["admin"])
    assert [hit.title for hit in found] == [page.title]


def test_a_file_failing_inside_a_batch_leaves_no_index_entries(archive, fresh_alias, users):
    """The deferred index updates skip what a file's savepoint rolled back."""
    from wagtail.models import Page
    from wagtail.search.models import IndexEntry

    folder, marker = archive
    run(folder, "--publish", "--batch-size", "6")
    landed = Page.objects.filter(title__contains=marker)
    assert landed.count() == 3
    # The stored title is the text on SQLite and a tsvector on PostgreSQL: compare objects.
    indexed = set(IndexEntry.objects.filter(title__contains=marker).values_list("object_id", flat=True))
    assert indexed == {str(page.id) for page in landed}


def test_one_outbox_row_per_published_page_even_with_a_view_restriction(tmp_path, fresh_alias):
    """Publication, restriction and each of its groups all signal a change; the page is
    queued once in that transaction."""
    from search.models import PendingIndexUpdate

    marker = f"arsipuji{uuid.uuid4().hex[:8]}"
    text = lesson(f"Arsip {marker} terbatas", "Isi.").replace("summary:", "restricted_to: [kalbar, jatim]\nsummary:")
    (tmp_path / "restricted.md").write_text(text, encoding="utf-8")
    output, failure = run(tmp_path, "--publish")
    assert failure is None, output
    page = LessonLearned.objects.get(title__contains=marker)
    assert page.get_view_restrictions().exists()
    assert list(PendingIndexUpdate.objects.filter(page_id=page.id).values_list("action", flat=True)) == [
        PendingIndexUpdate.INDEX]
