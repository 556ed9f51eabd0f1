"""The one Elasticsearch client of the process, configured from settings on first use."""
from functools import lru_cache

from django.conf import settings
from elasticsearch import Elasticsearch


def cluster_url():
    return settings.ELASTICSEARCH_URL or f"http://127.0.0.1:{settings.ES_LOCAL_PORT}"


@lru_cache(maxsize=4)
def _client(url, api_key, timeout):
    # The outbox worker has its own back-off; the transport's own dead-node timeout (up to
    # 30 s by default) would only delay noticing that the cluster is back.
    return Elasticsearch(url, api_key=api_key or None, request_timeout=timeout, retry_on_timeout=False, max_retries=0,
                         dead_node_backoff_factor=0.5, max_dead_node_backoff=1.0)


def get_client():
    return _client(cluster_url(), settings.ELASTICSEARCH_API_KEY, settings.ELASTICSEARCH_TIMEOUT)
