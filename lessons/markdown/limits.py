"""Bounds on what editors' Markdown may ask of the parser, checked BEFORE the expensive work
(the front matter's are in front_matter_limits). Rendered texts are stored under a key made
from this module's source (lessons.content.plain_text_keys), so it holds only what
rendering depends on.

Python-Markdown nests lists and blockquotes recursively and scans to the end of a block for
every unclosed '[' or '(' of a link (quadratic). Each check here is linear in the input and returns Exceeded items with a
message (Indonesian msgid) and the line concerned. Pure: settings only, no database."""
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass
class Exceeded:
    message: str
    line: int | None = None  # 1-based, within the text that was checked


# A fenced code block opens at column 0 with ``` or ~~~ (three or more) and closes with
# the same run alone on a line. Python-Markdown finds them with one regex that restarts
# from the top after each block and scans to the end for an unclosed one: quadratic.
FENCE = re.compile(r"^(`{3,}|~{3,})")
# Optional indentation, then a chain of '>' and list markers: each one opens a level.
CONTAINER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))")
THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
BRACKETS = re.compile(r"[\[\]()\\]")
# Each inline element (emphasis, code span, raw HTML, link, table cell) costs the inline
# processor a copy of its paragraph and ~0.1 ms of Python; an unclosed one makes its pattern
# search to the end of the paragraph. So: markup characters in all, and x paragraph length.
MARKUP = re.compile(r"[*_`<|\[]")
INLINE_MARKERS = re.compile(r"[*_`<]")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]{1,999}\]:[ \t]*(.+)$", re.MULTILINE)


def _indent(line):
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def nesting_depth(line):
    """Levels of lists and blockquotes a line opens: the markers it starts with, plus its
    indentation counted in steps of two spaces (a sub-list may be indented by two)."""
    if THEMATIC_BREAK.match(line):
        return 0
    markers, position = 0, 0
    while match := CONTAINER.match(line, position):
        markers += 1
        position = match.end()
    return markers + _indent(line) // 2 if markers else 0


def fences(lines):
    """(set of line indexes inside closed fenced blocks, fence lines, index of the first
    unclosed opener or None)."""
    inside, opener, count = set(), None, 0
    for index, line in enumerate(lines):
        match = FENCE.match(line)
        if opener is None:
            if match:
                opener, count = (index, match.group(1)), count + 1
        elif line.rstrip(" ") == opener[1]:
            inside.update(range(opener[0], index + 1))
            opener, count = None, count + 1
    return inside, count, opener and opener[0]


def _blocks(lines, fenced):
    """(first line number, block text) of each run of non-blank lines outside fenced code:
    inline parsing (and its bracket scanning) never crosses a blank line or a fence."""
    block, start = [], 1
    for index, line in enumerate(lines):
        if index in fenced or not line.strip():
            if block:
                yield start, "\n".join(block)
            block = []
            continue
        if not block:
            start = index + 1
        block.append(line)
    if block:
        yield start, "\n".join(block)


def bracket_scan(block):
    """Characters the link parser scans in a block: from each '[' to its ']' (or the end)
    and from each '](' to its ')' (or the end). Linear; matches Python-Markdown's cost."""
    cost, squares, parens = 0, [], []
    skip_at, closed_at = -1, -1  # an escaped character; just after the last ']'
    for match in BRACKETS.finditer(block):
        ch, at = match.group(), match.start()
        if at == skip_at:
            continue
        if ch == "\\":
            skip_at = at + 1
        elif ch == "[":
            squares.append(at)
        elif ch == "]":
            if squares:
                cost += at - squares.pop()
            closed_at = at + 1
        elif ch == "(":
            parens.append((at, at == closed_at))
        elif parens:  # ")"
            opened, link = parens.pop()
            cost += at - opened if link else 0
    end = len(block)
    return cost + sum(end - at for at in squares) + sum(end - at for at, link in parens if link)


def markdown_problems(text):
    """Why rendering this Markdown would be too deep, too slow or too large; [] if fine.
    Lines are 1-based within `text`."""
    problems = []
    lines = text.split("\n")
    fenced, fence_lines, unclosed = fences(lines)
    if unclosed is not None:
        problems.append(Exceeded(_("blok kode (``` atau ~~~) tidak ditutup"), unclosed + 1))
    elif fence_lines > settings.MARKDOWN_MAX_FENCES:
        problems.append(Exceeded(_("terlalu banyak blok kode: %(count)s baris pagar, paling banyak %(limit)s")
                                 % {"count": fence_lines, "limit": settings.MARKDOWN_MAX_FENCES}))
    for index, line in enumerate(lines):
        if index not in fenced and nesting_depth(line) > settings.MARKDOWN_MAX_NESTING:
            problems.append(Exceeded(_("daftar atau kutipan bersarang terlalu dalam (lebih dari %(limit)s tingkat)")
                                     % {"limit": settings.MARKDOWN_MAX_NESTING}, index + 1))
            break
    scanned, worst, work, heaviest, markup, busiest = 0, (0, None), 0, (0, None), 0, (0, None)
    for start, block in _blocks(lines, fenced):
        cost = bracket_scan(block)
        worst = max(worst, (cost, start), key=lambda pair: pair[0])
        scanned += cost
        block_markup = len(MARKUP.findall(block))
        busiest = max(busiest, (block_markup, start), key=lambda pair: pair[0])
        markup += block_markup
        block_work = len(INLINE_MARKERS.findall(block)) * len(block)
        heaviest = max(heaviest, (block_work, start), key=lambda pair: pair[0])
        work += block_work
    if scanned > settings.MARKDOWN_MAX_BRACKET_SCAN:
        problems.append(Exceeded(_("terlalu banyak tanda kurung '[' atau '(' yang tidak ditutup; tutup atau "
                                   "hapus, atau tulis sebagai \\[ dan \\("), worst[1]))
    if markup > settings.MARKDOWN_MAX_MARKUP:
        problems.append(Exceeded(_("terlalu banyak markah (* _ ` < | [): %(count)s, paling banyak %(limit)s; "
                                   "bagi dokumen ini atau kurangi format") % {"count": markup,
                                                                              "limit": settings.MARKDOWN_MAX_MARKUP},
                                 busiest[1]))
    elif work > settings.MARKDOWN_MAX_INLINE_WORK:
        problems.append(Exceeded(_("terlalu banyak tanda * _ ` atau < dalam paragraf yang panjang; pecah paragrafnya "
                                   "atau tulis tanda itu sebagai \\* \\_ \\` \\<"), heaviest[1]))
    definitions = REFERENCE_DEFINITION.findall(text)
    if definitions:
        # Every [text][ref] repeats its definition's URL and title in the output.
        longest = max(map(len, definitions))
        if longest * text.count("[") > settings.MARKDOWN_MAX_RENDERED_BYTES:
            problems.append(Exceeded(_("rujukan tautan dipakai terlalu banyak kali; hasilnya akan melebihi "
                                       "%(limit)s bita") % {"limit": f"{settings.MARKDOWN_MAX_RENDERED_BYTES:,}"}))
    return problems
