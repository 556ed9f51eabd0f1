"""Detectors for personal data that an anonymised document must not carry: passport
numbers, 16-digit NIK, phone numbers and e-mail addresses. Pure: text in, matches out.

The patterns are tuned against what case write-ups legitimately contain (dates, letter
numbers such as "B-123/SPDP/2024", "Pasal 122", amounts such as "Rp 21.000.000", years),
so a hit is worth a human look."""
import re
from dataclasses import dataclass

PASSPORT = "paspor"
NIK = "nik"
PHONE = "telepon"
EMAIL = "email"

# Passport: one or two capital letters, an optional space or dash, 6 to 8 digits
# (Indonesia: X1234567 or two letters + 7 digits; most foreign passports look alike).
_PASSPORT_BARE = re.compile(r"(?<![\w/.-])([A-Z]{1,2})[ -]?(\d{6,8})(?![\w/]|[.,-]\d)")
# Capital prefixes that introduce amounts or numbers, not passports ("RP 1500000").
_NOT_PASSPORT_PREFIXES = {"RP", "NO", "NR", "KM", "HP", "WA"}
# After the word "paspor"/"passport": any 6-9 character token with at least 5 digits.
_PASSPORT_NAMED = re.compile(
    r"\b(?:paspor|passport)\b(?:\s+(?:nomor|nomer|no\.?|nr\.?|number|#))?\s*[:.]?\s*"
    r"(?=[A-Z0-9-]*\d)([A-Z0-9][A-Z0-9-]{5,10})(?![\w/])",
    re.IGNORECASE,
)

# NIK: 16 digits, plain or grouped with spaces, dots or dashes.
_NIK = re.compile(r"(?<![\w.,/-])(\d(?:[ .-]?\d){15})(?![\w/]|[ .,-]\d)")
# Region codes of the 38 provinces (first two NIK digits).
_PROVINCE_CODES = {
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53,
    61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97,
}

# Phones: +62 / 62 / 0 followed by a mobile (8xx) number; 9 to 13 digits after the prefix
# in total, spaces or dashes allowed between groups. "+62" also covers landlines.
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+62[ -]?\(?\d{1,4}\)?(?:[ -]?\d){5,10}"
    r"|62[ -]?8\d(?:[ -]?\d){6,10}"
    r"|08\d(?:[ -]?\d){6,10}"
    r")(?![\w/]|[.,-]\d)"
)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")


@dataclass(frozen=True)
class Match:
    kind: str
    start: int
    end: int
    value: str

    @property
    def masked(self):
        return mask(self.value)


def _digits(text):
    return re.sub(r"\D", "", text)


def _valid_nik(digits):
    """Province code, a day (01-31, +40 for women) and a month in the right places."""
    if len(digits) != 16 or int(digits[:2]) not in _PROVINCE_CODES:
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    return (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12


def _passports(text):
    for m in _PASSPORT_BARE.finditer(text):
        if m.group(1) not in _NOT_PASSPORT_PREFIXES:
            yield Match(PASSPORT, m.start(), m.end(), m.group(0))
    for m in _PASSPORT_NAMED.finditer(text):
        if len(_digits(m.group(1))) >= 5:
            yield Match(PASSPORT, m.start(1), m.end(1), m.group(1))


def _niks(text):
    for m in _NIK.finditer(text):
        if _valid_nik(_digits(m.group(1))):
            yield Match(NIK, m.start(1), m.end(1), m.group(1))


def _phones(text):
    for m in _PHONE.finditer(text):
        national = _digits(m.group(0))
        national = national[2:] if national.startswith("62") else national[1:]
        if 9 <= len(national) <= 13:
            yield Match(PHONE, m.start(), m.end(), m.group(0))


def _emails(text):
    for m in _EMAIL.finditer(text):
        yield Match(EMAIL, m.start(), m.end(), m.group(0))


def scan(text):
    """All matches in the text, in order, without overlaps (the earlier, longer one wins)."""
    if not text:
        return []
    found = sorted(
        [*_passports(text), *_niks(text), *_phones(text), *_emails(text)],
        key=lambda m: (m.start, -(m.end - m.start)),
    )
    kept = []
    for match in found:
        if kept and match.start < kept[-1].end:
            continue
        kept.append(match)
    return kept


def mask(value):
    """Keep the first three and last two letters or digits, star the rest:
    A1234567 -> A12****67; separators stay so the shape remains recognisable."""
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    hidden = set(positions[3:-2]) if len(positions) > 5 else set(positions[1:])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


def excerpt(text, match, matches=(), width=40):
    """The match with some context on either side, every match in view masked, on one line."""
    start, end = max(0, match.start - width), min(len(text), match.end + width)
    pieces, cursor = [], start
    for other in sorted({match, *matches}, key=lambda m: m.start):
        if other.end <= start or other.start >= end:
            continue
        other_start, other_end = max(other.start, start), min(other.end, end)
        pieces.append(text[cursor:other_start])
        pieces.append(mask(text[other.start:other.end]) if other_start == other.start and other_end == other.end
                      else "*" * (other_end - other_start))
        cursor = other_end
    pieces.append(text[cursor:end])
    line = " ".join("".join(pieces).split())
    return ("…" if start > 0 else "") + line + ("…" if end < len(text) else "")
