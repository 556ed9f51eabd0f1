"""JSON API: GET /api/v1/search/ and /api/v1/suggest/, same parameters as the page."""
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from . import params as search_params
from . import schema, service
from .openapi import document


def _hit(hit):
    """A result object: its id, the fields the schema puts in the API, its highlights."""
    fields = {field.name: getattr(hit, field.name) for field in schema.FIELDS if field.api}
    return {"id": hit.id, **fields, "highlight": hit.highlight}


@require_GET
def search(request):
    params, errors = search_params.parse(request.GET, strict=True)
    if errors:
        return JsonResponse({"error": " ".join(errors), "errors": errors}, status=400)
    outcome = service.run(params, request.user)
    return JsonResponse({
        "total": outcome.total,
        "page": params.page,
        "pages": outcome.pages,
        "results": [_hit(h) for h in outcome.hits],
        "facets": {
            f.name: [{"code": v.code, "label": v.label, "count": v.count, "selected": v.selected} for v in f.values]
            for f in outcome.facets
        },
        "suggestion": outcome.suggestion or None,
        "degraded": outcome.unavailable,
    })


@require_GET
def suggest(request):
    return JsonResponse({"suggestions": service.suggestions(request.GET.get("q", ""), request.user)})


@require_GET
def openapi(request):
    return JsonResponse(document(request))
