"""Hypothesis strategies for hostile search parameters, shared by the pure unit test of
search.params and the live test against the page and the API."""
from urllib.parse import quote

from hypothesis import strategies as st

NAMES = ["q", "year", "page", "sort", "stage", "obstacle", "kanwil", "type", "provision"]

# Digits that str.isdigit() or int() accept although they are not ASCII.
UNICODE_DIGITS = "¹²³⁴⁵⁶⁷⁸⁹⁰①②③④⑤⑩⑳٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵०१२३४५０１２３４５６７８９𝟎𝟏𝟐𝟗"
WEIRD = "\x00\x01\x7f\u200b\u202e\ufeff\ud7ff\uffff%&=+;#?/\\'\"<>[]{}*~`|^ \t\n\r"


def numberish():
    """Strings that look like years or page numbers to a careless check."""
    ascii_number = st.integers(min_value=-10**30, max_value=10**30).map(str)
    unicode_number = st.text(alphabet=UNICODE_DIGITS + "0123456789", min_size=1, max_size=12)
    return st.one_of(ascii_number, unicode_number,
                     st.sampled_from(["2024", "1899", "2101", "0", "-1", "1e3", "0x7E8", "2_024", " 2024 ", "+5",
                                      "²⁰²⁴", "②⓪②④", "٢٠٢٤", "２０２４", "999999999999999999999999", "NaN"]))


def hostile_text():
    return st.one_of(
        st.text(max_size=40),
        st.text(alphabet=WEIRD + UNICODE_DIGITS + "abcP-19", max_size=60),
        numberish(),
        st.sampled_from(["p-19", "p-21", "kalbar", "pelajaran", "newest", "relevance", "bahasa-penerjemah"]),
        st.integers(min_value=200, max_value=20_000).map(lambda n: "a" * n),  # huge
        st.integers(min_value=1, max_value=500).map(lambda n: "\x00" * n),
    )


def hostile_names():
    return st.one_of(st.sampled_from(NAMES), st.text(max_size=20))


def hostile_pairs(max_size=12):
    """Query parameters as (name, value) pairs: names repeat, values are hostile."""
    return st.lists(st.tuples(hostile_names(), hostile_text()), max_size=max_size)


def raw_query_string():
    """A query string as a client may send it: percent-escapes of invalid UTF-8 and NUL,
    stray '%', repeated and empty names."""
    piece = st.one_of(
        st.tuples(hostile_names(), hostile_text()).map(lambda kv: f"{quote(kv[0], safe='')}={quote(kv[1], safe='')}"),
        st.sampled_from(["year=%C2%B2%E2%81%B0%C2%B2%E2%81%B4", "year=%E2%91%A1", "page=%00", "q=%ZZ", "q=%",
                         "year=%C3%28", "page=%FF%FE", "=", "&", "year", "page=", "sort=%00newest",
                         "page=10001", "page=500", "page=501", "year=2024&year=2024&year=%D9%A2"]),
    )
    return st.lists(piece, max_size=10).map("&".join)
