"""The Content-Security-Policy is strict and the pages still work under it: real Chromium
visits the reader pages and the Wagtail admin, uses them (facets, autocomplete, language
switch, page editor), and every CSP violation the browser reports fails the test.

Violations are caught twice: Chromium's console message ("... violates the following
Content Security Policy directive ...") and the DOM `securitypolicyviolation` event,
forwarded from every frame by an init script."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', function (e) {
  window.__reportCspViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ':' + e.lineNumber,
                               (e.sample || '').slice(0, 80)].join(' | '));
});
"""


class CspWatch:
    """Collects CSP violations of one browser context, and the pages it was used on."""

    def __init__(self, page):
        self.page = page
        self.violations = []
        self.visited = []
        page.context.expose_binding("__reportCspViolation", lambda source, text: self.violations.append(
            f"{source['frame'].url}: {text}"))
        page.context.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.violations.append(f"{self.page.url}: console: {message.text}")

    def settle(self, label):
        """Let late resources and scripts run, then record the page as visited."""
        self.page.wait_for_load_state("networkidle")
        self.visited.append(label)

    def assert_clean(self):
        assert self.violations == [], "CSP violations:\n" + "\n".join(self.violations)


@pytest.fixture
def watched(new_page):
    watches = []

    def make(username=None):
        page = new_page(username)
        watch = CspWatch(page)
        watches.append(watch)
        return watch

    yield make
    pages = [label for watch in watches for label in watch.visited]
    violations = [v for watch in watches for v in watch.violations]
    print(f"\nCSP: {len(pages)} pages visited, {len(violations)} violations: {', '.join(pages)}")


def test_login_pages_have_no_csp_violation(watched):
    watch = watched()
    page = watch.page
    page.goto("/masuk/")
    expect(page.locator("#id_username")).to_be_visible()
    watch.settle("portal login")
    page.goto("/admin/login/")
    expect(page.locator("form.login-form input[name=username]")).to_be_visible()
    watch.settle("admin login")
    watch.assert_clean()


def test_reader_pages_work_without_csp_violation(watched):
    watch = watched("staf-kalbar")
    page = watch.page

    page.goto("/")
    expect(page.locator(".kanwil-list li a")).to_have_count(38)
    watch.settle("home")

    page.goto("/cari/?q=penerjemah")
    expect(page.locator(".results article.result").first).to_be_visible()
    watch.settle("search with a query")

    # A facet checkbox navigates through search.js.
    box = page.locator(".facets-panel input[type=checkbox]:not(:checked)").first
    name, value = box.get_attribute("name"), box.get_attribute("value")
    chosen = page.locator(f".facets-panel input[name='{name}'][value='{value}']")
    chosen.click()
    expect(page).to_have_url(re.compile(rf"[?&]{name}={re.escape(value)}(&|$)"))
    expect(chosen).to_be_checked()
    watch.settle("search with a facet")

    title = page.locator(".results article.result h3 a").first
    heading = title.inner_text()
    title.click()
    expect(page.locator("article.document h1")).to_have_text(heading)
    watch.settle("document page")

    # Autocomplete: fetch() to the suggest API, list rendered by search.js.
    page.goto("/cari/")
    page.locator("#q").press_sequentially("pener", delay=30)
    expect(page.locator("#suggestions li[role=option]").first).to_be_visible()
    watch.settle("autocomplete")

    page.goto("/cari/?q=penerjemah")
    page.locator(".lang-switch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    watch.settle("language switch (English)")
    page.locator(".lang-switch button[value=id]").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    watch.settle("language switch (Indonesian)")

    watch.assert_clean()


def test_admin_works_without_csp_violation(watched):
    watch = watched("admin")
    page = watch.page

    page.goto("/admin/")
    expect(page.locator("#wagtail-sidebar, [data-wagtail-sidebar]").first).to_be_attached()
    watch.settle("admin dashboard")

    # A document page as seen by an editor (with Wagtail's user bar), then its edit form.
    page.goto("/cari/?q=penerjemah")
    page.locator(".results article.result h3 a").first.click()
    expect(page.locator("article.document h1")).to_be_visible()
    watch.settle("document page with the user bar")
    edit_url = page.locator("a[href*='/admin/pages/'][href$='/edit/']").first.get_attribute("href")
    page.goto(edit_url)
    expect(page.locator("form[data-edit-form], #page-edit-form").first).to_be_attached()
    expect(page.locator("input[name=title]")).to_be_visible()
    watch.settle("page editor")
    # The editor's tabs, date widget and attachment panel run Wagtail's scripts.
    for tab in page.locator("[role=tab]").all():
        tab.click()
    watch.settle("page editor tabs")
    # The live preview frames an admin URL inside the editor (frame-ancestors 'self').
    page.locator("[data-side-panel-toggle=preview]").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.locator("article.document h1")).to_be_visible()
    watch.settle("page preview")

    page.goto("/admin/snippets/")
    expect(page.locator("main table, main .listing").first).to_be_visible()
    watch.settle("snippet overview")
    page.locator("main table a, main .listing a").first.click()
    expect(page.locator("main").first).to_be_visible()
    watch.settle("snippet listing")

    page.goto("/admin/documents/multiple/add/")
    expect(page.locator("input[type=file]").first).to_be_attached()
    watch.settle("document upload")

    watch.assert_clean()
