"""A document page's related documents are asked for while the page renders
(search.related_early): the page shows what the synchronous service gives, nothing is asked
for a reader the page turns away, and an unreachable engine only drops the list."""
import re

import pytest
from django.contrib.auth import get_user_model

from lessons.access.rules import visible_documents
from search import related_early, service

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def related_urls(html):
    aside = re.search(r'<aside class="related".*?</aside>', html, re.S)
    return re.findall(r'<h3><a href="([^"]+)">', aside.group(0)) if aside else []


@pytest.fixture
def reader(users, demo_index):
    return users["staf-kalbar"]


def test_page_shows_the_related_documents_asked_early(client, reader):
    page = next(iter(visible_documents(reader)))
    client.force_login(reader)
    response = client.get(page.url)
    assert response.status_code == 200
    # Asked before rendering and collected by the template: the request's pending answers
    # were made (so the early path ran) and are all taken.
    assert getattr(response.wsgi_request, related_early.ATTRIBUTE) == {}
    expected = [hit.url for hit in service.related(page, reader)]
    assert expected and related_urls(response.content.decode()) == expected


def test_nothing_is_asked_for_a_reader_the_page_turns_away(client, users, demo_index):
    readers = get_user_model().objects.filter(is_superuser=False, is_active=True)
    every = {p.id for p in visible_documents(users["admin"])}
    for outsider in readers:
        hidden = every - {p.id for p in visible_documents(outsider)}
        if hidden:
            break
    else:
        pytest.fail("the demo content has no document hidden from any reader")
    page = next(p for p in visible_documents(users["admin"]) if p.id in hidden)
    client.force_login(outsider)
    response = client.get(page.url)
    assert response.status_code == 404
    assert not hasattr(response.wsgi_request, related_early.ATTRIBUTE)
    client.logout()
    response = client.get(page.url)  # Wagtail's own check answers first (a login form)
    assert response.status_code != 200
    assert not hasattr(response.wsgi_request, related_early.ATTRIBUTE)


def test_unreachable_engine_drops_only_the_related_list(client, settings, reader):
    page = next(iter(visible_documents(reader)))
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    client.force_login(reader)
    response = client.get(page.url)
    assert response.status_code == 200
    assert page.title in response.content.decode() and related_urls(response.content.decode()) == []
    assert getattr(response.wsgi_request, related_early.ATTRIBUTE) == {}
