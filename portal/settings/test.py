import os

from .base import *  # noqa: F401,F403
from .base import STATE_DIR
from .env import env_str

# Tests never touch the developer's index: each run gets its own alias.
SEARCH_INDEX_ALIAS = env_str("SEARCH_INDEX_ALIAS", f"lintas-test-{os.getpid()}")
MEDIA_ROOT = STATE_DIR / "test-media"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "id"
# Login throttling stays on in tests (tests/integration/test_hardening.py needs it); only
# the test client's request-less login() is let through. See portal.throttle.
AUTHENTICATION_BACKENDS = ["portal.throttle.RequestOptionalAxesBackend", "django.contrib.auth.backends.ModelBackend"]

# Every /api/ answer in the suite is checked against the published OpenAPI document; a
# test that causes a violation fails (tests/api_contract.py, tests/conftest.py).
MIDDLEWARE = ["tests.api_contract.ApiContractMiddleware", *MIDDLEWARE]  # noqa: F405

# `manage.py elasticsearch` for `make test` and the local-node tests (see devtools/).
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # noqa: F405
