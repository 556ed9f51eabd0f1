"""OpenAPI 3.1 description of the JSON search API, built from the same lists the
parameter parser validates against, so the two cannot disagree."""
from .params import FACETS, MAX_PAGE, MAX_QUERY_LENGTH, SORTS, known_values

FACET_DESCRIPTIONS = {
    "stage": "Procedural stage code, e.g. p-19, p-21, tahap-2.",
    "obstacle": "Obstacle code, e.g. bahasa-penerjemah, koordinasi-kejaksaan.",
    "kanwil": "Code of the regional office that wrote the document.",
    "type": "Content type: studi-tiru, pelajaran or panduan.",
    "year": "Year of the document's date.",
    "provision": "Legal provision code, e.g. pasal-122.",
}


def _facet_parameter(name, codes):
    items = {"type": "integer", "minimum": 1900, "maximum": 2100} if name == "year" else {"type": "string", "enum": sorted(codes)}
    return {
        "name": name, "in": "query", "required": False, "explode": True, "style": "form",
        "description": FACET_DESCRIPTIONS[name] + " Repeat the parameter to select several values (OR within a facet, AND across facets).",
        "schema": {"type": "array", "items": items},
    }


def schema(request):
    known = known_values()
    hit = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "url": {"type": "string"},
            "type": {"type": "string"}, "kanwil": {"type": "string"},
            "stages": {"type": "array", "items": {"type": "string"}},
            "obstacles": {"type": "array", "items": {"type": "string"}},
            "date": {"type": ["string", "null"], "format": "date"},
            "highlight": {"type": "array", "items": {"type": "string"}, "description": "HTML fragments; matched words in <mark>."},
        },
        "required": ["id", "title", "url", "type", "kanwil", "stages", "obstacles", "date", "highlight"],
    }
    facet_value = {
        "type": "object",
        "properties": {"code": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"},
                       "selected": {"type": "boolean"}},
        "required": ["code", "label", "count", "selected"],
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Lintas Kanwil search API", "version": "1",
                 "description": "Search the documents shared between regional immigration offices. Requires a logged-in session."},
        "servers": [{"url": request.build_absolute_uri("/")}],
        "paths": {
            "/api/v1/search/": {"get": {
                "summary": "Search documents with facets",
                "parameters": [
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH},
                     "description": "Free text. Indonesian word forms, acronyms and P-code spellings are matched."},
                    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
                    *(_facet_parameter(name, known.get(name, ())) for name in FACETS),
                ],
                "responses": {
                    "200": {"description": "Results and facet counts", "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {
                            "total": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
                            "results": {"type": "array", "items": hit},
                            "facets": {"type": "object", "properties": {n: {"type": "array", "items": facet_value} for n in FACETS}},
                            "suggestion": {"type": ["string", "null"]},
                            "degraded": {"type": "boolean", "description": "True when the search engine was unreachable and a basic database search answered."},
                        },
                        "required": ["total", "results", "facets"],
                    }}}},
                    "400": {"description": "Unknown parameter or value", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"error": {"type": "string"}, "errors": {"type": "array", "items": {"type": "string"}}},
                        "required": ["error"]}}}},
                    "401": {"description": "Not logged in"},
                },
            }},
            "/api/v1/suggest/": {"get": {
                "summary": "Autocomplete on titles and glossary terms",
                "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Suggestions", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"suggestions": {"type": "array", "items": {"type": "object", "properties": {
                        "text": {"type": "string"}, "kind": {"type": "string"}, "url": {"type": "string"}}}}}}}}}},
            }},
        },
    }
