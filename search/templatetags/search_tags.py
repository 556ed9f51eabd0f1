from django import template

from search import service

register = template.Library()


@register.inclusion_tag("search/related.html", takes_context=True)
def related_documents(context, page):
    """Similar documents the reader may see, for the foot of every document page."""
    return {"related": service.related(page, context["request"].user)}
