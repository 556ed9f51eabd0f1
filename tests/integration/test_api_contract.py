"""The check every API answer of the suite goes through (tests/api_contract.py) catches an
answer that breaks the published OpenAPI document."""
import pytest
from search import api
from tests import api_contract

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def reader(client, users, demo_index):
    client.force_login(users["staf-kalbar"])
    return client


def test_a_result_of_the_wrong_shape_is_caught(reader, monkeypatch):
    # A result without its url and with its id as a string: what a careless change to api._hit could do.
    original = api._hit
    monkeypatch.setattr(api, "_hit", lambda hit: {**{k: v for k, v in original(hit).items() if k != "url"},
                                                  "id": str(hit.id)})
    assert reader.get("/api/v1/search/", {"q": "penerjemah"}).status_code == 200
    found = api_contract.take_violations()
    problems = " ".join(problem for _, _, problem in found)
    assert "results/0/id" in problems and "url" in problems, found


def test_an_undeclared_status_is_caught(reader, monkeypatch):
    def broken_parser(*args, **kwargs):
        raise RuntimeError("a bug in the parameter parser")

    monkeypatch.setattr(api.search_params, "parse", broken_parser)
    reader.raise_request_exception = False
    assert reader.get("/api/v1/search/", {"q": "x"}).status_code == 500
    assert any("status 500 is not declared" in problem for _, _, problem in api_contract.take_violations())


def test_a_facet_value_of_the_wrong_type_is_caught(reader, monkeypatch):
    original = api.JsonResponse

    def counts_as_text(data, **kwargs):
        if "facets" in data:
            data["facets"]["stage"] = [{**v, "count": str(v["count"])} for v in data["facets"]["stage"]]
        return original(data, **kwargs)

    monkeypatch.setattr(api, "JsonResponse", counts_as_text)
    reader.get("/api/v1/search/")
    found = api_contract.take_violations()
    assert found and all(problem.startswith("facets/stage/") for _, _, problem in found), found


def test_answers_of_the_right_shape_pass(reader):
    for query in ({"q": "penerjemah"}, {"stage": "nope"}, {}):
        reader.get("/api/v1/search/", query)
    reader.get("/api/v1/suggest/", {"q": "pener"})
    reader.logout()
    assert reader.get("/api/v1/search/").status_code == 401
    assert api_contract.take_violations() == []
