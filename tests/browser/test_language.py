"""The language switch in the header."""
import re

import pytest
from playwright.sync_api import expect

from .pages import total

pytestmark = pytest.mark.browser


def test_switch_to_english_and_back(logged_in_page):
    page = logged_in_page
    page.goto("/cari/?q=penerjemah")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    found = total(page)
    page.locator(".lang-switch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Same page, still working.
    expect(page).to_have_url(re.compile(r"/cari/\?q=penerjemah$"))
    expect(page.locator(".lang-switch button.current")).to_have_text("EN")
    expect(page.locator("#q")).to_have_value("penerjemah")
    assert total(page) == found
    # The choice sticks on the next page.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".kanwil-list li a")).to_have_count(38)

    page.locator(".lang-switch button[value=id]").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator(".latest h2")).to_have_text("Dokumen terbaru")


def test_login_page_switches_language_too(new_page):
    page = new_page()
    page.goto("/masuk/")
    page.locator(".lang-switch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#id_username")).to_be_visible()
