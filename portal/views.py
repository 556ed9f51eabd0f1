from django.db import connection
from django.http import JsonResponse

from search.outbox import stats


def healthz(request):
    """Liveness for the reverse proxy, and the index queue's health for monitoring: counts
    and an age only (one cheap query), never content or titles."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "search_index": stats()})
