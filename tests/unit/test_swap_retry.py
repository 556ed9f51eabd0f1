"""The one retry a search gets when an alias swap pulls its index away (pure logic: the
real swap is exercised by tests/integration/test_pipeline.py's rebuild-under-load test)."""
import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders
from elasticsearch import ApiError

from search import service


def api_error(status, kind):
    meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0, node=None)
    return ApiError(kind, meta=meta, body={"error": {"type": kind}})


class FlakyNode:
    """Stands in for service.multi_search: fails with the given errors first, then answers;
    counts the requests."""

    def __init__(self, *errors):
        self.errors, self.calls = list(errors), 0

    def __call__(self, searches):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return ["answer"] * len(searches)


@pytest.mark.parametrize("status,kind", [
    (404, "index_not_found_exception"),
    (503, "search_phase_execution_exception"),
    (503, "no_shard_available_action_exception"),
    (400, "index_closed_exception"),
])
def test_a_swap_error_is_retried_once(monkeypatch, status, kind):
    node = FlakyNode(api_error(status, kind))
    monkeypatch.setattr(service, "multi_search", node)
    assert service._send("hits", "counts") == ["answer", "answer"]
    assert node.calls == 2


def test_a_second_swap_error_is_not_retried_again(monkeypatch):
    node = FlakyNode(api_error(404, "index_not_found_exception"), api_error(404, "index_not_found_exception"))
    monkeypatch.setattr(service, "multi_search", node)
    with pytest.raises(ApiError):
        service._send("hits")
    assert node.calls == 2


def test_other_errors_are_not_retried(monkeypatch):
    node = FlakyNode(api_error(400, "parsing_exception"))
    monkeypatch.setattr(service, "multi_search", node)
    with pytest.raises(ApiError):
        service._send("hits")
    assert node.calls == 1
