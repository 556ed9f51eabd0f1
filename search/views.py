"""The search page (HTML). Parameters -> SearchParams -> service.run -> template."""
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import params as search_params
from . import schema, service


def search_page(request):
    params, errors = search_params.parse(request.GET, strict=False)
    outcome = service.run(params, request.user)
    return render(request, "search/search.html", {
        "params": params,
        "outcome": outcome,
        "errors": errors,
        "page_links": _page_links(params, outcome),
        "sort_links": [(code, label, params.url(sort=code, page=1)) for code, label in SORT_LABELS],
        "selected_chips": _selected_chips(outcome),
        "suggestion_url": params.url(q=outcome.suggestion, page=1) if outcome.suggestion else "",
        "max_query_length": search_params.MAX_QUERY_LENGTH,
        "debug": settings.DEBUG,
        # Narrower filters (authorship) for editors; officers see the experience filters only.
        "editor_options": request.user.has_perm("wagtailadmin.access_admin"),
        "editorial_selected": any(params.selected(f.param) for f in schema.FACETS if f.editorial),
    })


SORT_LABELS = [("relevance", _("Paling relevan")), ("newest", _("Terbaru")), ("oldest", _("Terlama"))]


def _page_links(params, outcome):
    """Page numbers around the current one, with first and last always present."""
    last = min(outcome.pages, search_params.max_page(outcome.page_size))
    numbers = sorted({1, last, *range(max(1, params.page - 2), min(last, params.page + 2) + 1)})
    links, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            links.append((None, "…"))
        links.append((params.url(page=number) if number != params.page else None, str(number)))
        previous = number
    return links


def _selected_chips(outcome):
    return [
        (facet.title, value.label, value.url)
        for facet in outcome.facets for value in facet.values if value.selected
    ]
