"""The reference-data cache: served from memory between edits, cleared by an edit at once,
bypassed inside transactions (what is read there may be rolled back). Real database."""
import pytest

from lessons.content import reference_cache
from lessons.content.taxonomy import GlossaryTerm, Stage
from search import params as search_params
from search import service

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings, monkeypatch):
    """As in a request, which runs outside any transaction (the test itself runs in one)."""
    settings.REFERENCE_CACHE_SECONDS = 60
    monkeypatch.setattr(reference_cache, "_in_transaction", lambda: False)
    reference_cache.clear()
    yield
    reference_cache.clear()


def test_second_read_makes_no_query(cached, django_assert_num_queries):
    with django_assert_num_queries(5):
        for name in reference_cache.LOADERS:
            reference_cache.get(name)
    with django_assert_num_queries(0):
        search_params.known_values()
        service.glossary()
        service.kanwil_mentions("Jatim")


def test_an_edit_clears_the_cache_at_once(cached):
    assert "uji-cache" not in reference_cache.codes("stages")
    stage = Stage.objects.create(code="uji-cache", name="Tahap uji cache", order=99)
    assert "uji-cache" in search_params.known_values()["stage"]
    stage.name = "Tahap uji cache diubah"
    stage.save()
    assert {s.name for s in reference_cache.get("stages") if s.code == "uji-cache"} == {"Tahap uji cache diubah"}
    stage.delete()
    assert "uji-cache" not in reference_cache.codes("stages")
    built = service.glossary()
    assert service.glossary() is built  # built once per cached list of rows
    GlossaryTerm.objects.create(term="istilahujicache", expansions="padanan uji")
    assert "istilahujicache" in {t.term for t in reference_cache.get("glossary")}
    assert service.glossary().expansions("istilahujicache") == [("istilahujicache", ["padanan uji"])]


def test_inside_a_transaction_the_database_is_read(settings, django_assert_num_queries):
    settings.REFERENCE_CACHE_SECONDS = 60
    reference_cache.clear()
    reference_cache.get("stages")
    with django_assert_num_queries(1):
        reference_cache.get("stages")
