"""Issue 10: the Kanwil page is paged in the database (a bounded number of cards however many
documents the office has), its pager reaches every readable document exactly once, a bad
page number is never an error, and the home and Kanwil pages make as many SQL queries
with more documents as with fewer."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lessons.access.rules import visible_documents
from lessons.markdown.importing import import_file
from lessons.models import Kanwil
from portal import experience

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CARD = re.compile(r'<article class="doc-card">.*?<h3><a href="([^"]+)"', re.S)


def _experience(html):
    return re.search(r'<section class="kanwil-experience">.*?</section>', html, re.S).group(0)


def _add_lessons(count, start=0):
    for n in range(start, start + count):
        text = (f"---\ntype: pelajaran\ntitle: Pelajaran Kalbar berhalaman {n}\nkanwil: kalbar\n"
                "stages: [p-21]\n---\n## Situasi\nIsi.\n")
        result = import_file(f"halaman-{n}.md", text.encode(), publish=True, user=None)
        assert result.ok, result.problems


def _walk(client, url):
    """Card links of the experience section over every page, following the "next" links."""
    cards, address, pages = [], url, 0
    while address and pages < 50:
        response = client.get(address)
        assert response.status_code == 200
        section = _experience(response.content.decode())
        cards += CARD.findall(section)
        following = re.search(r'<a href="([^"]+)" rel="next"', section)
        address = url + following.group(1).replace("&amp;", "&") if following else None
        pages += 1
    return cards, pages


def test_the_pager_shows_at_most_a_page_and_reaches_every_readable_document_once(fresh_alias, users, client,
                                                                                   monkeypatch):
    monkeypatch.setattr(experience, "PAGE_SIZE", 4)
    _add_lessons(6)
    client.force_login(users["staf-kalbar"])
    kalbar = Kanwil.objects.get(code="kalbar").page
    first = _experience(client.get(kalbar.url).content.decode())
    assert len(CARD.findall(first)) == 4
    assert 'aria-current="page">1<' in first and 'rel="next"' in first
    cards, pages = _walk(client, kalbar.url)
    assert len(cards) == len(set(cards)), "a document on two pages"
    own = {p.url for p in visible_documents(users["staf-kalbar"]).descendant_of(kalbar)}
    assert own <= set(cards) and pages == -(-len(cards) // 4)
    assert re.search(rf"\({len(cards)} dokumen\)", first)


@pytest.mark.parametrize("number", ["abc", "0", "-3", "99999", "1e3", "99999999999999999999999999", "2.5", ""])
def test_a_bad_page_number_gives_a_page_not_an_error(fresh_alias, users, client, monkeypatch, number):
    monkeypatch.setattr(experience, "PAGE_SIZE", 2)
    monkeypatch.setattr(experience, "VISITS_PAGE_SIZE", 1)
    client.force_login(users["staf-kalbar"])
    kalbar = Kanwil.objects.get(code="kalbar").page
    for param in ("page", "visits_page"):
        response = client.get(kalbar.url, {param: number})
        assert response.status_code == 200
        assert CARD.findall(_experience(response.content.decode()))


def test_the_pager_speaks_english_when_asked(fresh_alias, users, client, monkeypatch):
    monkeypatch.setattr(experience, "PAGE_SIZE", 2)
    client.force_login(users["staf-kalbar"])
    client.cookies["django_language"] = "en"
    html = client.get(Kanwil.objects.get(code="kalbar").page.url).content.decode()
    assert 'rel="next"' in html and "Berikutnya" not in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_home_and_kanwil_page_query_counts_do_not_grow_with_the_corpus(fresh_alias, users, client, monkeypatch):
    monkeypatch.setattr(experience, "PAGE_SIZE", 3)
    client.force_login(users["staf-kalbar"])
    urls = ["/", Kanwil.objects.get(code="kalbar").page.url]
    # More lessons than the home page's latest cards, so its cards are of one type both times
    # (cards are fetched per document type: the count depends on the mix, not the number).
    _add_lessons(9)
    for url in urls:
        _queries(client, url)  # warm the per-process caches
    before = {url: _queries(client, url) for url in urls}
    html_before = client.get(urls[1]).content.decode()
    _add_lessons(9, start=9)
    after = {url: _queries(client, url) for url in urls}
    html_after = client.get(urls[1]).content.decode()
    assert len(CARD.findall(_experience(html_after))) == 3
    assert re.search(r"\((\d+) dokumen\)", html_after).group(1) != re.search(r"\((\d+) dokumen\)", html_before).group(1)
    assert after == before


def test_the_home_page_cache_is_cleared_by_edits_that_change_what_it_shows(page_cache_on, users):
    from wagtail.models import PageViewRestriction

    calls = []

    def load():
        calls.append(1)
        return len(calls)

    def read():
        return page_cache_on.get("probe", load)

    assert read() == 1 and read() == 1  # served from memory
    kalbar = Kanwil.objects.get(code="kalbar")
    kalbar.save()
    assert read() == 2
    restriction = PageViewRestriction.objects.create(page=kalbar.page, restriction_type=PageViewRestriction.GROUPS)
    assert read() == 3
    restriction.groups.add(*users["staf-kalbar"].groups.all())
    assert read() == 4
    restriction.delete()
    assert read() == 5
    _add_lessons(1)  # a publication
    assert read() == 6


def test_the_home_page_reads_its_cached_parts_without_queries(page_cache_on, users, client):
    client.force_login(users["staf-kalbar"])
    first = _queries(client, "/")
    html = client.get("/").content.decode()
    assert _queries(client, "/") < first
    assert html.count("kanwil-list") and Kanwil.objects.get(code="kalbar").page.url in html
