"""Production: secrets and hosts have no defaults, so a missing one stops start-up."""
from .base import *  # noqa: F401,F403
from .env import env_bool, env_list, env_required

DEBUG = False
SECRET_KEY = env_required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or env_required("DJANGO_ALLOWED_HOSTS")
ELASTICSEARCH_URL = env_required("ELASTICSEARCH_URL")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DEMO_CONTENT_ALLOWED = False
