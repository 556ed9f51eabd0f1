"""Settings shared by every environment. Every value comes from the environment with a
safe local default; see the table in README.md."""
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime state (SQLite file, media, local Elasticsearch) lives outside the source tree.
STATE_DIR = Path(env_str("LINTAS_STATE_DIR", str(Path.home() / ".local/share/lintas-kanwil")))
STATE_DIR.mkdir(parents=True, exist_ok=True)  # SQLite cannot create the folder of its file

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-development-only-not-secret")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal",
    "lessons",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.IndonesianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lessons.middleware.PrivacyGuardMiddleware",  # a refused publication -> message, not an error page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{STATE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the index worker read while the web process writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(STATE_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(STATE_DIR / "media")))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

WAGTAIL_SITE_NAME = "Lintas Kanwil"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "txt"]
# Attachments are internal: always streamed through Wagtail's view (login and privacy checks).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "lessons.document_forms.AttachmentDocumentForm"
# Wagtail's own search (admin) uses the database backend: modelsearch's Elasticsearch
# backend needs analysis-common, which the local node does not ship.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True

# Uploads: one limit for Markdown imports and attachments, in bytes.
UPLOAD_MAX_BYTES = env_int("LINTAS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
MARKDOWN_MAX_BYTES = env_int("LINTAS_MARKDOWN_MAX_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
WAGTAILDOCS_MAX_UPLOAD_SIZE = UPLOAD_MAX_BYTES

# Elasticsearch. An explicit URL means "use that cluster, start nothing".
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL", "")
ELASTICSEARCH_API_KEY = env_str("ELASTICSEARCH_API_KEY", "")
ELASTICSEARCH_TIMEOUT = env_int("ELASTICSEARCH_TIMEOUT", 10)
ES_LOCAL_VERSION = env_str("ES_LOCAL_VERSION", "8.19.9")
ES_LOCAL_PORT = env_int("ES_LOCAL_PORT", 9200)
ES_LOCAL_HEAP = env_str("ES_LOCAL_HEAP", "512m")


def _es_local_dir_default():
    """As root the local node runs as user "nobody", who cannot enter /root: use /var/tmp."""
    import os

    return Path("/var/tmp/lintas-kanwil/elasticsearch") if os.geteuid() == 0 else STATE_DIR / "elasticsearch"


ES_LOCAL_DIR = Path(env_str("ES_LOCAL_DIR", str(_es_local_dir_default())))
SEARCH_INDEX_ALIAS = env_str("SEARCH_INDEX_ALIAS", "lintas-documents")
SEARCH_PAGE_SIZE = env_int("SEARCH_PAGE_SIZE", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Transport failures are reported once by the caller (worker, search page), not per node.
    "loggers": {"elastic_transport": {"level": "ERROR"}},
}

# Demo users have a published password: allowed locally, never in production.
DEMO_CONTENT_ALLOWED = env_bool("LINTAS_DEMO_CONTENT", True)
LOGGING["loggers"].update({"django_tasks": {"level": "WARNING"}, "wagtail": {"level": "WARNING"}})

# --- Access (issue 7): who reads what ---------------------------------------------------
# No "password" privacy option: a shared password cannot tell one Kanwil's officers from
# another's. Pages and collections are restricted to groups; a password restriction that
# exists anyway counts as "no group" everywhere (lessons.access).
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_PRIVATE_COLLECTION_OPTIONS = {"SHARED_PASSWORD": False}
