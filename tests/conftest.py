"""Shared fixtures. Integration tests use the real Elasticsearch node (started by
`make test`) and a real database holding the demo content; a missing node is a failure,
never a skip."""
import pytest
from django.conf import settings

from search.client import cluster_url, get_client


@pytest.fixture(autouse=True)
def api_contract():
    """Fails the test if an /api/ answer it caused broke the OpenAPI document (see
    tests/api_contract.py); for the live servers' threads too."""
    from tests import api_contract

    api_contract.take_violations()
    yield
    found = api_contract.take_violations()
    if found:
        pytest.fail("API answers that break the OpenAPI document:\n" + "\n".join(
            f"  {path} -> {status}: {problem}" for path, status, problem in found[:20]), pytrace=False)


def pytest_terminal_summary(terminalreporter):
    from tests import api_contract

    terminalreporter.write_line(f"API contract: {api_contract.checked['responses']} /api/ responses validated "
                                "against the OpenAPI document")


@pytest.fixture(scope="session")
def es():
    """The real node; fails the requesting test when it is not there."""
    client = get_client()
    try:
        health = client.cluster.health(wait_for_status="yellow", timeout="30s")
    except Exception as error:  # noqa: BLE001 - any failure means "no usable node"
        pytest.fail(f"Elasticsearch is not reachable at {cluster_url()} ({error}). Start it: "
                    "python manage.py elasticsearch start", pytrace=False)
    assert health["status"] in ("green", "yellow")
    yield client
    delete_indices(client, settings.SEARCH_INDEX_ALIAS)


def delete_indices(client, prefix):
    """The cluster refuses wildcard deletes, so name each index."""
    names = list(client.indices.get(index=f"{prefix}*", expand_wildcards="all").keys())
    if names:
        client.indices.delete(index=",".join(names), ignore_unavailable=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Once per run: demo content in the test database."""
    from portal.demo import load_demo

    with django_db_blocker.unblock():
        failures = load_demo(report=lambda line: None)
        assert not failures, [str(p) for f in failures for p in f.problems]


@pytest.fixture(scope="session")
def demo_index(es, django_db_setup, django_db_blocker):
    """The demo content indexed under this run's alias."""
    from search import indexing
    from search.models import PendingIndexUpdate

    with django_db_blocker.unblock():
        indexing.rebuild()
        PendingIndexUpdate.objects.all().delete()
    return settings.SEARCH_INDEX_ALIAS


@pytest.fixture
def users(db):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def fresh_alias(es, settings):
    """A private, empty index alias for tests that change what is indexed."""
    import uuid

    from search import indexing

    settings.SEARCH_INDEX_ALIAS = f"lintas-test-private-{uuid.uuid4().hex[:10]}"
    indexing.ensure_index()
    yield settings.SEARCH_INDEX_ALIAS
    delete_indices(es, settings.SEARCH_INDEX_ALIAS)


@pytest.fixture
def page_cache_on(settings, monkeypatch):
    """As between requests, which run outside any transaction (the test itself runs in one)."""
    from portal import page_cache

    settings.REFERENCE_CACHE_SECONDS = 60
    monkeypatch.setattr(page_cache, "_in_transaction", lambda: False)
    page_cache.clear()
    yield page_cache
    page_cache.clear()
