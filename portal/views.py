from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """Liveness for the reverse proxy; says nothing about content."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
