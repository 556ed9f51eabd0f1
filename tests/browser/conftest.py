"""Browser tests: Debian's Chromium driven by Playwright against a live portal.

How the live server meets the database
--------------------------------------
tests/conftest.py loads the demo content once per run into the test database, and
`demo_index` indexes it. pytest-django's `live_server` would force `transactional_db`,
which flushes the database after each test and so destroys that content for every test
that runs later in the session. Instead, `portal_server` runs Django's LiveServerThread
itself, over the database as it is (the test database is in-memory SQLite, so the
thread is handed the main thread's connection, as LiveServerTestCase does), and
the `db` fixture is overridden here to let the server thread use that database while
a browser test runs, without wrapping the test in a transaction.
Nothing is flushed; what the browser writes (sessions, last_login) is harmless, and the
one extra user these tests create is deleted again afterwards.

Playwright's sync API keeps an asyncio loop running on the main thread, and Django
refuses database calls from a thread with a running loop. So every database read the
tests need happens in `demo_facts` before the browser starts, and the browser is
package-scoped: it is closed (and the loop stopped) before tests in other packages run.
"""
import os
import re
import shutil

import pytest

from tests.live_server import serving_portal

CHROMIUM = os.environ.get("LINTAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "lintas-demo"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="package")
def portal_server(demo_index, django_db_blocker):
    """The portal served over HTTP from a thread of this process; yields its base URL."""
    with serving_portal(django_db_blocker) as url:
        yield url


@pytest.fixture(scope="package")
def demo_facts(django_db_setup, django_db_blocker):
    """What the tests need to know from the database, read before the browser starts.
    Adds a staff user for the Kanwil a restricted demo document belongs to (the demo has
    users for Kalbar and Sumsel only) and removes it afterwards."""
    from django.contrib.auth import get_user_model
    from wagtail.models import PageViewRestriction

    from lessons.access import rules as access
    from lessons.models import Kanwil

    with django_db_blocker.unblock():
        kanwil_by_staff_group = {access.group_name(k, "staf"): k.code for k in Kanwil.objects.all()}
        restricted = []
        for restriction in PageViewRestriction.objects.filter(restriction_type=PageViewRestriction.GROUPS):
            page = restriction.page.specific
            codes = sorted(kanwil_by_staff_group[name] for name in restriction.groups.values_list("name", flat=True)
                           if name in kanwil_by_staff_group)
            restricted.append({"title": page.title, "url": page.url, "kanwil": codes})
        # A document only Kanwil outside the demo users' own may read.
        target = next(doc for doc in sorted(restricted, key=lambda d: d["title"])
                      if not {"kalbar", "sumsel"} & set(doc["kanwil"]))
        kanwil = Kanwil.objects.get(code=target["kanwil"][0])
        User = get_user_model()
        username = f"staf-{kanwil.code}"
        created = not User.objects.filter(username=username).exists()
        user, _ = User.objects.get_or_create(username=username)
        if created:
            user.first_name = f"Staf {kanwil.short_name}"
            user.set_password(PASSWORD)
            user.save()
            user.groups.set([access.kanwil_groups(kanwil)["staf"]])
        facts = {
            "restricted": target,
            "restricted_reader": username,
            "readable_by_kalbar_staff": readable_documents(User.objects.get(username="staf-kalbar")),
        }
    yield facts
    if created:
        with django_db_blocker.unblock():
            User.objects.filter(username=username).delete()


def readable_documents(user):
    """Titles of the live documents `user` may read, newest first, straight from Wagtail's
    restriction rows (not through lessons.access, whose answers the tests check): every
    restriction on the page or above it must let one of the user's groups in."""
    from wagtail.models import Page, PageViewRestriction

    from lessons.models import DOCUMENT_MODELS

    groups = set(user.groups.values_list("id", flat=True))

    def admits(restriction):
        if restriction.restriction_type == PageViewRestriction.GROUPS:
            return bool(groups & set(restriction.groups.values_list("id", flat=True)))
        return restriction.restriction_type == PageViewRestriction.LOGIN

    pages = Page.objects.live().type(*DOCUMENT_MODELS).order_by("-first_published_at")
    return [page.title for page in pages if all(admits(r) for r in page.get_view_restrictions())]


@pytest.fixture(scope="package")
def browser(portal_server, demo_facts):
    """One headless Chromium for all browser tests, with a fresh profile (Playwright
    launches it with a temporary user-data-dir and removes it on close)."""
    from playwright.sync_api import sync_playwright

    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install chromium (or run `make test`).",
                    pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def db(django_db_setup, django_db_blocker):
    """Overrides pytest-django's `db` for the browser tests only: the test database (with
    the demo content) is set up, but the test is not wrapped in a transaction, because
    the live server thread reads and writes the shared database while the test runs.
    The name matters: pytest-django creates the test database only when a collected test
    uses `db` (or a django_db marker); without it a run of just these tests would load
    the demo content into the developer's own database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="package")
def log_in():
    """The one way the browser tests log in: fill the portal's login form on `page` (which
    shows it) and send it. Waits for nothing: callers expect what should follow."""
    def submit(page, username, password=PASSWORD):
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form[action='/masuk/'] button[type=submit]")

    return submit


@pytest.fixture(scope="package")
def _login_states():
    return {}


@pytest.fixture
def new_page(browser, portal_server, _login_states, log_in):
    """Factory: a page in its own browser context, anonymous or logged in as `username`.
    Fails the test if the page raised a JavaScript error."""
    contexts, errors = [], []

    def make(username=None):
        state = None
        if username:
            if username not in _login_states:
                context = browser.new_context(base_url=portal_server)
                page = context.new_page()
                page.goto("/masuk/")
                log_in(page, username)
                page.wait_for_url(re.compile(r"^(?!.*/masuk/)"))
                _login_states[username] = context.storage_state()
                context.close()
            state = _login_states[username]
        context = browser.new_context(base_url=portal_server, storage_state=state, locale="id-ID")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    if errors:
        pytest.fail(f"JavaScript errors on the page: {errors}", pytrace=False)


@pytest.fixture
def logged_in_page(new_page):
    """A page logged in as the demo staff user of Kanwil Kalbar."""
    return new_page("staf-kalbar")
