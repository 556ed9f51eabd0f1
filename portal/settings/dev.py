from .base import *  # noqa: F401,F403
from .env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The local Elasticsearch node and `manage.py elasticsearch` (development tooling, not installed
# in production; see devtools/).
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # noqa: F405
