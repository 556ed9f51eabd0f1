"""Issue 12: a Kanwil's experience is what it wrote, the visits it hosted and the documents
naming it as the source of their practice. The Kanwil filter, its facet counts, the
authorship filter, the roles on cards, document pages, the API and the Kanwil pages, all
read through the real index (demo content) and checked against the database."""
import re

import pytest
from django.http import QueryDict
from django.utils import translation

from lessons.access.rules import visible_documents
from lessons.markdown.importing import import_file
from lessons.markdown.parsing import check_references, parse_document
from lessons.models import Kanwil, StudiTiruReport
from search import params as search_params
from search import results, service
from search.building import build_document
from tests.integration.waiting import drain_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

VISIT = "studi-tiru-sumsel-ke-kalbar-p21"
PRACTICE_GUIDE = "panduan-penahanan-dan-perpanjangan-tersangka-wna"  # by Sumsel, on Kalbar's practice


def _search(user, **selection):
    query = QueryDict(mutable=True)
    for name, values in selection.items():
        query.setlist(name, values if isinstance(values, list) else [values])
    params, errors = search_params.parse(query, strict=True)
    assert not errors
    return service.run(params, user, page_size=100)


def _facts(page):
    """What the database says about one document, for the expected counts."""
    return {
        "experience": {k.code for k, _role in page.kanwil_roles()},
        "author": {page.author_kanwil.code},
        "stage": set(page.stages.values_list("code", flat=True)),
        "obstacle": set(page.obstacles.values_list("code", flat=True)),
        "type": {page.type_code},
    }


FIELD = {"kanwil": "experience", "author": "author", "stage": "stage", "obstacle": "obstacle", "type": "type"}


def _passes(facts, selection, skip=None):
    return all(facts[FIELD[name]] & set(values) for name, values in selection.items() if values and name != skip)


def _expected_counts(user, selection, facet):
    """Per code: documents the user may read that pass every other facet's selection and
    have that code (experience for `kanwil`, authorship for `author`)."""
    counts = {}
    for page in visible_documents(user):
        facts = _facts(page)
        if _passes(facts, selection, skip=facet):
            for code in facts[FIELD[facet]]:
                counts[code] = counts.get(code, 0) + 1
    return counts


def test_kalbar_with_stage_p21_finds_the_visit_sumsel_made_to_kalbar(demo_index, users):
    outcome = _search(users["staf-sumsel"], kanwil="kalbar", stage="p-21")
    visit = StudiTiruReport.objects.get(slug=VISIT)
    assert visit.host_kanwil.code == "kalbar" and visit.author_kanwil.code == "sumsel"
    assert visit.id in [hit.id for hit in outcome.hits]
    # Kalbar did not write it: the authorship filter alone does not find it.
    authored = _search(users["staf-sumsel"], author="kalbar", stage="p-21")
    assert visit.id not in [hit.id for hit in authored.hits]


SELECTIONS = [
    {},
    {"stage": ["p-21"]},
    {"type": ["studi-tiru"]},
    {"kanwil": ["kalbar", "sumsel"]},
    {"obstacle": ["bahasa-penerjemah"]},
    {"kanwil": ["kalbar"], "stage": ["p-21"]},
    {"kanwil": ["banten"], "obstacle": ["saksi"]},
]


@pytest.mark.parametrize("username", ["staf-sumsel", "admin"])
@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: "&".join(f"{k}={'+'.join(v)}" for k, v in s.items()) or "none")
def test_kanwil_facet_counts_and_totals_follow_the_experience_rule(demo_index, users, username, selection):
    user = users[username]
    outcome = _search(user, **selection)
    kanwil_facet = next(f for f in outcome.facets if f.name == "kanwil")
    counted = {v.code: v.count for v in kanwil_facet.values if v.count}
    assert counted == _expected_counts(user, selection, "kanwil")
    author_facet = next(f for f in outcome.facets if f.name == "author")
    assert {v.code: v.count for v in author_facet.values if v.count} == _expected_counts(user, selection, "author")
    expected = {p.id for p in visible_documents(user) if _passes(_facts(p), selection)}
    assert outcome.total == len(expected) and {hit.id for hit in outcome.hits} == expected
    if selection.get("kanwil"):
        # Several Kanwil: any of them (OR), as before.
        assert counted, "the selection must find something for this check to mean anything"


def test_several_kanwil_select_any_of_their_experience(demo_index, users):
    user = users["admin"]
    kalbar = {h.id for h in _search(user, kanwil="kalbar").hits}
    sumsel = {h.id for h in _search(user, kanwil="sumsel").hits}
    both = {h.id for h in _search(user, kanwil=["kalbar", "sumsel"]).hits}
    assert both == kalbar | sumsel and kalbar & sumsel  # the visit is in both experiences


def test_the_authorship_parameter_narrows_to_authors_only(demo_index, users, client):
    user = users["admin"]
    experience = {h.id for h in _search(user, kanwil="kalbar").hits}
    authored = {h.id for h in _search(user, author="kalbar").hits}
    written = {p.id for p in visible_documents(user) if p.author_kanwil.code == "kalbar"}
    assert authored == written and authored < experience
    hosted = set(StudiTiruReport.objects.live().filter(host_kanwil__code="kalbar").values_list("id", flat=True))
    assert hosted and hosted <= experience - authored
    client.force_login(users["staf-kalbar"])
    answer = client.get("/api/v1/search/", {"author": "kalbar"}).json()
    assert {r["id"] for r in answer["results"]} <= written and all(r["kanwil"] == "kalbar" for r in answer["results"])
    refused = client.get("/api/v1/search/", {"author": "atlantis"})
    assert refused.status_code == 400 and "author" in refused.json()["error"]
    spec = client.get("/api/v1/openapi.json").json()
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert "kalbar" in parameters["author"]["schema"]["items"]["enum"]
    assert "hosted" in parameters["kanwil"]["description"]


def test_the_api_says_the_role_of_each_kanwil(demo_index, users, client):
    client.force_login(users["staf-sumsel"])
    answer = client.get("/api/v1/search/", {"kanwil": "kalbar", "stage": "p-21"}).json()
    visit = StudiTiruReport.objects.get(slug=VISIT)
    hit = next(r for r in answer["results"] if r["id"] == visit.id)
    assert [(r["code"], r["role"]) for r in hit["kanwil_roles"]] == [("sumsel", "author"), ("kalbar", "host")]
    assert [r["role_label"] for r in hit["kanwil_roles"]] == ["penulis", "tuan rumah"]
    assert hit["kanwil"] == "sumsel"  # the author, as before
    spec = client.get("/api/v1/openapi.json").json()
    item = spec["paths"]["/api/v1/search/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    roles = item["properties"]["results"]["items"]["properties"]["kanwil_roles"]
    assert roles["items"]["properties"]["role"]["enum"] == ["author", "host", "practice"]
    with translation.override("en"):
        english = results.kanwil_roles([{"code": "kalbar", "role": "host"}, {"code": "kalbar", "role": "practice"}],
                                       {"kalbar": "Kalimantan Barat"})
    assert [r["role_label"] for r in english] == ["host", "source of practice"]


def _roles_in(html):
    return re.findall(r'data-kanwil="([\w-]+)" data-role="(\w+)">[^<]*<span class="role">\(([^)]+)\)', html)


def test_the_card_and_the_document_page_say_the_roles(demo_index, users, client):
    client.force_login(users["staf-sumsel"])
    visit = StudiTiruReport.objects.get(slug=VISIT)
    html = client.get("/cari/", {"kanwil": "kalbar", "stage": "p-21"}).content.decode()
    card = re.search(rf'<article class="result">(?:(?!</article>).)*href="{re.escape(visit.url)}"(?:(?!</article>).)*</article>',
                     html, re.S)
    assert card, "the visit report is not among the results"
    assert _roles_in(card.group(0)) == [("sumsel", "author", "penulis"), ("kalbar", "host", "tuan rumah")]
    page = client.get(visit.url).content.decode()
    header = page.split("<h1>", 1)[0]
    assert _roles_in(header) == [("sumsel", "author", "penulis"), ("kalbar", "host", "tuan rumah")]
    client.cookies["django_language"] = "en"
    english = client.get(visit.url).content.decode().split("<h1>", 1)[0]
    client.cookies["django_language"] = "id"
    assert _roles_in(english) == [("sumsel", "author", "author"), ("kalbar", "host", "host")]


def test_practice_sources_are_experience_with_their_role(demo_index, users, client):
    guide = next(p for p in visible_documents(users["admin"]) if p.slug == PRACTICE_GUIDE)
    assert [(k.code, role) for k, role in guide.kanwil_roles()] == [("sumsel", "author"), ("kalbar", "practice")]
    assert guide.id in {h.id for h in _search(users["admin"], kanwil="kalbar").hits}
    assert guide.id not in {h.id for h in _search(users["admin"], author="kalbar").hits}
    document = build_document(guide)
    assert document["experience_kanwil"] == ["kalbar", "sumsel"] and document["practice_kanwil"] == ["kalbar"]


def test_the_kalbar_page_lists_the_hosted_visit_and_sumsel_the_visit_it_made(demo_index, users, client):
    client.force_login(users["staf-kalbar"])
    visit = StudiTiruReport.objects.get(slug=VISIT)
    kalbar = Kanwil.objects.get(code="kalbar").page
    html = client.get(kalbar.url).content.decode()
    experience = html.split('<section class="kanwil-experience">', 1)[1].split("</section>", 1)[0]
    card = re.search(rf'<article class="doc-card">(?:(?!</article>).)*href="{re.escape(visit.url)}"(?:(?!</article>).)*</article>',
                     experience, re.S)
    assert card and "Peran Kanwil ini: <strong>tuan rumah</strong>" in card.group(0)
    guide = next(p for p in visible_documents(users["admin"]) if p.slug == PRACTICE_GUIDE)
    assert guide.url in experience and "<strong>sumber praktik</strong>" in experience
    own = {p.url for p in visible_documents(users["staf-kalbar"]).descendant_of(kalbar)}
    assert own and all(url in html for url in own)
    sumsel = client.get(Kanwil.objects.get(code="sumsel").page.url).content.decode()
    made = sumsel.split('<section class="kanwil-visits-made">', 1)[1].split("</section>", 1)[0]
    assert visit.url in made and "<strong>penulis</strong>" in made


def _front_matter(extra):
    return ("---\ntype: pelajaran\ntitle: Pelajaran praktik Kalbar dari uji\nkanwil: sumsel\n"
            f"stages: [p-21]\n{extra}---\n## Situasi\nSumsel meniru cara Kalbar menyusun berkas.\n").encode()


def test_front_matter_practice_of_is_checked_like_kanwil():
    doc, problems = parse_document("a.md", _front_matter("practice_of: [kalbar, Kepri]\n"), 100_000)
    assert not problems and doc.practice_of == ["kalbar", "kepri"]
    doc, problems = parse_document("a.md", _front_matter("practice_of: [atlantis]\n"), 100_000)
    found = check_references(doc, {"kanwil": {"kalbar", "sumsel"}, "stages": {"p-21"}, "obstacles": set(), "provisions": set()})
    assert [(p.field, p.line) for p in found] == [("practice_of", 6)]
    assert "kode Kanwil tidak dikenal 'atlantis'" in str(found[0])
    doc, problems = parse_document("a.md", _front_matter(""), 100_000)
    assert not problems and doc.practice_of == []


def test_import_stores_practice_sources_and_reindexes(fresh_alias, users, es):
    result = import_file("praktik.md", _front_matter("practice_of: [kalbar]\n"), publish=True, user=None)
    assert result.ok, result.problems
    page = result.page.specific.__class__.objects.get(pk=result.page.pk)
    assert [k.code for k in page.practice_kanwils.all()] == ["kalbar"]
    drain_until(lambda: page.id in {h.id for h in _search(users["admin"], kanwil="kalbar").hits}, 60,
                "the imported lesson in Kalbar's experience")
    again = import_file("praktik.md", _front_matter("practice_of: [kepri]\n"), publish=True, user=None)
    assert again.ok and not again.unchanged
    drain_until(lambda: page.id in {h.id for h in _search(users["admin"], kanwil="kepri").hits}, 60,
                "the re-imported lesson in Kepri's experience")
    assert page.id not in {h.id for h in _search(users["admin"], kanwil="kalbar").hits}


def _kanwil_page_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_kanwil_page_query_count_does_not_grow_with_its_experience(fresh_alias, users, client):
    """Each card's roles (host, practice sources) are fetched per document type, not per card."""
    client.force_login(users["staf-kalbar"])
    url = Kanwil.objects.get(code="kalbar").page.url
    _kanwil_page_queries(client, url)  # warm the per-process caches
    before = _kanwil_page_queries(client, url)
    for n in range(3):
        for name, text in [
            (f"own-{n}.md", f"---\ntype: pelajaran\ntitle: Pelajaran Kalbar tambahan {n}\nkanwil: kalbar\n"
                            "stages: [p-21]\npractice_of: [kepri]\n---\n## Situasi\nIsi.\n"),
            (f"host-{n}.md", f"---\ntype: studi-tiru\ntitle: Kunjungan ke Kalbar {n}\nkanwil: kepri\nhost_kanwil: kalbar\n"
                             "stages: [p-21]\n---\n## Tujuan\nBelajar.\n"),
            (f"practice-{n}.md", f"---\ntype: panduan\ntitle: Panduan cara Kalbar {n}\nkanwil: sumsel\n"
                                 "stages: [p-21]\npractice_of: [kalbar, kepri]\n---\n## Langkah\n### Satu\nIsi.\n"),
        ]:
            result = import_file(name, text.encode(), publish=True, user=None)
            assert result.ok, result.problems
    html = client.get(url).content.decode()
    assert "Kunjungan ke Kalbar 2" in html and "Panduan cara Kalbar 2" in html and "Pelajaran Kalbar tambahan 2" in html
    assert _kanwil_page_queries(client, url) == before
