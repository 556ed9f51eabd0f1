from django import template

from search import related_early

register = template.Library()


@register.inclusion_tag("search/related.html", takes_context=True)
def related_documents(context, page):
    """Similar documents the reader may see, for the foot of every document page."""
    return {"related": related_early.collect(page, context["request"])}
