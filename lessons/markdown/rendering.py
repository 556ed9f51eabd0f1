"""Markdown to safe HTML. Pure: no Django models, so importers, blocks and tests share it.

Rendering is bounded: text the limits refuse (too deep, too many unclosed brackets, too
large a result) is shown as escaped plain text instead, and each text is rendered once per
language and then served to readers from the "markdown" cache. Indexing reads that cache
but does not fill it (markdown_to_text). One converter per thread is reused."""
import hashlib
import html
import logging
import re
import threading
from collections import OrderedDict

import markdown
import nh3
from django.conf import settings
from django.core.cache import caches
from django.utils.translation import get_language, gettext

from . import limits

logger = logging.getLogger(__name__)
CACHE_VERSION = 1  # bump when the rendering rules change

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "attr_list"]
EXTENSION_CONFIGS = {
    # align="..." instead of style="...": styles are stripped by the sanitiser anyway.
    "tables": {"use_align_attribute": True},
}

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
    "del", "ins", "sub", "sup", "mark", "small", "abbr", "code", "pre", "kbd", "blockquote",
    "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "caption", "a", "img", "div", "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "abbr": {"title"},
    "sup": {"id", "class"},
    "li": {"id"},
    "code": {"class"},
    "div": {"class"},
}
# Footnote anchors and language classes are all the ids/classes Markdown itself produces;
# anything else could restyle the page or clobber DOM ids.
SAFE_ID = re.compile(r"^fn(ref)?:[\w-]{1,60}$")
SAFE_CLASS = re.compile(r"^(footnote|footnote-ref|footnote-backref|language-[\w+-]{1,30})$")
BLANK_RUNS = re.compile(r"\s*\n\s*")
TASK_ITEM = re.compile(r"^([ \t]*[-*+][ \t]+)\[( |x|X)\][ \t]+", re.MULTILINE)  # one line only: \s would rescan every following blank line (quadratic)
FOOTNOTE_ANCHOR = re.compile(r'(id="|href="#)(fn(?:ref)?):')


def _filter_attribute(tag, attribute, value):
    if attribute == "id":
        return value if SAFE_ID.match(value) else None
    if attribute == "class":
        kept = [name for name in value.split() if SAFE_CLASS.match(name)]
        return " ".join(kept) or None
    return value


def _task_boxes(text):
    """GitHub-style '- [ ] item' checklists become plain ballot-box characters."""
    return TASK_ITEM.sub(lambda m: f"{m.group(1)}{'☑' if m.group(2).lower() == 'x' else '☐'} ", text)


def _scope_footnotes(rendered, text):
    """A page renders several Markdown fields; without a per-text scope their footnotes
    would all be fn:1, and every reference would jump to the first field's note."""
    if "fn" not in rendered:
        return rendered
    scope = hashlib.sha1(text.encode()).hexdigest()[:6]
    return FOOTNOTE_ANCHOR.sub(rf"\1\2:{scope}-", rendered)


def plain_html(text):
    """Escaped text with its line breaks: linear, for Markdown that may not be rendered."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs if p.strip())


def _cache_key(text):
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    bounds = (f"{settings.MARKDOWN_MAX_NESTING}:{settings.MARKDOWN_MAX_BRACKET_SCAN}:"
              f"{settings.MARKDOWN_MAX_INLINE_WORK}:{settings.MARKDOWN_MAX_MARKUP}:{settings.MARKDOWN_MAX_FENCES}:"
              f"{settings.MARKDOWN_MAX_RENDERED_BYTES}")
    return f"md:{CACHE_VERSION}:{bounds}:{get_language() or ''}:{digest}"


def render_markdown(text):
    """Render Markdown written by editors into HTML that is safe to embed in a page."""
    if not text:
        return ""
    key = _cache_key(text)
    cache = caches[settings.MARKDOWN_CACHE]
    rendered = cache.get(key)
    if rendered is None:
        rendered = _render_bounded(text)
        cache.set(key, rendered, None)
    return rendered


def _render_bounded(text):
    if problems := limits.markdown_problems(text):
        logger.warning("Markdown not rendered (%s); shown as plain text", problems[0].message)
        return plain_html(text)
    try:
        rendered = _render(text)
    except RecursionError:  # a nesting the limits did not foresee
        logger.warning("Markdown too deeply nested; shown as plain text")
        return plain_html(text)
    if len(rendered) > settings.MARKDOWN_MAX_RENDERED_BYTES:
        logger.warning("Rendered Markdown is %s characters; shown as plain text", len(rendered))
        return plain_html(text)
    return rendered


_converters = threading.local()


def _converter():
    """One markdown.Markdown per thread and language, reset between texts: building one
    (loading five extensions) cost more than converting a typical field."""
    backlink = gettext("Kembali ke rujukan catatan kaki %d")
    cached = getattr(_converters, "by_backlink", None)
    if cached is None:
        cached = _converters.by_backlink = {}
    converter = cached.get(backlink)
    if converter is None:
        configs = {**EXTENSION_CONFIGS, "footnotes": {"BACKLINK_TITLE": backlink}}
        converter = cached[backlink] = markdown.Markdown(extensions=EXTENSIONS, extension_configs=configs,
                                                         output_format="html")
    return converter


def _convert(text):
    converter = _converter()
    try:
        return converter.convert(text)
    finally:
        converter.reset()  # footnotes, references and abbreviations must not leak into the next text


def _render(text):
    html = _convert(_task_boxes(text))
    return nh3.clean(
        _scope_footnotes(html, text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# Markdown syntax that must not reach plain text. Footnotes go before rendering: a field's
# reference often has its definition in another field, so it would stay a literal "[^1]"
# (and a rendered one leaves its number glued to the word and a "↩"). The rest is what a
# text shown unrendered (past the limits) still carries. Every pattern is bounded and
# stops at the next '[', so a hostile line stays linear.
FOOTNOTE_DEFINITION = re.compile(r"(?m)^ {0,3}\[\^[^\]\s]{1,60}\]:[ \t]*")
FOOTNOTE_REFERENCE = re.compile(r"\[\^[^\]\s]{1,60}\]")
LINK = re.compile(r"!?\[([^\[\]\n]{0,300})\]\([^()\[\s]{0,1000}(?:[ \t]+\"[^\"\[\n]{0,300}\")?\)")
HEADING_MARK = re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+")
BLOCK_ENDS = re.compile(r"<br\s*/?>|</(?:p|li|h[1-6]|td|th|dt|dd|pre|blockquote)>")
STRONG_MARK = re.compile(r"\*\*|__")
EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]{0,200}?[^\s*])?\*(?![\w*])")


def strip_markdown_residue(text):
    """Plain text without what is left of Markdown syntax: footnote markers, link and
    image syntax (the text stays), heading hashes and emphasis stars."""
    text = FOOTNOTE_REFERENCE.sub("", FOOTNOTE_DEFINITION.sub("", text))
    text = HEADING_MARK.sub("", LINK.sub(r"\1", text))
    return EMPHASIS.sub(lambda m: m.group(1) or "", STRONG_MARK.sub("", text))


# Plain texts made lately in this process: one save reads each field several times (Wagtail's
# own search index, our document, the privacy guard), and a miss in the shared cache is not
# written back (see markdown_to_text). Few entries: a field is at most a few MiB.
RECENT_PLAIN_TEXTS = 16
_recent_plain = OrderedDict()
_recent_lock = threading.Lock()


def markdown_to_text(text):
    """Plain text of a Markdown source, for indexing and snippets. Served from the shared
    HTML cache when a reader's view already rendered it (a read costs ~0.1 ms, a render ~2 ms),
    but a miss is not written back: a rebuild reads every field of every page once, and
    tens of thousands of writes would cull (each cull lists the whole cache directory) and
    evict what readers use."""
    if not text:
        return ""
    source = FOOTNOTE_REFERENCE.sub("", FOOTNOTE_DEFINITION.sub("", text))
    key = _cache_key(source)
    with _recent_lock:
        plain = _recent_plain.get(key)
        if plain is not None:
            _recent_plain.move_to_end(key)
            return plain
    rendered = caches[settings.MARKDOWN_CACHE].get(key)
    if rendered is None:
        rendered = _render_bounded(source)
    # Line breaks and block ends become newlines, or the unrendered form (one line per <br>)
    # would glue the last word of a line to the first of the next.
    rendered = BLOCK_ENDS.sub(lambda m: "\n" if m.group(0).startswith("<br") else m.group(0) + "\n", rendered)
    plain = html.unescape(nh3.clean(rendered, tags=set()))
    plain = BLANK_RUNS.sub("\n", strip_markdown_residue(plain.replace("\xa0", " "))).strip()
    with _recent_lock:
        _recent_plain[key] = plain
        while len(_recent_plain) > RECENT_PLAIN_TEXTS:
            _recent_plain.popitem(last=False)
    return plain
