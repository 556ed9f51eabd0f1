"""Ways in by stage and obstacle, small screens and paper, in real Chromium. Screenshots
(and a PDF of a visit report) are written to build/screenshots/ (see screens.py):

- home-path.png            the home page with the case path and the obstacle list (desktop)
- stage-p-19.png           the P-19 stage page (desktop)
- obstacle-bahasa-penerjemah.png   the interpreter obstacle page (desktop)
- mobile-filter-panel-open.png     the search page at 390 px with the filter panel open
- mobile-search-results-first.png  the search page at 390 px, results first, one chip
- print-visit-report.png   a visit report as printed (print media, full page)
- print-visit-report.pdf   the same report printed to A4 by Chromium"""
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .pages import total
from .screens import DESKTOP, NARROW, PHONE, focus_is_visible, horizontal_overflow, shot_path, tab_until

pytestmark = pytest.mark.browser

PATH = ["pengawasan", "penyelidikan", "spdp", "pemeriksaan", "tahap-1", "p-19", "p-21", "tahap-2", "persidangan",
        "putusan"]


def watch_csp(page):
    found = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    return found


def visit_report_url(page):
    """A visit report with a follow-up table, found the way a reader would: the search."""
    page.goto("/cari/?type=studi-tiru&kanwil=sumsel&sort=newest")
    return page.locator(".results article.result h3 a").first.get_attribute("href")


def test_home_page_draws_the_case_path_with_counts(logged_in_page):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    csp = watch_csp(page)
    page.goto("/")
    steps = page.locator("ol.case-path > li.case-step")
    expect(steps).to_have_count(len(PATH))
    assert [s.get_attribute("data-code") for s in steps.all()] == PATH
    exits = page.locator(".case-exits li.case-exit")
    assert [e.get_attribute("data-code") for e in exits.all()] == ["sp3", "tak"]
    counts = [int(re.match(r"\d+", s.locator(".count").inner_text()).group(0)) for s in steps.all()]
    assert all(n > 0 for n in counts)
    # The path reads left to right: each step starts right of (or below) the one before.
    boxes = [s.bounding_box() for s in steps.all()]
    assert all(b["x"] > a["x"] or b["y"] > a["y"] for a, b in zip(boxes, boxes[1:]))
    obstacles = page.locator(".obstacle-list li")
    expect(obstacles).to_have_count(14)
    page.screenshot(path=str(shot_path("home-path.png")), full_page=True)

    # A stage count is what the search finds for that stage.
    p19 = page.locator("li.case-step[data-code='p-19']")
    expected = int(re.match(r"\d+", p19.locator(".count").inner_text()).group(0))
    p19.locator("a").click()
    expect(page).to_have_url(re.compile(r"/tahapan/p-19/$"))
    page.locator(".landing-actions a").click()
    expect(page).to_have_url(re.compile(r"/cari/\?stage=p-19$"))
    assert total(page) == expected
    expect(page.locator(".facet[data-facet='stage'] input[value='p-19']")).to_be_checked()
    assert not csp, csp


def test_stage_page(logged_in_page):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    page.goto("/tahapan/p-19/")
    expect(page.locator("h1")).to_have_text("P-19: Berkas dikembalikan")
    expect(page.locator(".landing-head .lead")).to_contain_text("petunjuk")
    groups = [g.get_attribute("data-type") for g in page.locator(".landing-group").all()]
    assert groups[0] == "panduan" and set(groups) <= {"panduan", "pelajaran", "studi-tiru"}
    related = page.locator(".landing-related li")
    assert related.count() > 0
    kanwil = page.locator(".landing-kanwil li")
    assert kanwil.count() > 0
    counts = [int(c) for c in page.locator(".landing-kanwil .count").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    expect(page.locator("a[rel=prev]")).to_have_attribute("href", "/tahapan/tahap-1/")
    expect(page.locator("a[rel=next]")).to_have_attribute("href", "/tahapan/p-21/")
    page.screenshot(path=str(shot_path("stage-p-19.png")), full_page=True)
    # The Kanwil with most experience opens the search with both facets selected.
    first = page.locator(".landing-kanwil li").first
    code, count = first.get_attribute("data-code"), int(first.locator(".count").inner_text())
    first.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/cari/\?stage=p-19&kanwil={code}$"))
    assert total(page) == count


def test_obstacle_page_in_english(logged_in_page, portal_server):
    from .screens import use_language

    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    page.goto("/kendala/bahasa-penerjemah/")
    expect(page.locator("h1")).to_have_text("Bahasa dan penerjemah")
    stages = page.locator(".landing-related li")
    assert stages.count() > 0
    counts = [int(c) for c in page.locator(".landing-related .count").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    page.screenshot(path=str(shot_path("obstacle-bahasa-penerjemah.png")), full_page=True)
    first = stages.first
    code, count = first.get_attribute("data-code"), int(first.locator(".count").inner_text())
    first.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/cari/\?obstacle=bahasa-penerjemah&stage={code}$"))
    assert total(page) == count

    use_language(page, portal_server, "en")
    page.goto("/kendala/bahasa-penerjemah/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Language and interpreters")
    expect(page.locator(".landing-head .lead")).to_have_attribute("lang", "en")
    expect(page.locator(".landing-kanwil h2")).to_have_text("Kanwil with the most experience")


def test_unknown_stage_is_the_sites_404(logged_in_page):
    page = logged_in_page
    response = page.goto("/tahapan/tidak-ada/")
    assert response.status == 404
    expect(page.locator("h1")).to_contain_text("Halaman tidak ditemukan")


def test_mobile_filter_panel_with_the_keyboard(logged_in_page):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    csp = watch_csp(page)
    page.goto("/cari/?q=penerjemah")
    toggle = page.locator("button.filter-toggle")
    panel = page.locator(".facets-panel")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("Filter (0)")
    expect(panel).to_be_hidden()
    # Results come first: the first result is on the first screen.
    first = page.locator(".results article.result").first
    assert first.bounding_box()["y"] < PHONE["height"]

    tab_until(page, "button.filter-toggle")
    focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.activeElement.closest('.facets-panel') !== null")
    focus_is_visible(page)
    page.screenshot(path=str(shot_path("mobile-filter-panel-open.png")), full_page=False)
    assert horizontal_overflow(page) == 0

    # Escape closes the panel and gives focus back to the button.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert page.evaluate("document.activeElement.matches('button.filter-toggle')")

    # Choose a facet with the keyboard alone: Space on its checkbox.
    page.keyboard.press("Enter")
    # Past every stage, obstacle and Kanwil (by experience: hosts too) with two stops each.
    box = tab_until(page, ".facet[data-facet='type'] input[type=checkbox]", limit=160)
    assert box
    focus_is_visible(page)
    code = page.evaluate("document.activeElement.value")
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(rf"type={code}"))
    expect(toggle).to_have_text("Filter (1)")
    expect(panel).to_be_hidden()
    chip = page.locator(".selected-filters a.chip")
    expect(chip).to_have_count(1)
    page.screenshot(path=str(shot_path("mobile-search-results-first.png")), full_page=False)
    # The chip removes the filter.
    chip.click()
    expect(page).not_to_have_url(re.compile(r"type="))
    expect(toggle).to_have_text("Filter (0)")

    # The close button works too, and the desktop layout has no toggle at all.
    toggle.click()
    expect(panel).to_be_visible()
    panel.locator(".facet-panel-close").click()
    expect(panel).to_be_hidden()
    page.set_viewport_size(DESKTOP)
    expect(toggle).to_be_hidden()
    expect(panel).to_be_visible()
    assert not csp, csp


def test_no_horizontal_scrolling_at_360_px(new_page):
    anonymous = new_page()
    anonymous.set_viewport_size(NARROW)
    anonymous.goto("/masuk/")
    assert horizontal_overflow(anonymous) == 0, "/masuk/"
    page = new_page("staf-kalbar")
    page.set_viewport_size(NARROW)
    report = visit_report_url(page)
    urls = ["/", "/cari/", "/cari/?q=penerjemah&stage=p-19", "/cari/?q=zzzyyyxxx", "/tahapan/p-19/",
            "/tahapan/sp3/", "/kendala/bahasa-penerjemah/", "/kalbar/", report, "/tidak-ada/"]
    wide = {}
    for url in urls:
        page.goto(url)
        overflow = horizontal_overflow(page)
        if overflow > 0:
            wide[url] = overflow
    # Open the filter panel too.
    page.goto("/cari/?q=penerjemah")
    page.locator("button.filter-toggle").click()
    if horizontal_overflow(page) > 0:
        wide["filter panel"] = horizontal_overflow(page)
    assert not wide, wide


def test_visit_report_prints_on_a4(logged_in_page):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    url = visit_report_url(page)
    page.goto(url)
    expect(page.locator("table.follow-up")).to_be_visible()
    page.emulate_media(media="print")
    # No navigation on paper.
    for selector in (".site-header", ".breadcrumb", ".site-footer", ".related"):
        hidden = page.evaluate("s => { const e = document.querySelector(s); return !e || "
                               "getComputedStyle(e).display === 'none'; }", selector)
        assert hidden, selector
    # Links are written out after their text; chips (taxonomy links) are not. The demo
    # reports hold no link in their text, so one is added as an editor's Markdown would.
    written = page.evaluate("""() => {
        const p = document.createElement('p');
        p.innerHTML = 'Lihat <a href="https://contoh.go.id/pedoman">pedoman</a> dan <a href="/kalbar/">Kalbar</a>.';
        document.querySelector('.document').appendChild(p);
        return [...document.querySelectorAll('.document a')].map(a =>
            [a.getAttribute('href'), a.classList.contains('chip'), getComputedStyle(a, '::after').content]);
    }""")
    links = [(href, content) for href, chip, content in written if not chip]
    assert len(links) >= 2 and all(href in content for href, content in links), written
    assert all(content in ("none", "normal") for href, chip, content in written if chip), written
    # Tables and their rows are not cut across pages.
    breaks = page.evaluate("[...document.querySelectorAll('table.follow-up tr')].map(r => getComputedStyle(r).breakInside)")
    assert breaks and set(breaks) == {"avoid"}, breaks
    page.screenshot(path=str(shot_path("print-visit-report.png")), full_page=True)

    pdf = shot_path("print-visit-report.pdf")
    page.pdf(path=str(pdf), format="A4", print_background=False, prefer_css_page_size=True)
    reader = PdfReader(str(pdf))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 in points
    first = reader.pages[0].extract_text()
    pages = len(reader.pages)
    assert f"1 / {pages}" in first, first[-200:]  # page numbers from the @page margin box
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Keluar" not in text and "Langsung ke isi" not in text  # no header, account or skip link
    assert "Tindak lanjut" in text  # the follow-up table made it onto paper
