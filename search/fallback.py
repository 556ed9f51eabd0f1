"""A plain database search for when Elasticsearch cannot answer: Wagtail's database
backend over the pages the reader may see. No facets, no stemming; better than nothing."""
from lessons.access.rules import document_queryset, visible_pages

from .results import Hit, kanwil_roles


def database_search(params, user, limit=20):
    pages = visible_pages(user, document_queryset())
    if params.q:
        found = list(pages.specific().search(params.q)[:limit])
    else:
        found = list(pages.specific().order_by("-first_published_at")[:limit])
    return [
        Hit(id=p.id, title=p.title, url=p.url, type=p.type_code, type_label=str(p.get_verbose_name()),
            kanwil=p.author_kanwil.code if p.author_kanwil else "", kanwil_label=str(p.author_kanwil or ""),
            stages=[], obstacles=[], date=p.date.isoformat() if p.date else None, summary=p.summary,
            kanwil_roles=_roles(p))
        for p in found
    ]


def _roles(page):
    roles = page.kanwil_roles()
    return kanwil_roles([{"code": k.code, "role": role} for k, role in roles], {k.code: k.name for k, _ in roles})
