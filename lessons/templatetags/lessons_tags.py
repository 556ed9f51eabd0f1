from django import template
from django.utils.safestring import mark_safe

from lessons.markdown.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    """Render an editor's Markdown field; the output is sanitised, so it is safe to mark."""
    return mark_safe(render_markdown(value or ""))
