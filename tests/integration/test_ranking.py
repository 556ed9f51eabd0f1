"""What the schema's weights are for, asserted as behaviour on the real node rather than as
numbers copied from the declarations: where a word stands decides how high a document
ranks. Each test publishes look-alike documents into a private alias (fresh_alias) that
differ in one respect only."""
import datetime

import pytest
from django.http import QueryDict

from lessons.models import LessonLearned
from lessons.models import Stage
from portal.models import KanwilPage
from search import outbox, service
from search import params as search_params

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
PLAIN = "Pemeriksaan kapal nelayan di dermaga."


def lesson(title, summary=PLAIN, situation=PLAIN, kanwil="kalbar", stages=()):
    section = KanwilPage.objects.get(kanwil__code=kanwil)
    page = LessonLearned(title=title, summary=summary, situation=situation, date=datetime.date(2025, 5, 1),
                         author_kanwil=section.kanwil)
    section.add_child(instance=page)
    page.stages.set(Stage.objects.filter(code__in=stages))
    page.save_revision().publish()
    return page.id


def ranked(user, query):
    params, errors = search_params.parse(QueryDict(query), strict=True)
    assert not errors, errors
    return [hit.id for hit in service.run(params, user, page_size=50).hits]


@pytest.fixture
def admin(users, fresh_alias):
    return users["admin"]


def test_a_title_match_outranks_a_summary_match_which_outranks_a_body_match(admin):
    in_body = lesson("Laporan dermaga barat", situation="Zirkonium, zirkonium dan lagi zirkonium di kapal nelayan.")
    in_summary = lesson("Laporan dermaga timur", summary="Zirkonium ditemukan di kapal nelayan.")
    in_title = lesson("Laporan zirkonium dermaga")
    outbox.drain()
    assert ranked(admin, "q=zirkonium") == [in_title, in_summary, in_body]


def test_words_standing_together_outrank_the_same_words_apart(admin):
    apart = lesson("Catatan pelabuhan satu", situation="Kapal zirkonium tiba. Esoknya petugas menemukan nelayan pirit.")
    together = lesson("Catatan pelabuhan dua", situation="Kapal tiba. Petugas menemukan zirkonium pirit pada nelayan.")
    outbox.drain()
    assert ranked(admin, "q=zirkonium+pirit") == [together, apart]


def test_a_stage_named_in_the_query_ranks_its_documents_first(admin):
    untagged = lesson("Berkas zirkonium satu")
    tagged = lesson("Berkas zirkonium dua", stages=["p-21"])
    outbox.drain()
    assert ranked(admin, "q=zirkonium+P-21")[:2] == [tagged, untagged]
    assert set(ranked(admin, "q=zirkonium")) == {tagged, untagged}


def test_a_kanwil_named_in_the_query_ranks_its_documents_first(admin):
    elsewhere = lesson("Berkas zirkonium Sumsel", kanwil="sumsel")
    named = lesson("Berkas zirkonium lain", kanwil="jatim")
    outbox.drain()
    assert ranked(admin, "q=zirkonium+Jatim")[0] == named
    assert elsewhere in ranked(admin, "q=zirkonium+Jatim")

