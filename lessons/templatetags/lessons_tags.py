from django import template
from django.utils.safestring import mark_safe

from lessons.markdown.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value, page=None):
    """Render an editor's Markdown field; the output is sanitised, so it is safe to mark.
    `page` (`{{ page.situation|markdown:page }}`): the page the field belongs to, so that its
    footnote references link to notes its other fields define."""
    return mark_safe(render_markdown(value or "", getattr(page, "footnotes", None)))
