"""Every /api/ answer of the test suite, checked against the published OpenAPI document.

ApiContractMiddleware (enabled in portal/settings/test.py only, outermost) validates each
response under /api/ with a JSON Schema (2020-12) validator: the status must be declared
for that path, a declared JSON body must be JSON and match its schema. Violations are
recorded here, and an autouse fixture (tests/conftest.py) fails the test that caused one.
This covers the test client, the live servers of the browser and schemathesis tests, and
the fallback and error paths alike."""
import json
import threading

import jsonschema_rs

from search.openapi import document

DOCUMENT_PATH = "/api/v1/openapi.json"
_lock = threading.Lock()
violations = []  # (method path?query, status, message)
checked = {"responses": 0}


def problems(request, response):
    """What is wrong with one API response, by the document the same request would get."""
    path = request.path_info
    paths = document(request)["paths"]
    if path == DOCUMENT_PATH:
        if response.status_code == 401:  # not logged in: the login answer every API path declares
            return matches(next(iter(paths.values()))["get"]["responses"]["401"], response)
        body = json.loads(response.content)
        return [] if response.status_code == 200 and body.get("openapi", "").startswith("3.1") else [
            f"{response.status_code}: not an OpenAPI 3.1 document"]
    operation = paths.get(path, {}).get(request.method.lower())
    if operation is None:
        return [f"{request.method} {path} is not in the OpenAPI document"]
    declared = operation["responses"].get(str(response.status_code))
    if declared is None:
        return [f"status {response.status_code} is not declared for {request.method} {path}"]
    return matches(declared, response)


def matches(declared, response):
    """What is wrong with a response against one declared response object."""
    content = declared.get("content")
    if not content:
        return []
    if not response.get("Content-Type", "").startswith("application/json"):
        return [f"Content-Type {response.get('Content-Type')!r} where application/json is declared"]
    try:
        body = json.loads(response.content)
    except ValueError as error:
        return [f"body is not JSON: {error}"]
    validator = jsonschema_rs.Draft202012Validator(content["application/json"]["schema"], validate_formats=True)
    return [f"{'/'.join(map(str, error.instance_path)) or '(body)'}: {error.message}"
            for error in validator.iter_errors(body)]


class ApiContractMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/api/"):
            found = problems(request, response)
            with _lock:
                checked["responses"] += 1
                violations.extend((request.get_full_path()[:300], response.status_code, p) for p in found)
        return response


def take_violations():
    """The violations recorded since the last call, and forget them."""
    with _lock:
        found = list(violations)
        violations.clear()
    return found
