"""Generated hostile search requests (Hypothesis) against the search page and the JSON API,
on the real node with the demo content indexed. No answer may be a 500; the API answers 200
or 400 with its messages; every request is timed, and the figures are printed."""
import statistics
import time
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from tests.hostile.strategies import hostile_pairs, raw_query_string

pytestmark = pytest.mark.django_db

MAX_SECONDS = 2.0
EXAMPLES = 260  # each example sends two requests, the page and the API; two tests -> ~1,040
TIMES = {"page": [], "api": []}
STATUSES = {}


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    every = TIMES["page"] + TIMES["api"]
    if every:
        print(f"\nhostile search requests: {len(every)} (page {len(TIMES['page'])}, api {len(TIMES['api'])}); "
              f"statuses {dict(sorted(STATUSES.items()))}; max {max(every) * 1000:.0f} ms, "
              f"median {statistics.median(every) * 1000:.0f} ms")


@pytest.fixture
def reader(client, users, demo_index):
    client.force_login(users["staf-kalbar"])
    return client


def send(client, door, query_string):
    path = reverse("search") if door == "page" else "/api/v1/search/"
    started = time.perf_counter()
    response = client.get(f"{path}?{query_string}")
    seconds = time.perf_counter() - started
    TIMES[door].append(seconds)
    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
    assert response.status_code != 500, query_string
    assert seconds < MAX_SECONDS, f"{door} {seconds:.2f} s: {query_string[:200]}"
    if door == "page":
        assert response.status_code == 200, (response.status_code, query_string)
    else:
        assert response.status_code in (200, 400), (response.status_code, query_string)
        body = response.json()
        if response.status_code == 400:
            assert body["errors"] and all(isinstance(e, str) and e for e in body["errors"])
        else:
            assert body["degraded"] is False  # answered by Elasticsearch, not the fallback
    return response


HYPOTHESIS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@HYPOTHESIS
@given(pairs=hostile_pairs())
def test_generated_parameters_never_give_a_500(reader, pairs):
    query_string = urlencode(pairs)
    send(reader, "page", query_string)
    send(reader, "api", query_string)


@HYPOTHESIS
@given(query_string=raw_query_string())
def test_raw_query_strings_never_give_a_500(reader, query_string):
    send(reader, "page", query_string)
    send(reader, "api", query_string)


@pytest.mark.parametrize("year", ["²⁰²⁴", "②⓪②④", "٢٠٢٤", "２０２４"])
def test_unicode_digit_years_get_the_message_on_both_doors(reader, year):
    page = send(reader, "page", urlencode({"year": year}))
    assert "Tahun tidak valid" in page.content.decode()
    api = send(reader, "api", urlencode({"year": year}))
    assert api.status_code == 400 and api.json()["errors"][0].startswith("Tahun tidak valid")


def test_deepest_page_within_the_result_window_answers(reader):
    from search.params import max_page

    api = send(reader, "api", urlencode({"page": max_page()}))
    assert api.status_code == 200 and api.json()["results"] == []
    too_deep = send(reader, "api", urlencode({"page": max_page() + 1}))
    assert too_deep.status_code == 400
