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
import xml.etree.ElementTree as etree
from collections import OrderedDict

import markdown
import nh3
from markdown.extensions.footnotes import FootnoteExtension
from markdown.inlinepatterns import InlineProcessor
from django.conf import settings
from django.core.cache import caches
from django.utils.translation import get_language, gettext

from . import limits

logger = logging.getLogger(__name__)
CACHE_VERSION = 1  # bump when the rendering rules change

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists", "attr_list"]  # footnotes: PageFootnotes
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
# A note's id in rendered HTML, "fn:<scope>-<label>", and a marker left literal because its
# note is defined in another text of the page.
NOTE_ID = re.compile(r'<li id="fn:([0-9a-f]{6})-([\w-]{1,60})">')
REFERENCE_ID = re.compile(r'<sup id="fnref:([0-9a-f]{6})-([\w-]{1,60})">')
UNRESOLVED = re.compile(r"\[\^([\w-]{1,60})\]")
FOOTNOTE_ANCHOR = re.compile(r'(id="|href="#)(fn(?:ref)?):')
ELSEWHERE_ANCHOR = re.compile(r'(id="|href="#)(fn(?:ref)?)-elsewhere:')
BLANK_RUNS = re.compile(r"\s*\n\s*")
TASK_ITEM = re.compile(r"^([ \t]*[-*+][ \t]+)\[( |x|X)\][ \t]+", re.MULTILINE)  # one line only: \s would rescan every following blank line (quadratic)


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


def _scope(text):
    return hashlib.sha1(text.encode()).hexdigest()[:6]


def _scope_footnotes(rendered, text):
    """A page renders several Markdown fields; without a per-text scope their footnotes
    would all be fn:1, and every reference would jump to the first field's note."""
    if "fn" not in rendered:
        return rendered
    return FOOTNOTE_ANCHOR.sub(rf"\1\2:{_scope(text)}-", rendered)


class PageFootnotes(FootnoteExtension):
    """Python-Markdown's footnotes, plus references to a note that another text of the
    page defines (`elsewhere`: {label: (scope, number, carries the back link's target)})."""

    def extendMarkdown(self, md):
        super().extendMarkdown(md)
        # After the local footnote pattern (175), before reference links (170) would take "[^1]".
        md.inlinePatterns.register(ElsewhereReference(r"\[\^([^\]]*)\]", self), "footnote-elsewhere", 174)

    def reset(self):
        super().reset()
        self.elsewhere, self.referenced_elsewhere = {}, set()


class ElsewhereReference(InlineProcessor):
    """A reference whose note another text of the page defines: the same link a local
    reference gets, to that text's note and with the number it shows there. Its anchors
    carry ELSEWHERE_ANCHOR's prefixes until _scope_footnotes has scoped this text's own."""

    def __init__(self, pattern, footnotes):
        super().__init__(pattern)
        self.footnotes = footnotes

    def handleMatch(self, m, data):
        label = m.group(1)
        target = self.footnotes.elsewhere.get(label)
        if target is None or label in self.footnotes.footnotes:
            return None, None, None
        scope, number, backlinked = target
        sup = etree.Element("sup")
        if backlinked and label not in self.footnotes.referenced_elsewhere:  # the note's "↩" leads here
            sup.set("id", f"fnref-elsewhere:{scope}-{label}")
        self.footnotes.referenced_elsewhere.add(label)
        link = etree.SubElement(sup, "a")
        link.set("class", "footnote-ref")
        link.set("href", f"#fn-elsewhere:{scope}-{label}")
        link.text = str(number)
        return sup, m.start(0), m.end(0)


def plain_html(text):
    """Escaped text with its line breaks: linear, for Markdown that may not be rendered."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs if p.strip())


def _cache_key(text, elsewhere=None):
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if elsewhere:  # references linked to notes in the page's other fields: another rendering
        digest += ":" + hashlib.sha256(repr(sorted(elsewhere.items())).encode()).hexdigest()[:16]
    bounds = (f"{settings.MARKDOWN_MAX_NESTING}:{settings.MARKDOWN_MAX_BRACKET_SCAN}:"
              f"{settings.MARKDOWN_MAX_INLINE_WORK}:{settings.MARKDOWN_MAX_MARKUP}:{settings.MARKDOWN_MAX_FENCES}:"
              f"{settings.MARKDOWN_MAX_RENDERED_BYTES}")
    return f"md:{CACHE_VERSION}:{bounds}:{get_language() or ''}:{digest}"


def render_markdown(text, notes=None):
    """Render Markdown written by editors into HTML that is safe to embed in a page.
    `notes`: the page's PageNotes, so that references to a note another field of the page
    defines link to it."""
    if not text:
        return ""
    elsewhere = notes.elsewhere(text) if notes else None
    key = _cache_key(text, elsewhere)
    cache = caches[settings.MARKDOWN_CACHE]
    rendered = cache.get(key)
    if rendered is None:
        rendered = _render_bounded(text, elsewhere)
        cache.set(key, rendered, None)
    return rendered


class PageNotes:
    """The footnotes of a page whose Markdown is split over several fields (an imported
    document's sections, a guide's steps): a note is often defined once, at the end of the
    file, so it lands in the last field while its references sit in earlier ones. Read
    from each text's own rendering (cached; the page shows it anyway), so the numbers and
    ids are exactly the ones shown. The first text defining a label owns it; its "↩" leads
    to its own first reference, or else to the first reference in another text."""

    def __init__(self, sources):
        self.notes = {}  # label -> (scope, number)
        self.wanted = {}  # scope -> labels referenced there but not defined there
        referenced_at_home = set()
        for source in sources:
            if not source or "[^" not in source:  # neither a note nor a reference: nothing to read
                continue
            scope = _scope(source)
            rendered = render_markdown(source)
            numbers = {}
            for number, (note_scope, label) in enumerate(NOTE_ID.findall(rendered), start=1):
                if note_scope == scope:
                    numbers.setdefault(label, number)
            for label, number in numbers.items():
                if label not in self.notes:
                    self.notes[label] = (scope, number)
            referenced_at_home |= {(s, label) for s, label in REFERENCE_ID.findall(rendered) if s == scope}
            self.wanted[scope] = [label for label in dict.fromkeys(UNRESOLVED.findall(rendered))
                                  if label not in numbers]
        self.backlink_to = {}  # label -> scope of the text holding the reference "↩" leads to
        for scope, labels in self.wanted.items():
            for label in labels:
                if label in self.notes and (self.notes[label][0], label) not in referenced_at_home:
                    self.backlink_to.setdefault(label, scope)

    def elsewhere(self, text):
        """{label: (scope, number, carries the back link's target)} for the references of
        `text` whose note another text of the page defines."""
        scope = _scope(text)
        return {label: (*self.notes[label], self.backlink_to.get(label) == scope)
                for label in self.wanted.get(scope, ()) if label in self.notes}


def _render_bounded(text, elsewhere=None):
    if problems := limits.markdown_problems(text):
        logger.warning("Markdown not rendered (%s); shown as plain text", problems[0].message)
        return plain_html(text)
    try:
        rendered = _render(text, elsewhere)
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
        footnotes = PageFootnotes(BACKLINK_TITLE=backlink)
        extensions = [footnotes if name == "footnotes" else name for name in EXTENSIONS]
        converter = cached[backlink] = markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS,
                                                         output_format="html")
        converter.page_footnotes = footnotes
    return converter


def _convert(text, elsewhere=None):
    converter = _converter()
    converter.page_footnotes.elsewhere = elsewhere or {}
    try:
        return converter.convert(text)
    finally:
        converter.reset()  # footnotes, references and abbreviations must not leak into the next text


def _render(text, elsewhere=None):
    html = _scope_footnotes(_convert(_task_boxes(text), elsewhere), text)
    if elsewhere:
        html = ELSEWHERE_ANCHOR.sub(r"\1\2:", html)
    return nh3.clean(
        html,
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
