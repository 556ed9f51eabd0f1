"""Schemathesis over the published OpenAPI document, against the portal served over HTTP
with the demo content indexed, logged in with a session cookie. Every operation gets a
bounded number of generated requests (valid and invalid ones); none may answer 500, and
every answer must match the document (status, content type, body). The middleware of
tests/api_contract.py checks the same answers from the server side."""
import time
from importlib import import_module

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.integration

EXAMPLES = 40  # per operation and generation mode; the whole test stays well under two minutes
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          positive_data_acceptance]
FIGURES = {"requests": 0, "statuses": {}, "started": None}


@pytest.fixture(scope="module")
def portal_url(demo_index, django_db_blocker):
    """The portal served from a thread of this process over the test database as it is
    (not pytest-django's live_server, whose flush would remove the demo content)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    with django_db_blocker.unblock():
        shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
        for conn in shared.values():
            conn.inc_thread_sharing()
        thread = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override=shared, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    for conn in shared.values():
        conn.dec_thread_sharing()


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
    loaded = schemathesis.openapi.from_url(f"{portal_url}/api/v1/openapi.json", headers={"Cookie": cookie})
    FIGURES["started"] = FIGURES["started"] or time.perf_counter()
    return loaded


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    if FIGURES["started"]:
        print(f"\nschemathesis: {FIGURES['requests']} requests, statuses {dict(sorted(FIGURES['statuses'].items()))}, "
              f"{time.perf_counter() - FIGURES['started']:.1f} s")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_answers_match_the_published_document(case, session_cookie):
    response = case.call_and_validate(cookies=session_cookie, checks=CHECKS)
    FIGURES["requests"] += 1
    FIGURES["statuses"][response.status_code] = FIGURES["statuses"].get(response.status_code, 0) + 1
