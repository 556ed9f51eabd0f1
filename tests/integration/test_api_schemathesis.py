"""Schemathesis over the published OpenAPI document, against the portal served over HTTP
with the demo content indexed, logged in with a session cookie. Every operation gets a
bounded number of generated requests (valid and invalid ones); none may answer 500, every
answer must match the document (status, content type, body) and valid requests must be
accepted. (The schemathesis pytest plugin's from_fixture does not work with pytest 9.2, so
the operations' Hypothesis strategies are driven here directly.) The middleware of
tests/api_contract.py checks the same answers from the server side."""
import time
from importlib import import_module

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.live_server import serving_portal

pytestmark = pytest.mark.integration

EXAMPLES = 80  # per operation and generation mode (valid, invalid); the test stays well under two minutes
# No 500, and status, content type and body as documented. Not negative_data_rejection: the
# API deliberately reads an empty `sort` or `page` as the default, as the search page does.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def portal_url(demo_index, django_db_blocker):
    """The portal served from a thread of this process over the test database as it is
    (not pytest-django's live_server, whose flush would remove the demo content)."""
    with serving_portal(django_db_blocker) as url:
        yield url


@pytest.fixture(scope="module")
def session_cookie(django_db_setup, django_db_blocker):
    """A logged-in session of a Kanwil staff member, stored (committed) where the server thread reads it."""
    from django.conf import settings as django_settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    with django_db_blocker.unblock():
        user = get_user_model().objects.get(username="staf-kalbar")
        store = import_module(django_settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
    yield {django_settings.SESSION_COOKIE_NAME: store.session_key}
    with django_db_blocker.unblock():
        store.delete()


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    """The server thread reads the database while the test runs: no wrapping transaction."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def api_schema(db, portal_url, session_cookie):
    cookie = "; ".join(f"{k}={v}" for k, v in session_cookie.items())
    return schemathesis.openapi.from_url(f"{portal_url}/api/v1/openapi.json", headers={"Cookie": cookie})


def exercise(operation, mode, session_cookie, figures):
    """EXAMPLES generated requests of one kind (valid or invalid) to one operation."""
    checks = CHECKS + ([positive_data_acceptance] if mode == GenerationMode.POSITIVE else [])

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def run(case):
        response = case.call_and_validate(cookies=session_cookie, checks=checks)
        figures[response.status_code] = figures.get(response.status_code, 0) + 1

    run()


def test_api_answers_match_the_published_document(api_schema, session_cookie):
    started, statuses, operations = time.perf_counter(), {}, []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            exercise(operation, mode, session_cookie, statuses)
    seconds = time.perf_counter() - started
    print(f"\nschemathesis: {sum(statuses.values())} requests over {operations}, "
          f"statuses {dict(sorted(statuses.items()))}, {seconds:.1f} s")
    assert operations == ["GET /api/v1/search/", "GET /api/v1/suggest/"]
    assert statuses.get(200) and statuses.get(400), statuses  # valid and invalid requests both reached the API
