"""Login is required everywhere; the home page lists the Kanwil and the latest documents."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/cari/?q=penerjemah"])
def test_anonymous_visitor_lands_on_the_login_page(new_page, path):
    page = new_page()
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/masuk/\?next="))
    expect(page.locator("h1")).to_have_text("Masuk ke Lintas Kanwil")
    expect(page.locator(".results, .latest")).to_have_count(0)


def test_wrong_password_shows_an_indonesian_error(new_page, log_in):
    page = new_page()
    page.goto("/masuk/")
    log_in(page, "staf-kalbar", "salah-sandi")
    expect(page.get_by_role("alert")).to_have_text("Nama pengguna atau kata sandi salah. Coba lagi.")
    expect(page).to_have_url(re.compile(r"/masuk/"))
    expect(page.locator("#id_username")).to_have_value("staf-kalbar")


def test_login_shows_home_with_kanwil_and_latest_documents(new_page, log_in, demo_facts):
    page = new_page()
    page.goto("/")
    log_in(page, "staf-kalbar")
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.locator(".user-nav .who")).to_have_text("Staf Kalbar")
    kanwil_links = page.locator(".kanwil-list li a")
    expect(kanwil_links).to_have_count(38)
    expect(kanwil_links.filter(has_text="Kalimantan Barat")).to_have_count(1)
    # The newest documents this officer may read, newest first (the home page lists eight).
    latest = page.locator(".latest .doc-card h3 a")
    expect(latest).to_have_text(demo_facts["readable_by_kalbar_staff"][:8])
    # Each latest document opens.
    title = latest.first.inner_text()
    latest.first.click()
    expect(page.locator("article.document h1")).to_have_text(title)


def test_login_returns_to_the_page_asked_for(new_page, log_in):
    page = new_page()
    page.goto("/cari/?q=penerjemah")
    log_in(page, "staf-kalbar")
    expect(page).to_have_url(re.compile(r"/cari/\?q=penerjemah$"))
    expect(page.locator("#q")).to_have_value("penerjemah")
