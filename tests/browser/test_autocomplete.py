"""Autocomplete in the search box: titles and glossary terms, chosen with the keyboard."""
import re

import pytest
from playwright.sync_api import expect

from .pages import query, total

pytestmark = pytest.mark.browser


def test_glossary_term_picked_with_arrow_keys_and_enter(logged_in_page):
    page = logged_in_page
    page.goto("/cari/")
    box = page.locator("#q")
    # One input event, so exactly one list is fetched: keystrokes slowed by a loaded machine
    # would otherwise show the list for "pen" first and swap it under the test.
    box.fill("pener")
    suggestions = page.locator("#suggestions")
    expect(suggestions).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = suggestions.locator("li[role=option]")
    term = options.filter(has=page.locator(".kind", has_text="istilah")).filter(has_text=re.compile(r"^penerjemah"))
    expect(term).to_have_count(1)
    expect(options.filter(has=page.locator(".kind", has_text="dokumen")).first).to_be_visible()

    position = [li.get_attribute("id") for li in options.all()].index(term.get_attribute("id"))
    for _ in range(position + 1):
        box.press("ArrowDown")
    expect(term).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", term.get_attribute("id"))
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/cari/\?q=penerjemah$"))
    assert query(page) == {"q": ["penerjemah"]}
    expect(box).to_have_value("penerjemah")
    assert total(page) > 0
    expect(page.locator("#suggestions")).to_be_hidden()


def test_document_suggestion_opens_the_document(logged_in_page):
    page = logged_in_page
    page.goto("/cari/")
    page.locator("#q").fill("pener")  # one fetch, one list (see above)
    first = page.locator("#suggestions li[role=option]").first
    expect(first.locator(".kind")).to_have_text("dokumen")
    title = first.evaluate("li => li.firstChild.textContent")
    page.locator("#q").press("ArrowDown")
    page.locator("#q").press("Enter")
    expect(page.locator("article.document h1")).to_have_text(title)


def test_escape_closes_the_list(logged_in_page):
    page = logged_in_page
    page.goto("/cari/")
    page.locator("#q").press_sequentially("pener", delay=30)
    expect(page.locator("#suggestions")).to_be_visible()
    page.locator("#q").press("Escape")
    expect(page.locator("#suggestions")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/cari/$"))
