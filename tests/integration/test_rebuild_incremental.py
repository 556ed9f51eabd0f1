"""A rebuild closes by looking again only at what may have changed while it ran
(reconcile_since), and documents are built from plain texts stored at save. Both must give
the same index as building everything again."""
import datetime

import pytest
from django.http import QueryDict

from lessons.content.plain_text_keys import plain_text_key
from lessons.content.taxonomy import Stage
from lessons.markdown.rendering import markdown_to_text
from lessons.models import DOCUMENT_MODELS, LessonLearned
from portal.models import KanwilPage
from search import indexing, outbox, reconcile
from search import params as search_params
from search import service
from search.building import build_document, build_version, indexable_pages
from search.models import PendingIndexUpdate

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
SITUATION = "Penyidik **menerima** berkas; lihat [Pasal 122](https://example.org) dan P-21.\n\n- satu\n- dua"


def new_lesson(code, title, situation=SITUATION):
    section = KanwilPage.objects.get(kanwil__code=code)
    page = LessonLearned(title=title, summary=f"Ringkasan {title}", date=datetime.date(2025, 3, 1),
                         author_kanwil=section.kanwil, situation=situation)
    section.add_child(instance=page)
    page.save_revision().publish()
    return LessonLearned.objects.get(pk=page.pk)


def indexed(es, alias):
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=2000, source=["source_hash"])["hits"]["hits"]
    return {int(h["_id"]): h["_source"].get("source_hash") for h in hits}


def found(user, words):
    params, _ = search_params.parse(QueryDict(f"q={words}"), strict=True)
    return {hit.id for hit in service.run(params, user, page_size=50).hits}


def pages_with_stage(stage):
    return {p for model in DOCUMENT_MODELS for p in model.objects.live().filter(stages=stage).values_list("id", flat=True)}


def test_rebuild_catches_what_changed_while_it_ran_without_building_everything_again(es, fresh_alias, users):
    admin = users["admin"]
    indexing.rebuild()
    PendingIndexUpdate.objects.all().delete()
    gone = new_lesson("kalbar", "Kuarsa zamrud yang ditarik")
    outbox.drain()
    stage = max(Stage.objects.all(), key=lambda s: len(pages_with_stage(s)))
    using = pages_with_stage(stage)
    meanwhile = {}

    def during_rebuild(done, total):
        # Every page is built and written to the new index already: what happens now
        # reaches only the index being replaced (through the worker) or the queue.
        if done == total and not meanwhile:
            stage.name = "Zamrudtahap penyerahan"
            stage.save()  # renamed: the worker rewrites its pages in the live (old) index
            gone.unpublish()  # unpublished: the worker deletes it from the old index
            outbox.drain()
            meanwhile["queued"] = new_lesson("sumsel", "Kuarsa zamrud terbit di ujung rebuild")  # not drained

    report = indexing.rebuild(progress=during_rebuild)
    check = report.reconcile
    total = len(indexing.indexable_ids())
    print(f"\nclosing check of the rebuild: {check.checked} of {total} pages built again; "
          f"added {check.added}, removed {check.removed}, refreshed {len(check.refreshed)}")
    assert check.added == [meanwhile["queued"].id] and check.removed == [gone.id]
    assert using <= set(check.refreshed)
    assert check.checked <= len(using) + 2 < total
    assert found(admin, "zamrudtahap") == using
    assert meanwhile["queued"].id in found(admin, "kuarsa zamrud terbit ujung")
    assert gone.id not in indexed(es, fresh_alias)
    assert not reconcile.reconcile().changed  # the full check finds nothing left to repair


def test_plain_texts_are_stored_at_save_and_give_the_same_document(es, fresh_alias):
    page = new_lesson("kalbar", "Kuarsa zamrud teks polos")
    stored = page.plain_texts
    assert stored[plain_text_key(SITUATION)] == markdown_to_text(SITUATION)
    assert "plain_texts" not in page.latest_revision.content  # revisions keep only what editors wrote
    version = build_version()
    from_stored = build_document(next(iter(indexable_pages([page.id]))), None, version)
    LessonLearned.objects.filter(pk=page.pk).update(plain_texts={})
    rendered = build_document(next(iter(indexable_pages([page.id]))), None, version)
    assert from_stored == rendered

    # A source changed behind save()'s back only misses: its text is rendered, never the old one taken.
    LessonLearned.objects.filter(pk=page.pk).update(situation="Teks baru tanpa P-21.", plain_texts=stored)
    fresh = next(iter(indexable_pages([page.id])))
    assert fresh.text_sections()[0] == "Teks baru tanpa P-21."


def test_a_rebuild_backfills_missing_plain_texts_with_identical_documents(es, fresh_alias):
    page = new_lesson("kalbar", "Kuarsa zamrud isi ulang")
    indexing.rebuild()
    before = indexed(es, fresh_alias)
    for model in DOCUMENT_MODELS:
        model.objects.update(plain_texts={})
    indexing.rebuild()
    assert indexed(es, fresh_alias) == before
    assert LessonLearned.objects.get(pk=page.pk).plain_texts == page.plain_texts
    assert not LessonLearned.objects.filter(plain_texts={}).exclude(situation="").exists()
