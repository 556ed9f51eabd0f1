"""Query building without a server: the Search objects as dicts."""
from search.analysis import Glossary
from search.params import SearchParams
from search.queries import RESCORE_WINDOW, build_counts, build_search, concepts, required_matches
from search.spelling import spelling_search, spelling_words, words_seen_search

GLOSSARY = Glossary([("WNA", ["warga negara asing"]), ("Kalbar", ["Kalimantan Barat"])])


def built(params, tokens=("all", "group:7")):
    return build_search(params, glossary=GLOSSARY, access_tokens=tokens, page_size=10).to_dict()


def counted(params, tokens=("all", "group:7")):
    return build_counts(params, glossary=GLOSSARY, access_tokens=tokens).to_dict()


def test_concepts_group_glossary_phrases_codes_and_quotes():
    assert concepts('WNA "penyidik penghubung" berkas lengkap di Kalimantan Barat', GLOSSARY) == [
        ['"penyidik penghubung"'], ["wna", "warga negara asing"], ["p21"], ["kalimantan barat", "kalbar"]]


def test_required_matches_grow_with_the_query_and_relax_to_one():
    assert [required_matches(n) for n in (1, 2, 3, 4, 5)] == [1, 1, 2, 3, 3]
    assert required_matches(5, relaxed=True) == 1


def test_an_english_possessive_is_its_word():
    assert concepts("suspect's phone", GLOSSARY) == [["suspect"], ["phone"]]


def str_clauses(body):
    """Every clause of a query body, depth first."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            found.append(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(body["query"])
    return found


def test_each_facet_counts_with_the_other_selections_only():
    params = SearchParams(filters={"stage": ("p-19",), "obstacle": ("bahasa-penerjemah", "saksi")})
    body = counted(params)
    assert built(params)["post_filter"] == body["post_filter"] == {"bool": {"filter": [
        {"terms": {"stages": ["p-19"]}}, {"terms": {"obstacles": ["bahasa-penerjemah", "saksi"]}}]}}
    aggs = body["aggs"]
    assert aggs["stage"]["filter"] == {"bool": {"filter": [{"terms": {"obstacles": ["bahasa-penerjemah", "saksi"]}}]}}
    assert aggs["obstacle"]["filter"] == {"bool": {"filter": [{"terms": {"stages": ["p-19"]}}]}}
    assert aggs["type"]["filter"] == {"bool": {"filter": [
        {"terms": {"stages": ["p-19"]}}, {"terms": {"obstacles": ["bahasa-penerjemah", "saksi"]}}]}}
    assert aggs["year"]["aggs"]["values"]["terms"]["field"] == "year"
    # With nothing to apply, a facet is counted directly, not under a filter matching everything.
    assert counted(SearchParams(q="wna"))["aggs"]["year"] == {"terms": {"field": "year", "size": 100}}


def test_permission_filter_is_in_the_query_so_counts_and_hits_both_obey_it():
    body = built(SearchParams(q="wna"))
    assert body["query"]["bool"]["filter"] == [{"terms": {"access": ["all", "group:7"]}}]
    assert not built(SearchParams(q="wna"), tokens=None)["query"]["bool"].get("filter")  # superuser
    counts = counted(SearchParams(q="wna"))["query"]["bool"]["filter"]
    assert counts[-1] == {"terms": {"access": ["all", "group:7"]}}
    assert len(counted(SearchParams(q="wna"), tokens=None)["query"]["bool"]["filter"]) == 1  # the text only


def test_hits_and_counts_match_the_same_documents_and_only_counts_aggregate():
    params = SearchParams(q="WNA P21 penerjemah", filters={"stage": ("p-19",)})
    hits, counts = built(params), counted(params)
    assert counts["query"]["bool"]["filter"][0] == hits["query"]["bool"]["must"][0]["bool"]["must"][0]
    assert counts["post_filter"] == hits["post_filter"]
    assert counts["size"] == 0 and counts["track_total_hits"] is True and "aggs" in counts
    assert "aggs" not in hits and hits["track_total_hits"] is False and "highlight" in hits


def test_text_query_searches_stemmed_fields_with_glossary_forms_and_stage_boost():
    body = built(SearchParams(q="WNA P21"))
    text = body["query"]["bool"]["must"][0]["bool"]
    concept_clauses = text["must"][0]["bool"]["should"]
    assert len(concept_clauses) == 2 and text["must"][0]["bool"]["minimum_should_match"] == 1
    wna = concept_clauses[0]["dis_max"]["queries"]
    assert wna[0]["multi_match"]["query"] == "wna"
    assert any(q["multi_match"]["query"] == "warga negara asing" and q["multi_match"]["type"] == "phrase" for q in wna)
    # The code written in the query selects its stage's documents for a bonus (how much is
    # tested as ranking behaviour in tests/integration/test_ranking.py).
    assert any(clause.get("terms", {}).get("stages") == ["p-21"] for clause in text["should"])


def test_costly_bonuses_are_rescored_on_one_window_for_every_page():
    body = built(SearchParams(q="berkas dikembalikan jaksa"))
    assert "sort" not in body  # by score: Elasticsearch rescores only then
    rescore = body["rescore"]
    assert rescore["window_size"] == RESCORE_WINDOW
    bonus = rescore["query"]["rescore_query"]["bool"]["should"]
    assert any(c.get("multi_match", {}).get("slop") == 2 for c in bonus)
    assert not any(c.get("multi_match", {}).get("slop") for c in str_clauses(body))  # not in the main query
    deep = built(SearchParams(q="berkas dikembalikan jaksa", page=RESCORE_WINDOW // 10 + 3))
    assert deep["rescore"] == rescore  # the same window on every page: paging is stable
    assert "rescore" not in built(SearchParams(q="jaksa", sort="newest"))


def test_empty_query_browses_newest_first_and_user_text_never_reaches_query_string():
    body = built(SearchParams())
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"][0] == {"date": {"order": "desc", "missing": "_last"}}
    assert "query_string" not in str(built(SearchParams(q='title:x OR body:"y" AND (z')))


def test_pagination_and_highlighting():
    body = built(SearchParams(q="penerjemah", page=3))
    assert body["from"] == 20 and body["size"] == 10
    assert body["highlight"]["encoder"] == "html"  # document text is escaped before <mark> is added
    # Every search also asks which query words the READER can find (under the permission
    # filter), in a request of its own sent alongside (service.searches); only an unknown
    # word costs a spelling request, whose candidates come even for words the index knows
    # (service._spelling_suggestion).
    assert "suggest" not in body
    known = words_seen_search(spelling_words("penerjemah di"), ("all", "group:7")).to_dict()
    assert known["query"]["bool"]["filter"] == [{"terms": {"access": ["all", "group:7"]}}]
    assert set(known["aggs"]["words"]["filters"]["filters"]) == {"penerjemah"}
    assert spelling_search("penerjemha").to_dict()["suggest"]["did_you_mean"]["term"]["suggest_mode"] == "always"


def test_question_scaffolding_is_never_required_and_most_concepts_are():
    assert [required_matches(n) for n in (1, 2, 3, 4, 5, 7)] == [1, 1, 2, 3, 3, 5]
    text = built(SearchParams(q="how can I find WNA overstay cases"))["query"]["bool"]["must"][0]["bool"]
    required = text["must"][0]["bool"]
    assert len(required["should"]) == 4 and required["minimum_should_match"] == 3  # find, wna, overstay, cases
    bonus = built(SearchParams(q="how can I find WNA overstay cases"))["rescore"]["query"]["rescore_query"]
    assert sum("dis_max" in clause for clause in bonus["bool"]["should"]) == 2  # "can" and "i" only add score


def test_typo_tolerance_only_for_longer_words():
    def fuzzy(q):
        return [c["multi_match"] for c in str_clauses(built(SearchParams(q=q))) if "fuzziness" in c.get("multi_match", {})]
    assert {f["query"] for f in fuzzy("saksi jaksa")} == {"saksi", "jaksa"}  # five letters: one edit
    assert not fuzzy("bap hp")
    assert all(f["prefix_length"] == 2 for f in fuzzy("penerjemha"))


def test_a_facet_declared_all_of_requires_every_selected_value_and_counts_with_it(monkeypatch):
    from dataclasses import replace

    from search import schema

    monkeypatch.setattr(schema, "FACETS", tuple(replace(f, within="all") if f.param == "obstacle" else f
                                                for f in schema.FACETS))
    body = counted(SearchParams(filters={"stage": ("p-19",), "obstacle": ("bahasa-penerjemah", "saksi")}))
    every_obstacle = {"bool": {"filter": [{"term": {"obstacles": "bahasa-penerjemah"}}, {"term": {"obstacles": "saksi"}}]}}
    assert body["post_filter"] == {"bool": {"filter": [{"terms": {"stages": ["p-19"]}}, every_obstacle]}}
    # Choosing one more obstacle narrows the results, so obstacle counts include the selection;
    # the "any" stage facet still counts without its own.
    assert body["aggs"]["obstacle"]["filter"] == {"bool": {"filter": [{"terms": {"stages": ["p-19"]}}, every_obstacle]}}
    assert body["aggs"]["stage"]["filter"] == {"bool": {"filter": [every_obstacle]}}


def test_related_documents_ignore_words_most_documents_contain():
    from search.similar import RELATED_MAX_DOC_FREQ, related_search

    like = related_search(7, ["p-19"], ["saksi"], ["all"]).to_dict()["query"]["bool"]["should"][0]["more_like_this"]
    assert like["max_doc_freq"] == RELATED_MAX_DOC_FREQ


def test_a_search_analyses_its_query_once_for_hits_and_counts():
    from search import queries

    params = SearchParams(q="berkas dikembalikan jaksa untuk analisis sekali")
    queries._text_of.cache_clear()
    hits, counts = built(params), counted(params)
    assert queries._text_of.cache_info().misses == 1
    assert counts["query"]["bool"]["filter"][0] == hits["query"]["bool"]["must"][0]["bool"]["must"][0]
    other = Glossary([("jaksa", ["penuntut umum"])])  # another glossary is analysed afresh
    with_other = build_counts(params, glossary=other, access_tokens=("all",)).to_dict()
    assert queries._text_of.cache_info().misses == 2 and with_other["query"] != counts["query"]
