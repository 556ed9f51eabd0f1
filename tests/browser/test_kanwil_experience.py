"""Issue 12 in a real browser: filtering by the Kanwil that hosted a visit finds the visit
report, and its card says who visited and who hosted; editors get the authorship filter,
officers do not see it."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lessons.markdown.parsing import parse_document

from .pages import facet_box, query, result_titles

pytestmark = pytest.mark.browser

VISIT_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "content" / "studi-tiru-sumsel-ke-kalbar-p21.md"


def visit_title():
    """The seed visit report's title, read from its file (no database while the browser runs)."""
    doc, problems = parse_document(VISIT_FILE.name, VISIT_FILE.read_bytes(), 1_000_000)
    assert not problems and (doc.kanwil, doc.host_kanwil) == ("sumsel", "kalbar")
    return doc.title


def test_filtering_by_the_host_kanwil_shows_the_visit_with_its_roles(new_page):
    page = new_page("staf-sumsel")
    page.goto("/cari/?stage=p-21")
    facet_box(page, "kanwil", "kalbar").check()
    expect(page).to_have_url(re.compile(r"[?&]kanwil=kalbar(&|$)"))
    assert query(page) == {"stage": ["p-21"], "kanwil": ["kalbar"]}
    title = visit_title()
    assert title in result_titles(page)
    card = page.locator(".results article.result", has=page.get_by_role("link", name=title, exact=True))
    expect(card.locator(".kanwil-role[data-role='author']")).to_have_text("Sumatera Selatan (penulis)")
    expect(card.locator(".kanwil-role[data-role='host']")).to_have_text("Kalimantan Barat (tuan rumah)")
    # Officers are not offered the authorship filter.
    expect(page.locator(".editor-options")).to_have_count(0)


def test_editors_narrow_to_authorship(new_page):
    page = new_page("editor-kalbar")
    page.goto("/cari/?kanwil=kalbar")
    assert visit_title() in result_titles(page)
    options = page.locator("details.editor-options")
    options.locator("summary").click()
    facet_box(page, "author", "kalbar").check()
    expect(page).to_have_url(re.compile(r"[?&]author=kalbar(&|$)"))
    titles = result_titles(page)
    assert titles and visit_title() not in titles
    expect(page.locator("details.editor-options")).to_have_attribute("open", "")
    authors = page.locator(".results article.result .kanwil-role[data-role='author']")
    assert set(authors.all_inner_texts()) == {"Kalimantan Barat (penulis)"}
