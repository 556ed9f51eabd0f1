from django import template

from lessons.markdown.rendering import strip_markdown_residue

register = template.Library()


@register.filter
def plain(text):
    """Summaries on cards: plain text, without stray Markdown (stars, footnote markers)."""
    return strip_markdown_residue(text or "")
