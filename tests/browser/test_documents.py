"""Document pages: taxonomy chips, related documents, and Kanwil-restricted documents."""
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .pages import facet_box, result_titles, total

pytestmark = pytest.mark.browser


def test_result_opens_a_document_with_chips_and_related_documents(logged_in_page):
    page = logged_in_page
    page.goto("/cari/?q=penerjemah")
    first = page.locator(".results article.result h3 a").first
    title = first.inner_text()
    first.click()
    document = page.locator("article.document")
    expect(document.locator("h1")).to_have_text(title)
    chips = {
        name: document.locator("dl.facets dt", has_text=name).locator("xpath=following-sibling::dd[1]").locator("a.chip")
        for name in ("Tahapan", "Kendala")
    }
    for name, links in chips.items():
        assert links.count() >= 1, f"no {name} chips"
    related = page.locator("aside.related")
    expect(related.locator("h2")).to_have_text("Dokumen terkait")
    related_titles = related.locator(".related-item h3 a").all_inner_texts()
    assert 1 <= len(related_titles) <= 5 and title not in related_titles

    # A related document opens.
    related.locator(".related-item h3 a").first.click()
    expect(page.locator("article.document h1")).to_have_text(related_titles[0])
    page.go_back()

    # A stage chip browses that stage, with this document among the results.
    chip = chips["Tahapan"].first
    href = chip.get_attribute("href")
    code = re.search(r"stage=([\w-]+)", href).group(1)
    chip.click()
    expect(page).to_have_url(re.compile(rf"/cari/\?stage={code}$"))
    expect(facet_box(page, "stage", code)).to_be_checked()
    count, found = total(page), result_titles(page)
    per_page = len(found)
    for number in range(2, -(-count // per_page) + 1):  # every result page of that stage
        page.goto(f"/cari/?stage={code}&page={number}")
        found += result_titles(page)
    assert title in found and len(found) == count


def _search(page, text):
    page.goto("/cari/?q=" + text.replace(" ", "+"))
    return result_titles(page)


def test_restricted_document_is_hidden_from_other_kanwil(new_page, demo_facts):
    doc = demo_facts["restricted"]
    title, words = doc["title"], " ".join(doc["title"].split()[:5])

    outsider = new_page("staf-sumsel")
    assert title not in _search(outsider, words)
    outsider.goto("/cari/")
    with outsider.expect_response(lambda r: "/api/v1/suggest/" in r.url) as answer:
        outsider.locator("#q").press_sequentially(words.split()[0], delay=20)
    assert title not in [item["text"] for item in answer.value.json()["suggestions"]]
    expect(outsider.locator("#suggestions li").filter(has_text=title)).to_have_count(0)
    response = outsider.goto(doc["url"])
    assert not (response.ok and urlsplit(outsider.url).path == doc["url"]), "the restricted page was served"
    expect(outsider.locator("article.document")).to_have_count(0)
    expect(outsider.get_by_text(title)).to_have_count(0)

    reader = new_page(demo_facts["restricted_reader"])
    assert title in _search(reader, words)
    reader.goto("/cari/")
    reader.locator("#q").press_sequentially(words.split()[0], delay=20)
    expect(reader.locator("#suggestions li").filter(has_text=title)).to_have_count(1)
    response = reader.goto(doc["url"])
    assert response.ok and urlsplit(reader.url).path == doc["url"]
    expect(reader.locator("article.document h1")).to_have_text(title)
