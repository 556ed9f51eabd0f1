"""Markdown syntax never reaches snippets or cards: footnote markers, emphasis stars, link
syntax and heading hashes are gone from the text the index holds, so highlights cut from
it are clean. Through the real index."""
import datetime
import re

import pytest
from django.http import QueryDict

from lessons.models import LessonLearned
from portal.models import KanwilPage
from search import outbox, service
from search import params as search_params

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
RESIDUE = re.compile(r"\[\^|\*\*|(?<!\w)\*\w|\]\(|^#|\s#{1,6}\s")


def run(user, query):
    params, errors = search_params.parse(QueryDict(query), strict=True)
    assert not errors, errors
    return service.run(params, user, page_size=50)


def test_demo_footnote_never_shows_in_highlights(demo_index, users):
    """The demo lesson's situation cites a footnote defined in another section: the marker
    [^1] used to reach the highlights."""
    outcome = run(users["admin"], "q=juru+bahasa+bersumpah")
    fragments = [f for hit in outcome.hits for f in hit.highlight]
    assert any("bersumpah" in re.sub("</?mark>", "", f) for f in fragments)
    assert not [f for f in fragments if RESIDUE.search(f)], fragments


def test_fresh_page_with_markdown_everywhere_is_indexed_as_plain_text(fresh_alias, users, es):
    section = KanwilPage.objects.get(kanwil__code="kalbar")
    situation = ("## Kronologi zwetsrabarber\n\nPenyidik *zwetsrabarber* mencatat **keterangan penting** "
                 "dan [berita acara](https://contoh.go.id/ba \"BA\") serta ![foto](https://contoh.go.id/f.png) "
                 "bersumpah[^catatan].\n\n[^catatan]: Catatan kaki zwetsrabarber.")
    page = LessonLearned(title="Uji sisa markdown", summary="Ringkasan uji.", date=datetime.date(2025, 1, 1),
                         author_kanwil=section.kanwil, situation=situation, recommendation="Lihat[^catatan] *ini*.")
    section.add_child(instance=page)
    page.save_revision().publish()
    while outbox.drain():
        pass
    outcome = run(users["admin"], "q=zwetsrabarber")
    assert [hit.id for hit in outcome.hits] == [page.pk]
    fragments = outcome.hits[0].highlight
    assert fragments and all("<mark>zwetsrabarber</mark>" in f or "zwetsrabarber" in f for f in fragments)
    assert not [f for f in fragments if RESIDUE.search(f)], fragments
    body = es.get(index=fresh_alias, id=str(page.pk))["_source"]["body"]
    assert "keterangan penting" in body and "berita acara" in body and "Catatan kaki" in body
    assert not RESIDUE.search(body), body
    assert "↩" not in body


def test_summary_typed_with_markdown_is_indexed_and_highlighted_plain(fresh_alias, users, es):
    """Summaries are plain text fields, but editors type Markdown into them too: the stars
    and footnote markers must not reach the summary highlight or the returned summary."""
    section = KanwilPage.objects.get(kanwil__code="kalbar")
    page = LessonLearned(title="Uji ringkasan", summary="Berkas **kvarnlyckan** diterima[^1] lewat *koordinasi*.",
                         date=datetime.date(2025, 1, 1), author_kanwil=section.kanwil, situation="Situasi biasa.")
    section.add_child(instance=page)
    page.save_revision().publish()
    while outbox.drain():
        pass
    outcome = run(users["admin"], "q=kvarnlyckan")
    assert [hit.id for hit in outcome.hits] == [page.pk]
    fragments = outcome.hits[0].highlight
    assert any("kvarnlyckan" in f for f in fragments), fragments
    assert not [f for f in fragments if RESIDUE.search(f)], fragments
    source = es.get(index=fresh_alias, id=str(page.pk))["_source"]
    assert source["summary"] == "Berkas kvarnlyckan diterima lewat koordinasi."
