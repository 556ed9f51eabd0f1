"""Indonesian text analysis for the portal's search, done in Python.

Why here and not in Elasticsearch: the node we run on these machines lacks the
analysis-common module (no stemmer, synonym or asciifolding filters) and production
must behave the same, so the index receives already-analysed text in its *_stemmed
fields and queries are analysed the same way before they are sent.

Pipeline: normalise_codes (P-21 / "berkas lengkap" -> p21, Tahap II -> tahap2,
Pasal 122 -> pasal122) -> tokens -> stem (exceptions, protected words, PySastrawi).
Query-time acronym expansion comes from editor-managed rows through Glossary.

All word lists and patterns live in analysis_data.yaml (with a reason per entry).
Pure functions: the only I/O is reading that file and Sastrawi's dictionary once.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).with_name("analysis_data.yaml")

# Roughly the ES standard tokenizer (UAX #29): unicode letters/digits, underscore
# joins, an apostrophe inside a word keeps it whole ("jum'at"), "21.000" and "2,5"
# stay one number; hyphens, slashes and other punctuation split.
_WORD = re.compile(r"\w+(?:['’]\w+|(?<=\d)[.,]\d+)*")
# Sastrawi only understands plain a-z words; anything else is left as it is.
_PLAIN = re.compile(r"[a-z]+")
# Clitics that Sastrawi strips itself; we strip them to look up our own tables too
# ("kitasnya" -> "kitas", "penyidikannya" -> "sidik").
_PARTICLES = ("nya", "lah", "kah", "pun")
MIN_STEM_LENGTH = 4  # shorter tokens are mostly acronyms or function words


@dataclass(frozen=True)
class CodeRule:
    token: str  # canonical token, or a re template such as "pasal\1"
    stage: str | None  # stage code the token names, if any
    replace: tuple[re.Pattern[str], ...]  # variant replaced by the token
    add: tuple[re.Pattern[str], ...]  # phrase kept, token appended
    description: str = ""


@dataclass(frozen=True)
class AnalysisData:
    exceptions: dict[str, str]
    protected: frozenset[str]
    codes: tuple[CodeRule, ...]
    stage_mentions: tuple[tuple[str, re.Pattern[str]], ...]
    upper_case_only: frozenset[str] = frozenset()


def _compile(pattern: str, case_sensitive: bool = False) -> re.Pattern[str]:
    return re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)


def load_data(path: Path = DATA_FILE) -> AnalysisData:
    """Read and validate analysis_data.yaml (fails loudly on a bad edit)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    exceptions: dict[str, str] = {}
    for entry in raw.get("exceptions") or []:
        for word in entry["words"]:
            word = word.lower()
            if word in exceptions:
                raise ValueError(f"{path.name}: exception {word!r} listed twice")
            exceptions[word] = entry["stem"].lower()
    protected = frozenset(
        w.lower() for entry in raw.get("protected") or [] for w in entry["words"]
    )
    codes = []
    for entry in raw.get("codes") or []:
        cs = bool(entry.get("case_sensitive"))
        rule = CodeRule(
            token=entry["token"],
            stage=entry.get("stage"),
            replace=tuple(_compile(p, cs) for p in entry.get("replace") or []),
            add=tuple(_compile(p, cs) for p in entry.get("add") or []),
            description=entry.get("description", ""),
        )
        if rule.stage and "\\" in rule.token:
            raise ValueError(f"{path.name}: staged code {rule.token!r} must be literal")
        codes.append(rule)
    mentions = tuple(
        (entry["stage"], _compile(p, bool(entry.get("case_sensitive"))))
        for entry in raw.get("stage_mentions") or []
        for p in entry["patterns"]
    )
    upper_only = frozenset(w.lower() for entry in raw.get("upper_case_only") or [] for w in entry["words"])
    return AnalysisData(exceptions, protected, tuple(codes), mentions, upper_only)


@functools.cache
def data() -> AnalysisData:
    return load_data()


@functools.cache
def _sastrawi():
    # The plain Stemmer, not the factory's CachedStemmer: that cache is an unbounded
    # dict, which would grow forever in a long-running index worker. stem() has a
    # bounded lru_cache instead.
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


def tokens(text: str) -> list[str]:
    """Lower-case word tokens (unicode letters and digits)."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def normalise_codes(text: str, replace_phrases: bool = False) -> str:
    """Replace code variants by canonical tokens ("P-21" -> "p21"); phrase variants
    keep their words and get the token appended ("berkas lengkap p21"), so documents
    match either form. In a query (replace_phrases=True) the phrase stands for the code
    alone: "berkas lengkap" asks exactly what "P-21" asks.

    Each pattern runs only if the words it cannot match without are in the text: a
    substring test is far cheaper than a regular-expression scan of a long field, and
    most fields name few codes (see _required_words)."""
    if _CASE_TRAPS.search(text):
        return _normalise_codes_scanning_all(text, replace_phrases)
    folded = text.lower()
    for rule in data().codes:

        def canonical(m: re.Match[str], rule: CodeRule = rule) -> str:
            return m.expand(rule.token).lower()

        for pattern in rule.replace:
            if _may_match(pattern, text, folded):
                text, count = _subn(pattern, canonical, text, folded)
                folded = text.lower() if count else folded
        for pattern in rule.add:
            if not _may_match(pattern, text, folded):
                continue
            if replace_phrases:
                text, count = _subn(pattern, canonical, text, folded)
            else:
                text, count = _subn(pattern, lambda m, c=canonical: f"{m.group(0)} {c(m)}", text, folded)
            folded = text.lower() if count else folded
    return text


def _subn(pattern: re.Pattern[str], replace, text: str, folded: str) -> tuple[str, int]:
    """pattern.subn(replace, text), trying a match only where the word every match starts
    with occurs (_leading_word): re scans a pattern that starts with a look-behind by trying
    every position of a long field, str.find jumps. The matches are the same: each position
    where a match can start is tried, left to right, resuming after a match as subn does
    (look-behinds still see the text before the position). `folded` is text.lower(), of the
    same length (text with _CASE_TRAPS never comes here)."""
    word = _leading_word(pattern)
    if len(word) < 3:  # a short word ("p") occurs everywhere: scanning is as fast
        return pattern.subn(replace, text)
    haystack = folded if _ignores_case(pattern) else text
    pieces, last, count = [], 0, 0
    at = haystack.find(word)
    while at != -1:
        match = pattern.match(text, at)
        if match is None:
            at = haystack.find(word, at + 1)
            continue
        pieces += (text[last:at], replace(match))
        last, count = match.end(), count + 1
        at = haystack.find(word, last)
    if not count:
        return text, 0
    pieces.append(text[last:])
    return "".join(pieces), count


def _normalise_codes_scanning_all(text: str, replace_phrases: bool) -> str:
    """normalise_codes without the word pre-check, for text the pre-check cannot judge."""
    for rule in data().codes:

        def canonical(m: re.Match[str], rule: CodeRule = rule) -> str:
            return m.expand(rule.token).lower()

        for pattern in rule.replace:
            text = pattern.sub(canonical, text)
        for pattern in rule.add:
            if replace_phrases:
                text = pattern.sub(canonical, text)
            else:
                text = pattern.sub(lambda m, c=canonical: f"{m.group(0)} {c(m)}", text)
    return text


# Non-ASCII characters that a case-insensitive pattern matches as an ASCII letter (dotted
# capital I and dotless i as "i", the long s as "s", the Kelvin sign as "k"). str.lower()
# does not turn them into that letter, so the word pre-check would miss them: text with one
# of them is scanned by every pattern instead. The list is what re itself answers (a test
# asks it again over every code point).
_CASE_TRAPS = re.compile("[\u0130\u0131\u017f\u212a]")


def _may_match(pattern: re.Pattern[str], text: str, folded: str) -> bool:
    haystack = folded if _ignores_case(pattern) else text
    return all(any(word in haystack for word in choices) for choices in _required_words(pattern))


@functools.lru_cache(maxsize=None)
def _ignores_case(pattern: re.Pattern[str]) -> bool:
    # Cached: a RegexFlag test costs more than the substring tests it guards.
    return bool(pattern.flags & re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def _required_words(pattern: re.Pattern[str]) -> tuple[tuple[str, ...], ...]:
    """What any match of `pattern` contains, as (any of these words) groups that must all
    be present: the runs of ASCII letters and digits outside optional parts, and an
    alternation whose every branch starts with such a run. Lower-cased for patterns that
    ignore case. Anything the analysis cannot see through just adds no requirement, so the
    pre-check never skips a pattern that could match."""
    from re import _constants as c, _parser  # the parser re itself uses

    ignore_case = bool(pattern.flags & re.IGNORECASE)

    def word_char(op, arg) -> str | None:
        if op is c.LITERAL and arg < 0x80 and chr(arg).isalnum():
            return chr(arg).lower() if ignore_case else chr(arg)
        return None

    def leading_run(items) -> str:
        run = ""
        for op, arg in items:
            char = word_char(op, arg)
            if char is None:
                break
            run += char
        return run

    groups: list[tuple[str, ...]] = []
    run = ""
    for op, arg in _parser.parse(pattern.pattern, pattern.flags):
        char = word_char(op, arg)
        if char is not None:
            run += char
            continue
        if run:
            groups.append((run,))
            run = ""
        if op is c.BRANCH:
            starts = tuple(leading_run(branch) for branch in arg[1])
            if all(starts):
                groups.append(starts)
    if run:
        groups.append((run,))
    return tuple(groups)


@functools.lru_cache(maxsize=None)
def _leading_word(pattern: re.Pattern[str]) -> str:
    """The ASCII letters and digits every match of `pattern` starts with, after the
    zero-width assertions that open it (lower-cased if it ignores case); "" if none."""
    from re import _constants as c, _parser

    ignore_case = bool(pattern.flags & re.IGNORECASE)
    word = ""
    for op, arg in _parser.parse(pattern.pattern, pattern.flags):
        if not word and op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if op is c.LITERAL and arg < 0x80 and chr(arg).isalnum():
            word += chr(arg).lower() if ignore_case else chr(arg)
            continue
        break
    return word


def _strip_particle(word: str) -> str:
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) > len(particle) + 2:
            return word[: -len(particle)]
    return word


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def exception_for(word: str) -> str | None:
    """The exception-table stem for ``word`` (or its particle-less form), if any."""
    table = data().exceptions
    if word in table:
        return table[word]
    base = _strip_particle(word)
    return table.get(base) if base != word else None


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Stem one token. Order: exceptions, protected words, PySastrawi.

    May return two words for a compound ("kewarganegaraan" -> "warga negara").
    """
    word = word.lower()
    fixed = exception_for(word)
    if fixed is not None:
        return fixed
    protected = data().protected
    if word in protected:
        return word
    base = _strip_particle(word)
    if base != word and (base in protected or _has_digit(base)):
        return base  # "kitasnya" -> "kitas", but "tanya" is not "ta" + "nya"
    if _has_digit(word) or len(word) < MIN_STEM_LENGTH or not _PLAIN.fullmatch(word):
        return word
    return _sastrawi().stem_word(word)


def analyse(text: str, query: bool = False) -> str:
    """Text for the *_stemmed index fields, or (query=True) the stemmed side of a query."""
    return " ".join(map(stem, tokens(normalise_codes(text, replace_phrases=query))))


def stage_codes_in(text: str) -> set[str]:
    """Stage codes (e.g. 'p-21', 'tahap-2', 'spdp') that a query names."""
    normalised = normalise_codes(text)
    present = set(tokens(normalised))
    found = {r.stage for r in data().codes if r.stage and r.token.lower() in present}
    found.update(stage for stage, p in data().stage_mentions if p.search(normalised))
    return found


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(tokens(text))


class Glossary:
    """Acronym / synonym groups from editor-managed rows, expanded at query time.

    Each row (term, expansions) is one group of equivalent phrases: any phrase of the
    group found in a query yields all the others. A phrase in several rows yields the
    union of those rows (no transitive chaining, so one loose row cannot snowball).
    Matching is on tokens(): case-insensitive and whole words only.
    """

    def __init__(self, rows: Iterable[tuple[str, Sequence[str]]]):
        self._others: dict[tuple[str, ...], list[str]] = {}
        for term, expansions in rows:
            if isinstance(expansions, str):  # a lone string is one expansion, not chars
                expansions = [expansions]
            group: list[str] = []
            for phrase in (term, *expansions):
                joined = " ".join(_phrase(phrase or ""))
                if joined and joined not in group:
                    group.append(joined)
            for phrase in group:
                others = [p for p in group if p != phrase]
                if others:
                    known = self._others.setdefault(tuple(phrase.split()), [])
                    known.extend(p for p in others if p not in known)
        self._longest = max(map(len, self._others), default=0)

    def __len__(self) -> int:
        return len(self._others)

    def expansions(self, query: str) -> list[tuple[str, list[str]]]:
        """(matched phrase, its equivalents) in query order; longest match wins."""
        words = tokens(query)
        as_typed = _WORD.findall(unicodedata.normalize("NFC", query))
        candidates = [
            (n, i)
            for i in range(len(words))
            for n in range(1, min(self._longest, len(words) - i) + 1)
            if tuple(words[i : i + n]) in self._others
            and not (n == 1 and words[i] in data().upper_case_only and not as_typed[i].isupper())
        ]
        taken = [False] * len(words)
        chosen = []
        for n, i in sorted(candidates, key=lambda c: (-c[0], c[1])):
            if not any(taken[i : i + n]):
                taken[i : i + n] = [True] * n
                chosen.append((i, n))
        return [
            (" ".join(words[i : i + n]), list(self._others[tuple(words[i : i + n])]))
            for i, n in sorted(chosen)
        ]


# Prefixes meN-/peN- fuse with a stem's first consonant (sidik -> penyidik, periksa ->
# memeriksa, tahan -> penahanan, kirim -> mengirim); other affixes leave the stem intact.
_NASAL = {"s": "ny", "p": "m", "t": "n", "k": "ng"}


def surface_cores(root: str) -> list[str]:
    """Substrings that every affixed form of a stem contains, for highlighting words
    that share the stem: ['sidik', 'nyidik'] finds disidik, penyidikan, menyidik."""
    cores = [root]
    if root[:1] in _NASAL and len(root) > 4:
        cores.append(_NASAL[root[0]] + root[1:])
    return cores
