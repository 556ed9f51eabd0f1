"""Production: secrets and hosts have no defaults, so a missing one stops start-up.
HTTPS is enforced by Django itself (redirect, HSTS, secure cookies) unless switched off;
a reverse proxy that terminates TLS must be declared with DJANGO_TLS_PROXY_HEADER, never
assumed, because trusting X-Forwarded-Proto from a client lets it claim HTTPS."""
from .base import *  # noqa: F401,F403
from .env import env_bool, env_int, env_list, env_required, env_str

DEBUG = False
SECRET_KEY = env_required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or env_required("DJANGO_ALLOWED_HOSTS")
ELASTICSEARCH_URL = env_required("ELASTICSEARCH_URL")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
DEMO_CONTENT_ALLOWED = False

# false only when the proxy in front already redirects http:// to https://.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# The health probe of a load balancer or orchestrator speaks plain HTTP to the app.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# The preload flag alone changes nothing: a domain joins the browsers' preload list only
# when its apex domain is submitted at hstspreload.org.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

# Name of the header a TLS-terminating proxy sets to "https", e.g. X-Forwarded-Proto. The
# proxy must overwrite (not pass through) that header from clients.
_TLS_PROXY_HEADER = env_str("DJANGO_TLS_PROXY_HEADER", "").strip()
if _TLS_PROXY_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _TLS_PROXY_HEADER.upper().replace("-", "_"), "https")

# Persistent database connections: a new connection per request costs a connect (and, on
# SQLite, the WAL pragma) on every request; on PostgreSQL several milliseconds. Each worker
# thread keeps one open for this many seconds, checked before reuse after an error.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
