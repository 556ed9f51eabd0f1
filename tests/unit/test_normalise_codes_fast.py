"""normalise_codes skips patterns whose required words are absent; its output must be
exactly what scanning with every pattern gives. The reference below is the implementation
before that change, kept here (and only here) to compare against."""
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import analysis
from search.analysis import CodeRule, _required_words, normalise_codes


def reference_normalise_codes(text, replace_phrases=False):
    for rule in analysis.data().codes:

        def canonical(m, rule: CodeRule = rule):
            return m.expand(rule.token).lower()

        for pattern in rule.replace:
            text = pattern.sub(canonical, text)
        for pattern in rule.add:
            if replace_phrases:
                text = pattern.sub(canonical, text)
            else:
                text = pattern.sub(lambda m, c=canonical: f"{m.group(0)} {c(m)}", text)
    return text


# Pieces of every pattern, their look-alikes in other cases and scripts, and separators, so
# random strings often come close to (and often reach) a match.
FRAGMENTS = [
    "p", "P", "21", "19", "18", "17", "16", "2", "1", "-", "–", "—", ".", ",", " ", "  ", "\n", "\t", "\u00a0",
    "tahap", "TAHAP", "Tahap", "ke", "KE", "ii", "II", "i", "I", "dua", "satu", "pertama", "kedua",
    "pasal", "Pasal", "PSL", "psl", "psl.", "122", "27a", "berkas", "Berkas", "perkara", "telah", "sudah",
    "dinyatakan", "lengkap", "LENGKAP", "belum", "tidak", "dikembalikan", "pengembalian", "hasil",
    "penyidikan", "_", "x", "é", "’", "'", "١٢", "²",
    # characters a case-insensitive pattern takes for ASCII letters while str.lower() does not
    "\u212a", "\u017f", "\u0130", "\u0131", "\u212b", "K", "S", "ﬅ", "ﬆ",
]
pieces = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=40).map("".join)
texts = pieces | st.text(max_size=200)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.booleans())
def test_same_output_as_scanning_every_pattern(text, replace_phrases):
    assert normalise_codes(text, replace_phrases) == reference_normalise_codes(text, replace_phrases)


def test_same_output_on_sentences_that_name_codes():
    samples = [
        "Berkas perkara telah dinyatakan lengkap (P-21) pada 2021; Tahap II tanggal 21.",
        "P - 19 dan p.18, P–17, p16, bukan P-210 atau 2.21 atau ap21.",
        "Pasal 122 huruf a, psl. 75A, PSL-119, pasal122; tahap ke-2, tahap satu, Tahap-II.",
        "hasil penyidikan sudah lengkap; hasil penyidikan belum lengkap; pengembalian berkas.",
        "berkas dikembalikan; berkas perkara sudah dikembalikan; berkas tidak lengkap.",
        "\u212aE-2 \u0130I tahap \u0130\u0130 pa\u017fal 5 P\u212a-21",
        # matches side by side, a word that starts no match (xberkas, tahapan), matches at both ends
        "berkas lengkap berkas lengkapberkas lengkap; xberkas lengkap; Tahapan tahap 2tahap 2 Berkas Dikembalikan",
        "Tahap II" + " kata" * 500 + " hasil penyidikan telah lengkap",
    ]
    for text in samples:
        for replace_phrases in (False, True):
            assert normalise_codes(text, replace_phrases) == reference_normalise_codes(text, replace_phrases)


def test_required_words_are_really_required():
    """Every pattern of the data has a pre-check, and each required word occurs in what
    a match of that pattern looks like (the examples below match every pattern)."""
    examples = ["P-21", "p 19", "P.18", "p17", "P16", "Tahap II", "tahap ke-2", "Tahap I", "tahap satu",
                "Pasal 122", "psl. 7a", "berkas perkara telah dinyatakan lengkap", "hasil penyidikan sudah lengkap",
                "berkas sudah dikembalikan", "berkas tidak lengkap", "pengembalian berkas",
                "hasil penyidikan belum lengkap", "tahap pertama", "tahap dua"]
    for rule in analysis.data().codes:
        for pattern in rule.replace + rule.add:
            words = _required_words(pattern)
            assert words, pattern.pattern  # a pattern without pre-check would always scan
            matched = [e for e in examples if pattern.search(e)]
            assert matched, pattern.pattern
            for example in matched:
                folded = example.lower() if pattern.flags & re.IGNORECASE else example
                assert all(any(w in folded for w in choices) for choices in words), (pattern.pattern, example)


def test_case_traps_are_every_non_ascii_character_re_takes_for_an_ascii_letter():
    everything = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    traps = set(re.findall("[a-z]", everything, re.IGNORECASE))
    assert traps and {c for c in everything if analysis._CASE_TRAPS.match(c)} == traps
