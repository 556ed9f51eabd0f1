"""The Markdown parser (lessons.markdown.parsing) and renderer (lessons.markdown.rendering) under generated
hostile input (Hypothesis): the parser never raises, only reports Problems; the renderer
never raises and stays within its time bound, falling back to plain text past the limits.
Time is asserted as this process's CPU time (the machine is shared; wall time would
measure the neighbours) and the maximum is printed."""
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lessons.markdown import limits

from lessons.markdown import rendering as markdown
from lessons.markdown.parsing import ParsedDocument, Problem, parse_document

MAX_SECONDS = 2.0
FIGURES = {"render": [], "parse": []}

MARKDOWN_TOKENS = ["[", "]", "(", ")", "![", "](", "*", "**", "_", "`", "```", "~~~", "<", ">", "> ", "- ", "* ",
                   "1. ", "  ", "    ", "\t", "\n", "\n\n", "|", "|-", "#", "## ", "\\", "&", "&amp;", "[^1]", "[^1]: ",
                   "[x]: http://a.b/", "<http://a.b>", "<script>", "a", "kata ", "https://x.y/z", "\x00", "\u202e",
                   "{: #id .class}", "- [ ] ", "- [x] "]
YAML_TOKENS = ["a", "title", "type", "kanwil", "stages", ": ", ":", "- ", "  ", "\n", "[", "]", "{", "}", ", ", "&a ",
               "*a", "<<: *a", "? ", "!!python/object:os.system ", "!!binary ", "'", '"', "|", ">", "#", "2024-13-45",
               "pelajaran", "kalbar", "~", "null", "1e999", "0x10", "\t", "%YAML 1.1\n", "---", "..."]


def joined(tokens, max_size):
    return st.lists(st.sampled_from(tokens), max_size=max_size).map("".join)


def hostile_markdown():
    repeated = st.tuples(st.sampled_from(MARKDOWN_TOKENS), st.integers(min_value=1, max_value=3000)).map(
        lambda pair: pair[0] * pair[1])
    return st.one_of(joined(MARKDOWN_TOKENS, 400), st.lists(repeated, min_size=1, max_size=4).map("".join),
                     st.text(max_size=300))


HYPOTHESIS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    for name, times in FIGURES.items():
        if times:
            print(f"\n{name}: {len(times)} generated inputs, max {max(times) * 1000:.0f} ms")


@HYPOTHESIS
@given(text=hostile_markdown())
@example(text="\n" * 30000)  # the checklist pattern once rescanned every following blank line: ~12 s of CPU
def test_renderer_never_raises_and_is_bounded(text):
    started = time.process_time()
    html = markdown._render_bounded(text)
    plain = markdown.markdown_to_text(text)
    seconds = time.process_time() - started
    FIGURES["render"].append(seconds)
    assert isinstance(html, str) and isinstance(plain, str)
    assert "<script" not in html.lower()
    assert seconds < MAX_SECONDS, (seconds, text[:200])


VALID_FRONT = "type: pelajaran\ntitle: Uji\nkanwil: kalbar\nstages: [p-19]\nsummary: ringkas"


@HYPOTHESIS
@given(front=st.one_of(joined(YAML_TOKENS, 200), st.just(VALID_FRONT)), body=hostile_markdown(),
       encoding=st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1"]))
def test_parser_never_raises_and_reports_problems(front, body, encoding):
    raw = f"---\n{front}\n---\n{body}".encode(encoding, "replace")
    started = time.process_time()
    doc, problems = parse_document("uji.md", raw, 1024 * 1024, partial=True)
    seconds = time.process_time() - started
    FIGURES["parse"].append(seconds)
    assert doc is not None or problems  # a file refused outright always says why
    assert doc is None or isinstance(doc, ParsedDocument)
    assert all(isinstance(problem, Problem) and str(problem) for problem in problems)
    assert seconds < MAX_SECONDS, (seconds, raw[:200])


@pytest.mark.parametrize("text", [
    "- " * 5000 + "x", ">" * 50_000 + " x", "[" * 20_000, "[](" * 7000, "*a" * 100_000, "<" * 100_000,
    "```x\n" * 8000, "|a" * 20_000 + "|\n" + "|-" * 20_000 + "|\n", "".join("  " * d + "- x\n" for d in range(354)),
])
def test_past_the_limits_rendering_is_plain_text_and_fast(text):
    assert limits.markdown_problems(text)
    started = time.process_time()
    html = markdown._render_bounded(text)
    assert time.process_time() - started < 0.5
    assert html.startswith("<p>") and "<li>" not in html and "<blockquote>" not in html


def test_checks_are_linear_on_a_mebibyte():
    text = ("kata [tautan](http://a.b) **tebal** _miring_ `kode` " * 20_000)[:1024 * 1024]
    started = time.process_time()
    limits.markdown_problems(text)
    assert time.process_time() - started < 1.0


def test_alias_bomb_in_front_matter_is_refused_before_loading():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    doc, problems = parse_document("bom.md", f"---\ntitle: t\n{bomb}---\nIsi.\n".encode(), 1024 * 1024)
    assert doc is None and len(problems) == 1
    assert "alias YAML" in problems[0].message and problems[0].line == 4


def test_limits_are_settings(settings):
    settings.MARKDOWN_MAX_NESTING = 2
    assert limits.markdown_problems("- a\n  - b\n    - c\n")
    settings.MARKDOWN_MAX_NESTING = 16
    assert not limits.markdown_problems("- a\n  - b\n    - c\n")
    settings.FRONT_MATTER_MAX_ALIASES = 1
    doc, problems = parse_document("a.md", b"---\ntype: pelajaran\ntitle: &t Judul\nsummary: *t\nkanwil: kalbar\n"
                                          b"---\nIsi.\n", 1024 * 1024)
    assert not problems and doc.summary == "Judul"


def test_the_editor_block_refuses_what_the_import_refuses():
    from django.core.exceptions import ValidationError

    from lessons.content.blocks import MarkdownBlock

    block = MarkdownBlock()
    assert block.clean("- a\n  - b") == "- a\n  - b"
    with pytest.raises(ValidationError) as refusal:
        block.clean("Pengantar\n\n" + "- " * 100 + "x")
    assert "baris 3" in str(refusal.value) and "bersarang terlalu dalam" in str(refusal.value)


@pytest.mark.parametrize("body", ["## " * 91 + " " * 3000 + "[" * 3000, "### " * 2000 + " " * 3000 + "x"])
def test_heading_lines_of_hashes_and_spaces_parse_in_linear_time(body):
    """Found by the generator above: the old heading pattern took a minute of CPU here."""
    raw = f"---\n{VALID_FRONT.replace('pelajaran', 'panduan')}\n---\n## Langkah\n{body}".encode()
    started = time.process_time()
    doc, problems = parse_document("uji.md", raw, 1024 * 1024, partial=True)
    assert time.process_time() - started < 0.5
    assert doc is not None or problems
