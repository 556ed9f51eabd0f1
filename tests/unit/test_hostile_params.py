"""search.params.parse under hostile input (Hypothesis): unicode digits, NUL bytes, huge
and repeated values, unknown names. Pure: the taxonomy codes are passed in, no database."""
import pytest
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from hypothesis import given, settings
from hypothesis import strategies as st

from search import params as search_params
from tests.hostile.strategies import UNICODE_DIGITS, hostile_pairs, numberish

KNOWN = {
    "stage": {"p-19", "p-21", "spdp"},
    "obstacle": {"bahasa-penerjemah", "saksi"},
    "kanwil": {"kalbar", "sumsel"},
    "type": {"pelajaran", "panduan", "studi-tiru"},
    "provision": {"pasal-122"},
}


def as_query(pairs):
    query = MultiValueDict()
    for name, value in pairs:
        query.appendlist(name, value)
    return query


def check(params, errors):
    assert isinstance(params, search_params.SearchParams)
    assert 1 <= params.page <= search_params.max_page()
    assert params.sort in search_params.SORTS
    assert len(params.q) <= search_params.MAX_QUERY_LENGTH and params.q.isprintable()
    for facet, values in params.filters.items():
        assert len(values) <= search_params.MAX_VALUES_PER_FACET
        for value in values:
            if facet == "year":
                assert value.isascii() and value.isdigit() and 1900 <= int(value) <= 2100
            else:
                assert value in KNOWN[facet]
    for error in errors:
        assert isinstance(error, str) and error.isprintable() and len(error) < 600, error


@settings(max_examples=600, deadline=None)
@given(pairs=hostile_pairs(), strict=st.booleans())
def test_parse_never_raises_and_keeps_only_valid_values(pairs, strict):
    params, errors = search_params.parse(as_query(pairs), strict=strict, known=KNOWN)
    check(params, errors)
    # What was kept survives a round trip through its own URL unchanged and without errors.
    again, again_errors = search_params.parse(QueryDict(params.url()[1:]), strict=strict, known=KNOWN)
    assert again == params and not again_errors


@settings(max_examples=300, deadline=None)
@given(value=numberish())
def test_year_and_page_accept_only_ascii_digits(value):
    params, errors = search_params.parse(as_query([("year", value), ("page", value)]), strict=True, known=KNOWN)
    check(params, errors)
    stripped = value.strip()
    ascii_number = stripped.isascii() and stripped.isdigit()
    assert bool(params.selected("year")) == (ascii_number and 1900 <= int(stripped) <= 2100)
    if not ascii_number:
        assert any("Tahun tidak valid" in e for e in errors) and any("Nomor halaman tidak valid" in e for e in errors)
        assert params.page == 1


@pytest.mark.parametrize("value", ["²⁰²⁴", "②⓪②④", "٢٠٢٤", "２０２４", "१९९९", "2O24", "2024\x00"])
def test_non_ascii_digits_are_a_clear_message(value):
    params, errors = search_params.parse(as_query([("year", value)]), strict=True, known=KNOWN)
    assert not params.selected("year")
    assert errors and errors[0].startswith("Tahun tidak valid") and "1900–2100" in errors[0]
    assert "\x00" not in errors[0]


def test_unicode_digits_alphabet_really_is_non_ascii():
    # The strategies would test nothing if these were ASCII.
    assert not any(ch.isascii() for ch in UNICODE_DIGITS)
    assert all(ch.isdigit() or ch.isnumeric() for ch in UNICODE_DIGITS)


def test_page_is_bounded_by_the_result_window(settings):
    settings.SEARCH_PAGE_SIZE = 50  # 10,000 / 50 = 200 pages at most
    assert search_params.max_page() == 200
    params, errors = search_params.parse(as_query([("page", "201")]), strict=True, known=KNOWN)
    assert params.page == 1 and "1–200" in errors[0]
    params, errors = search_params.parse(as_query([("page", "200")]), strict=True, known=KNOWN)
    assert params.page == 200 and not errors


def test_unknown_names_are_listed_briefly():
    pairs = [(f"x{i}" * 50, "1") for i in range(100)] + [("\x00evil", "1")]
    _params, errors = search_params.parse(as_query(pairs), strict=True, known=KNOWN)
    assert len(errors) == 1 and len(errors[0]) < 600 and "\x00" not in errors[0]


def test_many_repeated_values_are_cut_with_a_message():
    pairs = [("year", str(1900 + i)) for i in range(200)]
    params, errors = search_params.parse(as_query(pairs), strict=True, known=KNOWN)
    assert len(params.selected("year")) == search_params.MAX_VALUES_PER_FACET
    assert any("Terlalu banyak nilai" in e for e in errors)


PARAMS = st.builds(
    search_params.SearchParams,
    q=st.text(max_size=30),
    filters=st.dictionaries(st.sampled_from(sorted(KNOWN) + ["year"]),
                            st.lists(st.sampled_from(["p-19", "kalbar", "2024", "a&b=c", "ü ?"]), max_size=3,
                                     unique=True).map(tuple), max_size=4),
    sort=st.sampled_from(sorted(search_params.SORTS)),
    page=st.integers(1, 50),
)


@settings(max_examples=300, deadline=None)
@given(PARAMS, st.sampled_from(sorted(KNOWN) + ["year"]), st.lists(st.sampled_from(["p-19", "kalbar", "2024", "x y"]),
                                                                   max_size=4, unique=True))
def test_facet_links_are_the_search_with_that_value_toggled_on_page_one(params, facet, values):
    """The facet list's links, encoded in one go, equal each toggled search's own URL."""
    from dataclasses import replace

    urls = params.toggled_urls(facet, values)
    for value in values:
        current = params.selected(facet)
        chosen = tuple(v for v in current if v != value) if value in current else current + (value,)
        assert urls[value] == replace(params, filters={**params.filters, facet: chosen}, page=1).url()
