"""Accessibility: axe-core (axe-playwright-python) on every reader page type, in both
languages, on a desktop and a 390 px wide window, must report no serious or critical
violation; and the keyboard alone works the facets and the autocomplete, with a visible
focus ring. (The mobile filter panel's keyboard test is in test_browse.py.)"""
import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .screens import DESKTOP, PHONE, focus_is_visible, shot_path, tab_until, use_language

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
WIDTHS = {"desktop": DESKTOP, "390px": PHONE}
PAGES = ["login", "home", "search with facets", "document", "stage", "obstacle"]


def _document_url(page):
    page.goto("/cari/?type=studi-tiru&kanwil=sumsel&sort=newest")
    return page.locator(".results article.result h3 a").first.get_attribute("href")


def _open(page, name, document_url):
    urls = {"login": "/masuk/", "home": "/", "search with facets": "/cari/?q=penerjemah&stage=p-19&type=pelajaran",
            "document": document_url, "stage": "/tahapan/p-19/", "obstacle": "/kendala/bahasa-penerjemah/"}
    response = page.goto(urls[name])
    assert response.status == 200, (name, response.status)


def test_axe_finds_no_serious_violation(new_page, portal_server, capsys):
    axe = Axe()
    reader = new_page("staf-kalbar")
    document_url = _document_url(reader)
    anonymous = new_page()
    rows, blocking = [], []
    for language in ("id", "en"):
        for page in (reader, anonymous):
            use_language(page, portal_server, language)
        for width_name, size in WIDTHS.items():
            for name in PAGES:
                page = anonymous if name == "login" else reader
                page.set_viewport_size(size)
                _open(page, name, document_url)
                expect(page.locator("html")).to_have_attribute("lang", language)
                violations = axe.run(page).response["violations"]
                found = [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
                rows.append((name, language, width_name, found))
                blocking += [(name, language, width_name, v["id"], v["impact"],
                              [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in BLOCKING]
    report = shot_path("axe-report.json")
    report.write_text(json.dumps([{"page": n, "language": lang, "width": w, "violations": f}
                                  for n, lang, w, f in rows], indent=1))
    with capsys.disabled():
        print(f"\naxe: {len(rows)} page states ({len(PAGES)} pages x 2 languages x 2 widths), "
              f"{len(blocking)} serious or critical violations; "
              f"minor/moderate: {sorted({v for *_, f in rows for v, impact, _ in f if impact not in BLOCKING})}")
    assert len(rows) == len(PAGES) * 2 * 2
    assert not blocking, blocking


def test_facets_work_with_the_keyboard_alone(logged_in_page):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    page.goto("/cari/?q=penerjemah")
    tab_until(page, ".facet[data-facet='stage'] input[type=checkbox]")
    focus_is_visible(page)
    code = page.evaluate("document.activeElement.value")
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(rf"stage={re.escape(code)}"))
    expect(page.locator(f".facet[data-facet='stage'] input[value='{code}']")).to_be_checked()
    # Its link is reachable too, and Enter on the chip removes the filter again.
    tab_until(page, ".selected-filters a.chip")
    focus_is_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"stage="))


def test_autocomplete_with_the_keyboard_alone(logged_in_page):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    page.goto("/cari/")
    tab_until(page, "#q")
    focus_is_visible(page)
    page.keyboard.insert_text("pener")  # one input event: one list (see test_autocomplete.py)
    options = page.locator("#suggestions li[role=option]")
    expect(options.first).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    # The chosen option is marked visibly, not by colour alone.
    outline = options.first.evaluate("li => getComputedStyle(li).outlineStyle")
    assert outline != "none"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Escape")
    expect(page.locator("#suggestions")).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "q"
    expect(page.locator("#q")).to_have_value("pener")  # Escape closes the list, keeps the words
    # Typing again reopens the list; Enter on the first option opens that document.
    page.keyboard.insert_text("j")
    page.keyboard.press("Backspace")
    expect(options.first).to_be_visible()
    title = options.first.evaluate("li => li.firstChild.textContent")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("article.document h1")).to_have_text(title)


def test_skip_link_is_the_first_stop_and_visible(logged_in_page):
    page = logged_in_page
    page.goto("/tahapan/p-19/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip')")
    expect(page.locator("a.skip")).to_be_in_viewport()
    focus_is_visible(page)
