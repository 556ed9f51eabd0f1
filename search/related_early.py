"""A document page's related documents, asked of Elasticsearch while the page renders.

The related-documents request is the slowest part of a document page at 100k documents
(a 40-term more-like-this query, median took ~40 ms), and the page's own work (its SQL and
templates, ~25 ms of CPU) does not need its answer until the foot of the page. So a
before_serve_page hook builds the request (in this thread: it reads the database) and sends
it from a small thread pool; the `related_documents` tag collects the answer where it is
shown. Pages served some other way (previews, tests rendering a template) ask there and then.

Nothing is shown that the synchronous path would not show: the request is the same, built
for the same reader, and the answer goes through the same service.related_hits."""
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db.models import prefetch_related_objects

from . import service

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_pool = None
_pool_pid = None
ATTRIBUTE = "_lintas_related"  # request attribute: {page id: future}


def _executor():
    # One pool per process, made after gunicorn forks: a forked copy of a pool has no threads.
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool, _pool_pid = ThreadPoolExecutor(max_workers=4, thread_name_prefix="related"), os.getpid()
        return _pool


def start(page, request):
    """Send `page`'s related-documents request for the request's reader, without waiting."""
    # The page's template reads these too: prefetched here, get_context does not read them again.
    prefetch_related_objects([page], "stages", "obstacles")
    search = service.related_request(page, request.user)
    pending = getattr(request, ATTRIBUTE, None) or {}
    pending[page.pk] = _executor().submit(service.send_related, search)
    setattr(request, ATTRIBUTE, pending)


def collect(page, request):
    """`page`'s related documents: the answer start() asked for, or asked now if it did not."""
    future = (getattr(request, ATTRIBUTE, None) or {}).pop(page.pk, None)
    if future is None:
        return service.related(page, request.user)
    try:
        # The client gives up after ELASTICSEARCH_TIMEOUT; waiting longer only guards a stuck pool.
        return service.related_hits(lambda: future.result(timeout=settings.ELASTICSEARCH_TIMEOUT + 5))
    except TimeoutError:
        logger.warning("Related documents of page %s not answered in time", page.pk)
        return []
