"""OpenAPI 3.1 description of the JSON search API, generated from the schema's declarations
(search/schema.py) and the parameter parser's limits, so the document, the parser and the
answers cannot disagree. tests/api_contract.py checks every API answer of the test suite
against it."""
from . import schema
from .params import MAX_PAGE, MAX_QUERY_LENGTH, MAX_VALUES_PER_FACET, SORTS, known_values

WITHIN = {"any": "OR within a facet", "all": "AND within a facet"}


def _facet_parameter(facet, codes):
    if facet.numbers:
        lowest, highest = facet.numbers
        items = {"type": "integer", "minimum": lowest, "maximum": highest}
    else:
        items = {"type": "string", "enum": sorted(codes)}
    return {
        "name": facet.param, "in": "query", "required": False, "explode": True, "style": "form",
        "description": f"{facet.description} Repeat the parameter to select several values "
                       f"({WITHIN[facet.within]}, AND across facets).",
        "schema": {"type": "array", "items": items, "maxItems": MAX_VALUES_PER_FACET},
    }


def _hit():
    properties = {"id": {"type": "integer"}}
    properties.update((field.name, field.api) for field in schema.FIELDS if field.api)
    properties["highlight"] = {"type": "array", "items": {"type": "string"},
                               "description": "HTML fragments; matched words in <mark>."}
    return {"type": "object", "properties": properties, "required": list(properties)}


FACET_VALUE = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"},
                   "selected": {"type": "boolean"}},
    "required": ["code", "label", "count", "selected"],
}

NOT_LOGGED_IN = {"description": "Not logged in", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}}}}


def document(request):
    known = known_values()
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
                    *(_facet_parameter(facet, known.get(facet.param, ())) for facet in schema.FACETS),
                ],
                "responses": {
                    "200": {"description": "Results and facet counts", "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {
                            "total": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
                            "results": {"type": "array", "items": _hit()},
                            "facets": {"type": "object", "properties": {
                                f.param: {"type": "array", "items": FACET_VALUE} for f in schema.FACETS}},
                            "suggestion": {"type": ["string", "null"]},
                            "degraded": {"type": "boolean", "description": "True when the search engine was unreachable and a basic database search answered."},
                        },
                        "required": ["total", "results", "facets"],
                    }}}},
                    "400": {"description": "Unknown parameter or value", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"error": {"type": "string"}, "errors": {"type": "array", "items": {"type": "string"}}},
                        "required": ["error"]}}}},
                    "401": NOT_LOGGED_IN,
                },
            }},
            "/api/v1/suggest/": {"get": {
                "summary": "Autocomplete on titles and glossary terms",
                "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Suggestions", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"suggestions": {"type": "array", "items": {"type": "object", "properties": {
                        "text": {"type": "string"}, "kind": {"type": "string"}, "url": {"type": "string"}}}}}}}}},
                              "401": NOT_LOGGED_IN},
            }},
        },
    }
