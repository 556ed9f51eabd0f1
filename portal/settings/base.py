"""Settings shared by every environment. Every value comes from the environment with a
safe local default; see the table in README.md."""
import os
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
    "lessons.privacy.middleware.PrivacyGuardMiddleware",  # a refused publication -> message, not an error page
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
WAGTAILDOCS_DOCUMENT_FORM_BASE = "lessons.attachments.document_forms.AttachmentDocumentForm"
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
# exists anyway counts as "no group" everywhere (lessons.access.rules).
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"password": False}
WAGTAILDOCS_PRIVATE_COLLECTION_OPTIONS = {"password": False}

# Hostile input: bounds checked before any expensive parsing (search parameters, Markdown
# imports and rendering, attachment checks). Each refusal is a clear message, never a 500.
# Highlighting analyses at most this many characters of a field; must stay below the
# index's index.highlight.max_analyzed_offset (1,000,000), or ES fails the whole search.
SEARCH_HIGHLIGHT_MAX_ANALYZED_OFFSET = env_int("LINTAS_SEARCH_HIGHLIGHT_MAX_ANALYZED_OFFSET", 900_000)
# YAML front matter: bytes, nesting depth of mappings/lists, and aliases (*name) allowed.
FRONT_MATTER_MAX_BYTES = env_int("LINTAS_FRONT_MATTER_MAX_BYTES", 16 * 1024)
FRONT_MATTER_MAX_DEPTH = env_int("LINTAS_FRONT_MATTER_MAX_DEPTH", 8)
FRONT_MATTER_MAX_ALIASES = env_int("LINTAS_FRONT_MATTER_MAX_ALIASES", 0)
# Markdown bodies: list/blockquote nesting, characters the link parser may scan looking for
# closing brackets (its cost is quadratic in unclosed '[' and '('), and rendered HTML size.
MARKDOWN_MAX_NESTING = env_int("LINTAS_MARKDOWN_MAX_NESTING", 16)
MARKDOWN_MAX_BRACKET_SCAN = env_int("LINTAS_MARKDOWN_MAX_BRACKET_SCAN", 200_000)
# Inline markers (* _ ` <) times the length of their paragraph, summed: a bound on the
# time the inline patterns take (they search to the end of the paragraph when unclosed).
MARKDOWN_MAX_INLINE_WORK = env_int("LINTAS_MARKDOWN_MAX_INLINE_WORK", 50_000_000)
# Markup characters (* _ ` < | [) per text: each inline element costs ~0.1 ms to render.
MARKDOWN_MAX_MARKUP = env_int("LINTAS_MARKDOWN_MAX_MARKUP", 16_000)
# Fence lines (``` or ~~~) per text; an unclosed fence is refused outright.
MARKDOWN_MAX_FENCES = env_int("LINTAS_MARKDOWN_MAX_FENCES", 200)
MARKDOWN_MAX_RENDERED_BYTES = env_int("LINTAS_MARKDOWN_MAX_RENDERED_BYTES", 4 * 1024 * 1024)
# Attachments (DOCX is a zip; PDF parsed by pypdf in a child process with time/memory caps).
DOCX_MAX_ENTRIES = env_int("LINTAS_DOCX_MAX_ENTRIES", 1000)
DOCX_MAX_UNCOMPRESSED_BYTES = env_int("LINTAS_DOCX_MAX_UNCOMPRESSED_BYTES", 20 * 1024 * 1024)
DOCX_MAX_RATIO = env_int("LINTAS_DOCX_MAX_RATIO", 200)
PDF_MAX_PAGES = env_int("LINTAS_PDF_MAX_PAGES", 2000)
ATTACHMENT_PARSE_SECONDS = env_int("LINTAS_ATTACHMENT_PARSE_SECONDS", 20)
ATTACHMENT_CHECK_SECONDS = env_int("LINTAS_ATTACHMENT_CHECK_SECONDS", 5)
ATTACHMENT_PARSE_MAX_BYTES = env_int("LINTAS_ATTACHMENT_PARSE_MAX_BYTES", 200 * 1024 * 1024)
# Rendered Markdown, once per text and language, shared by all workers (a file cache, so the
# index worker's render at publish time serves the page views).
CACHES = globals().get("CACHES") or {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES["markdown"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": env_str("LINTAS_MARKDOWN_CACHE_DIR", str(STATE_DIR / "markdown-cache")),
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": env_int("LINTAS_MARKDOWN_CACHE_ENTRIES", 5000)},
}
MARKDOWN_CACHE = "markdown"

# --- Hardening: login throttling, Content-Security-Policy, security headers ---------------
from datetime import timedelta  # noqa: E402

from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

INSTALLED_APPS += ["axes", "csp"]
# SecurityMiddleware goes first so the HTTPS redirect (production) happens before any work;
# axes' middleware goes last, as its documentation requires, to turn a refused login into
# the lockout page.
MIDDLEWARE.remove("django.middleware.security.SecurityMiddleware")
MIDDLEWARE[:0] = ["django.middleware.security.SecurityMiddleware", "portal.middleware.ContentSecurityPolicyMiddleware"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]

# Every login (portal form, Wagtail admin form) passes axes' backend first: it refuses a
# locked-out username+address before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("LINTAS_LOGIN_FAILURE_LIMIT", 5)
# Locked out for this long after the last failure; a failure during the lock restarts it.
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LINTAS_LOGIN_COOLOFF_MINUTES", 15))
# Counted per username *and* address: an attacker cannot lock a colleague out from another
# machine, and one machine guessing many usernames is throttled per username.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "portal.throttle.client_ip"
# How many reverse proxies in front of Django append to X-Forwarded-For. 0: the header is
# ignored (it can be forged) and REMOTE_ADDR is the client.
LINTAS_TRUSTED_PROXY_COUNT = env_int("LINTAS_TRUSTED_PROXY_COUNT", 0)
AXES_ENABLE_ADMIN = False  # Django's admin site is not mounted; unlock with `manage.py axes_reset_username`
AXES_VERBOSE = False
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # lockouts only, not every login

# Content-Security-Policy on every response (django-csp). Reader pages: nothing inline,
# nothing from other origins; the only script is a static file.
_CSP_COMMON = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_COMMON}
# The Wagtail admin (/admin/), measured in Chromium by tests/browser/test_csp.py: Wagtail 8's
# date widgets and inline panels (attachments) initialise themselves with inline scripts,
# so the page editor needs 'unsafe-inline' for scripts; styles stay 'self'. Its live
# preview shows an admin URL in a frame of the editor, hence frame-ancestors 'self'.
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {**_CSP_COMMON, "script-src": [SELF, UNSAFE_INLINE], "frame-ancestors": [SELF]}
}
# Gravatar would send a hash of every editor's e-mail address to an outside service.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Security headers; production adds HTTPS, HSTS and secure cookies (portal/settings/production.py).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Index pipeline: outbox retries, dead letters, worker leases, old indexes after a rebuild.
# A page whose own document keeps failing becomes a dead letter after this many attempts
# (outages never count: they only delay).
SEARCH_INDEX_MAX_ATTEMPTS = env_int("SEARCH_INDEX_MAX_ATTEMPTS", 5)
# Back-off after a page's document failed: base * 2^(failures-1) seconds, capped.
SEARCH_INDEX_RETRY_SECONDS = env_int("SEARCH_INDEX_RETRY_SECONDS", 2)
SEARCH_INDEX_RETRY_MAX_SECONDS = env_int("SEARCH_INDEX_RETRY_MAX_SECONDS", 600)
# How long a worker's claim on outbox rows holds; a crashed worker's rows are free after it.
SEARCH_WORKER_LEASE_SECONDS = env_int("SEARCH_WORKER_LEASE_SECONDS", 300)
# A rebuild keeps the index it replaced this long, so searches still running on it finish.
SEARCH_OLD_INDEX_GRACE_SECONDS = env_int("SEARCH_OLD_INDEX_GRACE_SECONDS", 300)

WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_PRIVATE_COLLECTION_OPTIONS = {"SHARED_PASSWORD": False}

# --- Scale (issue #10): caches and bulk loading ------------------------------------------
# Seconds other processes may serve taxonomy and glossary from their own cache after an
# editor changed them (the editing process clears its cache at once); 0 turns caching off.
REFERENCE_CACHE_SECONDS = env_int("LINTAS_REFERENCE_CACHE_SECONDS", 10)

# --- Rebuild in worker processes (issue #10) ---------------------------------------------
# `search_index rebuild` builds documents in this many forked worker processes (each loads
# and builds its own chunks; the rebuilding process alone writes to the database and
# Elasticsearch). 1 builds them in the rebuilding process. Building is CPU-bound, so more
# processes than cores only add memory; Elasticsearch needs a core of its own too.
SEARCH_REBUILD_PROCESSES = max(1, env_int("SEARCH_REBUILD_PROCESSES", min(2, os.cpu_count() or 1)))

# --- Bulk import: parsing in worker processes (issue #10) --------------------------------
# `import_archive` reads, parses and renders the plain text of a batch of at least
# IMPORT_PARSE_MIN_FILES files in this many forked worker processes while the batch before
# it is written (lessons/markdown/parse_pool.py); 1 parses in the importing process. Off by
# default: it moves a third of the importing process's CPU time to the workers, which pays
# only when a core is idle; on the shared 2-core machine it measured slower side by side
# (bench/import_rate.py --compare . --compare-env LINTAS_IMPORT_PARSE_WORKERS=1). Try 2-4.
IMPORT_PARSE_WORKERS = max(1, env_int("LINTAS_IMPORT_PARSE_WORKERS", 1))
IMPORT_PARSE_MIN_FILES = max(1, env_int("LINTAS_IMPORT_PARSE_MIN_FILES", 64))
