"""Markdown to safe HTML. Pure: no Django models, so importers, blocks and tests share it."""
import hashlib
import html
import re

import markdown
import nh3
from django.utils.translation import gettext

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
TASK_ITEM = re.compile(r"^(\s*[-*+]\s+)\[( |x|X)\]\s+", re.MULTILINE)
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


def render_markdown(text):
    """Render Markdown written by editors into HTML that is safe to embed in a page."""
    if not text:
        return ""
    configs = {**EXTENSION_CONFIGS, "footnotes": {"BACKLINK_TITLE": gettext("Kembali ke rujukan catatan kaki %d")}}
    html = markdown.markdown(_task_boxes(text), extensions=EXTENSIONS, extension_configs=configs, output_format="html")
    return nh3.clean(
        _scope_footnotes(html, text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def markdown_to_text(text):
    """Plain text of a Markdown source, for indexing and snippets."""
    plain = html.unescape(nh3.clean(render_markdown(text), tags=set()))
    return BLANK_RUNS.sub("\n", plain.replace("\xa0", " ")).strip()
