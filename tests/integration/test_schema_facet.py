"""Adding a facet is one declaration plus its source: a throw-away facet ("semester" of the
document's date), registered through search/schema.py alone, shows up in the mapping, the
parameter validation, the aggregation, the search page, the API and the OpenAPI document."""
import pytest
from django.http import QueryDict

from lessons.access.rules import visible_documents
from search import indexing, schema, service
from search import params as search_params

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

LABELS = {"1": "Semester I", "2": "Semester II"}


def semester(facts):
    """The throw-away facet's source: which half of the year the document is dated in."""
    return None if facts.date is None else ("1" if facts.date.month <= 6 else "2")


def semester_of(page):
    date = page.date or page.first_published_at.date()
    return "1" if date.month <= 6 else "2"


@pytest.fixture
def semester_facet(monkeypatch, fresh_alias, demo_index):
    """The declaration, then a fresh index under this test's alias built with it."""
    monkeypatch.setattr(schema, "FIELDS", (*schema.FIELDS, schema.Field("semester", "keyword", semester)))
    monkeypatch.setattr(schema, "FACETS", (*schema.FACETS, schema.Facet(
        "semester", "semester", "Semester", "Half of the year of the document's date: 1 or 2.",
        choices=lambda: dict(LABELS))))
    indexing.rebuild()
    return fresh_alias


@pytest.fixture
def admin(users):
    return users["admin"]


def test_a_facet_declared_in_the_schema_appears_everywhere(semester_facet, es, admin, client):
    pages = list(visible_documents(admin))
    expected = {code: sum(1 for p in pages if semester_of(p) == code) for code in LABELS}
    assert all(expected.values()), "the demo content should have documents in both halves of the year"

    # The mapping.
    mapping = next(iter(es.indices.get_mapping(index=semester_facet).values()))["mappings"]
    assert mapping["properties"]["semester"] == {"type": "keyword"}

    # Parameter validation.
    params, errors = search_params.parse(QueryDict("semester=2&semester=1"), strict=True)
    assert not errors and params.selected("semester") == ("2", "1")
    assert "semester=2" in params.url()
    _, errors = search_params.parse(QueryDict("semester=3"), strict=True)
    assert errors and "semester" in errors[0]

    # The aggregation: counts per value equal the database's, and the filter selects.
    outcome = service.run(search_params.parse(QueryDict("semester=2"), strict=True)[0], admin, page_size=100)
    facet = next(f for f in outcome.facets if f.name == "semester")
    assert [f.name for f in outcome.facets][-1] == "semester"  # declared last, shown last
    assert {v.code: v.count for v in facet.values} == expected
    assert {v.code: v.label for v in facet.values} == LABELS
    assert {hit.id for hit in outcome.hits} == {p.id for p in pages if semester_of(p) == "2"}

    # The search page.
    client.force_login(admin)
    html = client.get("/cari/", {"semester": "2"}).content.decode()
    assert 'data-facet="semester"' in html and "<h2>Semester</h2>" in html
    assert 'checked name="semester" value="2"' in html
    assert '<input type="hidden" name="semester" value="2">' in html
    assert "Semester: Semester II" in html  # the chip of the selected filter

    # The API (its answer is also checked against the OpenAPI document by tests/api_contract.py).
    body = client.get("/api/v1/search/", {"semester": "1"}).json()
    assert {v["code"]: v["count"] for v in body["facets"]["semester"]} == expected
    assert body["total"] == expected["1"]
    assert client.get("/api/v1/search/", {"semester": "x"}).status_code == 400

    # The OpenAPI document.
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/search/"]["get"]
    parameter = next(p for p in operation["parameters"] if p["name"] == "semester")
    assert parameter["schema"]["items"]["enum"] == ["1", "2"]
    assert parameter["description"].startswith("Half of the year")
    facets = operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["facets"]
    assert "semester" in facets["properties"]
