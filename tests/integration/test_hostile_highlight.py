"""A document just under the 1 MiB import limit, published and indexed on the real node:
searches that return it are still answered by Elasticsearch, with highlights, because the
highlight request caps the analysed text below index.highlight.max_analyzed_offset."""
import pytest

from lessons.markdown.importing import import_path
from search import outbox, service
from search.params import SearchParams
from tests.hostile import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def huge_document(tmp_path, fresh_alias):
    path = tmp_path / "near-1mib.md"
    path.write_bytes(corpus.data("near-1mib.md"))
    result = import_path(path, publish=True)
    assert result.ok, [str(p) for p in result.problems]
    outbox.drain()
    return result.page


def test_search_returning_a_near_limit_body_is_answered_by_elasticsearch(huge_document, users):
    outcome = service.run(SearchParams(q="penerjemah imigrasi"), users["staf-sumsel"])
    assert not outcome.unavailable  # no silent fall-back to the database
    hit = next(hit for hit in outcome.hits if hit.id == huge_document.id)
    assert any("<mark>" in fragment for fragment in hit.highlight)


def test_without_the_cap_the_same_search_would_fail(huge_document, users, settings):
    # Proves the document really is past the index limit: with a cap above it, ES refuses.
    settings.SEARCH_HIGHLIGHT_MAX_ANALYZED_OFFSET = 2_000_000
    assert service.run(SearchParams(q="penerjemah imigrasi"), users["staf-sumsel"]).unavailable
