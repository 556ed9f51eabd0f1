"""Search against the real node over the demo content: language handling, facets, and
permissions, with expectations computed from the database rather than written down."""
import pytest
from django.http import QueryDict

from lessons.access.rules import visible_documents
from search import params as search_params
from search import schema, service

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def run(user, query=""):
    params, errors = search_params.parse(QueryDict(query), strict=True)
    assert not errors, errors
    return service.run(params, user, page_size=100)


def facet_codes(page):
    """What each facet sees of a document, read from the database."""
    date = page.date or page.first_published_at.date()
    return {
        "stage": {s.code for s in page.stages.all()},
        "obstacle": {o.code for o in page.obstacles.all()},
        "kanwil": {k.code for k, _role in page.kanwil_roles()},  # experience: author, host, practice sources
        "author": {page.author_kanwil.code},
        "type": {page.type_code},
        "year": {str(date.year)},
        "provision": {p.code for p in page.provisions.all()},
    }


def db_matches(user, selections, skip=None):
    docs = []
    for page in visible_documents(user):
        codes = facet_codes(page)
        if all(codes[f] & set(v) for f, v in selections.items() if f != skip and v):
            docs.append((page, codes))
    return docs


@pytest.fixture
def viewer(users, demo_index):
    return users["staf-kalbar"]


def ids(outcome):
    return [hit.id for hit in outcome.hits]


def test_stage_and_obstacle_filter_returns_exactly_the_matching_documents(viewer):
    outcome = run(viewer, "stage=p-19&obstacle=bahasa-penerjemah")
    expected = {page.id for page, _ in db_matches(viewer, {"stage": ["p-19"], "obstacle": ["bahasa-penerjemah"]})}
    assert expected, "the demo content should hold such documents"
    assert set(ids(outcome)) == expected
    assert outcome.total == len(expected)


@pytest.mark.parametrize("query", [
    "stage=p-19&obstacle=bahasa-penerjemah",
    "stage=p-19&stage=p-21&obstacle=koordinasi-kejaksaan&obstacle=bahasa-penerjemah",
    "type=pelajaran&kanwil=kalbar&kanwil=kepri",
    "year=2024&stage=pemeriksaan",
    "provision=pasal-122&type=studi-tiru&type=panduan",
    "",
])
def test_every_facet_count_equals_the_database_count_with_the_other_selections(viewer, query):
    outcome = run(viewer, query)
    selections = {f: list(outcome.params.selected(f)) for f in schema.facet_params()}
    for facet in outcome.facets:
        pool = db_matches(viewer, selections, skip=facet.name)
        for value in facet.values:
            expected = sum(1 for _, codes in pool if value.code in codes[facet.name])
            assert value.count == expected, (facet.name, value.code, value.count, expected)
        # and no value with documents is missing from the list
        present = {code for _, codes in pool for code in codes[facet.name]}
        assert present <= {v.code for v in facet.values}, facet.name


def test_stemmed_variant_finds_documents_with_related_word_forms(viewer):
    found = {hit.id for hit in run(viewer, "q=disidik").hits}
    with_relatives = {
        page.id for page in visible_documents(viewer)
        if any(word in " ".join(page.text_sections()).lower().split() for word in ("penyidikan", "penyidik", "menyidik"))
    }
    assert "disidik" not in " ".join(p.title.lower() for p in visible_documents(viewer))
    assert with_relatives and with_relatives <= found


@pytest.mark.parametrize("variant", ["P21", "P 21", "berkas lengkap", "p21"])
def test_p_code_spellings_give_the_same_top_results(viewer, variant):
    reference = ids(run(viewer, "q=P-21"))[:5]
    assert len(reference) == 5
    assert set(ids(run(viewer, f"q={variant}"))[:5]) == set(reference)


def test_acronym_and_its_long_form_find_each_other(fresh_alias, users):
    """Two new documents, one writing only 'warga negara asing', one only 'WNA': each
    spelling finds both (the demo content happens to use both forms everywhere)."""
    import datetime

    from lessons.models import LessonLearned
    from portal.models import KanwilPage
    from search import outbox

    section = KanwilPage.objects.get(kanwil__code="ntb")
    ids_ = []
    for title, text in (("Kapal nelayan zirkon", "Tiga warga negara asing ditemukan di kapal nelayan zirkon."),
                        ("Dermaga zirkon", "Dua WNA turun di dermaga zirkon tanpa paspor.")):
        page = LessonLearned(title=title, summary=text, date=datetime.date(2025, 2, 1), author_kanwil=section.kanwil)
        section.add_child(instance=page)
        page.save_revision().publish()
        ids_.append(page.id)
    outbox.drain()
    admin = users["admin"]
    assert set(ids(run(admin, "q=WNA+zirkon"))) == set(ids_)
    assert set(ids(run(admin, "q=warga+negara+asing+zirkon"))) == set(ids_)


def test_province_nickname_and_full_name_are_one(viewer):
    assert set(ids(run(viewer, "q=Kalbar"))[:5]) & set(ids(run(viewer, "q=Kalimantan+Barat"))[:5])


def test_results_name_their_stages_and_obstacles(viewer):
    from lessons.models import Stage

    outcome = run(viewer, "stage=p-19")
    label = Stage.objects.get(code="p-19").name
    assert outcome.hits and all(label in hit.subjects for hit in outcome.hits)


def test_highlights_mark_the_matched_word_forms(viewer):
    outcome = run(viewer, "q=penerjemah")
    fragments = " ".join(f for hit in outcome.hits for f in hit.highlight)
    assert "<mark>" in fragments


def _marked_by_field(user, query):
    """{highlighted field: words marked in it} over the first page, straight from the node."""
    import re

    from lessons.access.rules import access_tokens_for_user
    from search import queries
    from search.client import get_client

    params, errors = search_params.parse(QueryDict(query), strict=True)
    assert not errors, errors
    search = queries.build_search(params, glossary=service.glossary(), access_tokens=access_tokens_for_user(user),
                                  page_size=10)
    marked = {}
    for hit in search.using(get_client()).execute().hits:
        for name, fragments in hit.meta.highlight.to_dict().items() if hasattr(hit.meta, "highlight") else ():
            for fragment in fragments:
                marked.setdefault(name, set()).update(w.lower() for w in re.findall(r"<mark>(.*?)</mark>", fragment))
    return marked


def test_highlights_mark_other_forms_and_typos_in_every_highlighted_field(viewer):
    """Word forms (*sidik* in penyidikan, disidik) and the intended word of a typo are marked,
    in the body too, not only in the field the typo and word-form clauses name."""
    from search.analysis import stem

    marked = _marked_by_field(viewer, "q=penyidikan")
    forms = {w for words in marked.values() for w in words if w != "penyidikan" and stem(w) == stem("penyidikan")}
    assert forms, marked
    assert any(stem(w) == stem("penyidikan") for w in marked.get("body", ())), marked
    typo = _marked_by_field(viewer, "q=penerjemha")
    assert any("penerjemah" in words for words in typo.values()), typo
    assert "penerjemah" in typo.get("body", set()) | typo.get("attachments", set()), typo


def test_query_without_hits_offers_a_spelling_suggestion(viewer):
    outcome = run(viewer, "q=jkaas")  # too far from "jaksa" for typo matching
    assert outcome.total == 0
    assert outcome.suggestion == "jaksa"
    assert run(viewer, "q=jaksa").suggestion == ""
    # The suggestion keeps the filters, so it is only offered when it finds something with them.
    assert run(viewer, "q=jkaas&year=1999").suggestion == ""


def test_misspelt_words_still_find_documents(viewer):
    misspelt, correct = ids(run(viewer, "q=penerjemha")), ids(run(viewer, "q=penerjemah"))
    assert misspelt and misspelt[0] in correct[:3]


def test_zero_results_with_filters_offers_dropping_one(viewer):
    outcome = run(viewer, "q=penerjemah&stage=p-19&year=1999")
    assert outcome.total == 0
    assert [facet for facet, *_ in outcome.relaxations] == ["year"]  # dropping the stage would not help
    facet, _title, count, url = outcome.relaxations[0]
    assert count == run(viewer, "q=penerjemah&stage=p-19").total > 0
    assert "year=" not in url and "stage=p-19" in url


def test_restricted_documents_stay_hidden_from_other_kanwil_even_in_counts(users, demo_index):
    from wagtail.models import PageViewRestriction

    restriction = PageViewRestriction.objects.filter(restriction_type="groups").first()
    assert restriction, "the demo content should hold a restricted document"
    page = restriction.page.specific
    from django.contrib.auth import get_user_model

    allowed = get_user_model().objects.create(username="reader-allowed")
    allowed.groups.set([restriction.groups.first()])
    outsider = next(u for u in users.values() if not u.is_superuser and not set(u.groups.all()) & set(restriction.groups.all()))
    exact_title = f"q={page.title}"
    assert page.id in ids(run(allowed, exact_title))
    hidden = run(outsider, exact_title)
    assert page.id not in ids(hidden)
    everything_outsider, everything_allowed = run(outsider), run(allowed)
    assert everything_outsider.total == len(visible_documents(outsider))
    assert everything_allowed.total == len(visible_documents(allowed))
    assert page.id in {p.id for p in visible_documents(allowed)} - {p.id for p in visible_documents(outsider)}
    type_counts = {v.code: v.count for f in everything_outsider.facets if f.name == "type" for v in f.values}
    assert sum(type_counts.values()) == everything_outsider.total
    assert all(page.id not in ids(service.run(search_params.parse(QueryDict(f"q={w}"), strict=True)[0], outsider))
               for w in page.title.split()[:3])


def test_related_documents_share_subject_and_respect_permissions(viewer):
    page = next(iter(visible_documents(viewer)))
    related = service.related(page, viewer)
    assert related and page.id not in {hit.id for hit in related}
    visible = {p.id for p in visible_documents(viewer)}
    assert {hit.id for hit in related} <= visible


def test_sort_by_date_and_pagination(viewer):
    params, _ = search_params.parse(QueryDict("sort=newest"), strict=True)
    newest = service.run(params, viewer, page_size=5)
    dates = [hit.date for hit in newest.hits]
    assert dates == sorted(dates, reverse=True)
    second, _ = search_params.parse(QueryDict("sort=newest&page=2"), strict=True)
    assert not set(ids(newest)) & set(ids(service.run(second, viewer, page_size=5)))


def test_suggestions_offer_titles_and_glossary_terms(viewer):
    items = service.suggestions("pener", viewer)
    assert any(item["kind"] == "istilah" and item["text"].lower().startswith("pener") for item in items)
    titles = [page.title for page in visible_documents(viewer)]
    unique = next(t for t in titles if sum(other.startswith(t[:15]) for other in titles) == 1)
    assert any(item["text"] == unique for item in service.suggestions(unique[:15], viewer))
    # a word from the middle of a title completes it too
    middle = unique.split()[2:4]
    assert any(item["text"] == unique for item in service.suggestions(" ".join(middle), viewer))


def test_control_characters_in_the_autocomplete_prefix_are_dropped(client, viewer):
    # Found by schemathesis on PostgreSQL, which refuses a NUL in the glossary lookup (a 500).
    expected = service.suggestions("pener", viewer)
    assert expected and service.suggestions("pe\x00ner\x07", viewer) == expected
    client.force_login(viewer)
    assert client.get("/api/v1/suggest/", {"q": "pener\x00"}).json()["suggestions"] == expected


def test_search_page_says_plainly_when_elasticsearch_is_away_and_falls_back(client, settings, viewer):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    client.force_login(viewer)
    response = client.get("/cari/", {"q": "penerjemah"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mesin pencari sedang tidak dapat dihubungi" in html
    outcome = response.context["outcome"]
    assert outcome.unavailable and outcome.hits
    visible = {p.id for p in visible_documents(viewer)}
    assert {hit.id for hit in outcome.hits} <= visible
    api = client.get("/api/v1/search/", {"q": "penerjemah"})
    assert api.status_code == 200 and api.json()["degraded"] is True


@pytest.mark.parametrize("query", [
    "q=" + "x" * 5000, "page=-1", "page=abc", "stage=<script>", "sort=drop", "q=%22unbalanced", "q=)(*&^%25$",
    "q=[[[", "year=20x4", "kanwil=" + "a" * 300, "q=p-21&stage=p-21&stage=p-21",
])
def test_bad_input_never_breaks_the_page_and_the_api_explains(client, viewer, query):
    client.force_login(viewer)
    page = client.get("/cari/?" + query)
    assert page.status_code == 200
    api = client.get("/api/v1/search/?" + query)
    assert api.status_code in (200, 400)
    if api.status_code == 400:
        assert api.json()["error"]


def test_api_returns_results_and_facets_in_the_documented_shape(client, viewer, settings):
    client.force_login(viewer)
    settings.SEARCH_PAGE_SIZE = 2  # so that the answer is one page of several
    expected = {page.id for page, _ in db_matches(viewer, {"stage": ["p-19"]})}
    listed = client.get("/api/v1/search/", {"stage": "p-19"}).json()
    assert listed["total"] == len(expected) > settings.SEARCH_PAGE_SIZE
    assert len(listed["results"]) == settings.SEARCH_PAGE_SIZE and {r["id"] for r in listed["results"]} <= expected
    assert listed["pages"] == -(-len(expected) // settings.SEARCH_PAGE_SIZE)
    body = client.get("/api/v1/search/", {"q": "penerjemah", "stage": "p-19"}).json()
    assert body["total"] == run(viewer, "q=penerjemah&stage=p-19").total
    first = body["results"][0]
    assert set(first) == {"id", "title", "url", "type", "kanwil", "kanwil_roles", "stages", "obstacles", "date",
                          "highlight"}
    assert "p-19" in first["stages"]
    stage_values = body["facets"]["stage"]
    assert [v["code"] for v in stage_values][:3] == ["pengawasan", "penyelidikan", "spdp"]  # procedural order
    assert next(v for v in stage_values if v["code"] == "p-19")["selected"] is True
    schema = client.get("/api/v1/openapi.json").json()
    params = {p["name"] for p in schema["paths"]["/api/v1/search/"]["get"]["parameters"]}
    assert params == {"q", "sort", "page", "stage", "obstacle", "kanwil", "type", "year", "provision", "author"}
    assert client.get("/api/v1/search/", {"stage": "nope"}).status_code == 400
    assert client.get("/api/v1/search/", {"colour": "red"}).status_code == 400


def test_spelling_suggestion_leads_somewhere(viewer):
    # Words nothing resembles are dropped from the suggestion rather than kept in it.
    outcome = run(viewer, "q=jkaas+xqzvwk+blorfty")
    assert outcome.suggestion == "jaksa"
    assert run(viewer, f"q={outcome.suggestion}").total > 0


def test_a_failed_request_of_the_multi_search_raises_its_own_error(demo_index):
    """One search's requests go in one multi-search; a failed one must surface as the error
    a single search would raise (its status and type), so an alias swap is still retried."""
    from elasticsearch import ApiError
    from elasticsearch.dsl import Search

    from search.documents import alias_name

    answered = service.multi_search([Search(index=alias_name()).extra(size=1)])
    assert answered[0].hits.total.value > 0
    with pytest.raises(ApiError) as caught:
        service.multi_search([Search(index=alias_name()), Search(index="lintas-no-such-index")])
    assert caught.value.meta.status == 404
    assert service._swap_error(caught.value)


def test_autocomplete_for_an_unrestricted_reader_asks_one_context_and_completes_restricted_titles(users, demo_index):
    """A superuser's completion names the one context every document carries, not every
    access token there is, and still completes a restricted document's title; an outsider's
    does not complete it."""
    from wagtail.models import PageViewRestriction

    from search import queries

    admin = next(u for u in users.values() if u.is_superuser)
    restriction = PageViewRestriction.objects.filter(restriction_type="groups").first()
    title = restriction.page.title
    outsider = next(u for u in users.values() if not u.is_superuser and not set(u.groups.all()) & set(restriction.groups.all()))
    assert queries.suggest_search(title[:12], None).to_dict()["suggest"]["titles"]["completion"]["contexts"] == {
        "access": ["every-document"]}
    assert any(item["text"] == title for item in service.suggestions(title[:20], admin))
    assert not any(item["text"] == title for item in service.suggestions(title[:20], outsider))


def test_paging_past_the_rescore_window_never_repeats_or_skips_a_document(viewer, monkeypatch):
    """Pages of three, one after the other, list exactly the documents of one long page, in
    its order: the rescore window does not change with the page asked for."""
    from search import queries

    monkeypatch.setattr(queries, "RESCORE_WINDOW", 4)
    query = "q=saksi ahli"  # phrase and word-pair bonuses reorder its matches
    seen, page = [], 1
    while True:
        params, errors = search_params.parse(QueryDict(f"{query}&page={page}"), strict=True)
        assert not errors, errors
        found = ids(service.run(params, viewer, page_size=3))
        if not found:
            break
        seen.extend(found)
        page += 1
    whole = run(viewer, query)
    assert whole.total > 8, "the query should match more documents than the window"
    assert seen == ids(whole)
