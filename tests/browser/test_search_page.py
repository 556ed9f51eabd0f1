"""The search page in a real browser: query, highlights, facets, chips, URL state, sort,
pagination."""
import re

import pytest
from playwright.sync_api import expect

from .pages import checked_boxes, facet_box, facet_count, facet_counts, query, result_dates, result_titles, total

pytestmark = pytest.mark.browser


def search_for(page, text):
    page.goto("/cari/")
    box = page.locator("#q")
    box.fill(text)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/cari/\?q="))


def test_query_shows_highlighted_results(logged_in_page):
    page = logged_in_page
    search_for(page, "penerjemah")
    assert query(page) == {"q": ["penerjemah"]}
    expect(page.locator("#q")).to_have_value("penerjemah")
    assert total(page) > 0
    marks = page.locator(".results article.result .snippet mark")
    expect(marks.first).to_be_visible()
    assert any("penerjemah" in text.lower() for text in marks.all_inner_texts())
    # Highlights are real elements, not escaped markup.
    assert "&lt;mark&gt;" not in page.locator(".results").inner_html()


def test_facets_narrow_show_chips_and_live_in_the_url(logged_in_page, new_page):
    page = logged_in_page
    search_for(page, "penerjemah")
    unfiltered = total(page)
    p19_count = facet_count(page, "stage", "p-19")
    assert 0 < p19_count < unfiltered

    # A stage checkbox navigates to the filtered URL; the total is the count shown before.
    facet_box(page, "stage", "p-19").check()
    expect(page).to_have_url(re.compile(r"[?&]stage=p-19(&|$)"))
    assert query(page) == {"q": ["penerjemah"], "stage": ["p-19"]}
    assert total(page) == p19_count
    expect(facet_box(page, "stage", "p-19")).to_be_checked()
    assert len(result_titles(page)) == min(p19_count, 10)

    # A second facet narrows further, to exactly the count it displayed.
    counts = facet_counts(page, "obstacle")
    obstacle = next(code for code, count in sorted(counts.items()) if 0 < count < p19_count)
    expected = counts[obstacle]
    facet_box(page, "obstacle", obstacle).check()
    expect(page).to_have_url(re.compile(rf"[?&]obstacle={obstacle}(&|$)"))
    assert query(page) == {"q": ["penerjemah"], "stage": ["p-19"], "obstacle": [obstacle]}
    assert total(page) == expected < p19_count

    # The selection shows as two chips.
    chips = page.locator(".selected-filters a.chip")
    expect(chips).to_have_count(2)
    expect(chips.filter(has_text="Tahapan")).to_contain_text("P-19")
    expect(chips.filter(has_text="Kendala")).to_have_count(1)

    # The URL alone reproduces the page: same results, same boxes, in a fresh tab.
    url, titles, boxes = page.url, result_titles(page), checked_boxes(page)
    assert boxes == [("obstacle", obstacle), ("stage", "p-19")]
    page.reload()
    assert (result_titles(page), checked_boxes(page), total(page)) == (titles, boxes, expected)
    other = new_page("staf-kalbar")
    other.goto(url)
    assert (result_titles(other), checked_boxes(other), total(other)) == (titles, boxes, expected)
    expect(other.locator("#q")).to_have_value("penerjemah")

    # Removing the stage chip removes only the stage filter.
    chips.filter(has_text="Tahapan").click()
    expect(page).to_have_url(re.compile(r"^(?!.*stage=)"))
    assert query(page) == {"q": ["penerjemah"], "obstacle": [obstacle]}
    expect(page.locator(".selected-filters a.chip")).to_have_count(1)
    expect(facet_box(page, "obstacle", obstacle)).to_be_checked()
    expect(facet_box(page, "stage", "p-19")).not_to_be_checked()
    assert total(page) >= expected

    # Unticking a checked box removes that filter too.
    facet_box(page, "obstacle", obstacle).uncheck()
    expect(page).to_have_url(re.compile(r"^(?!.*obstacle=)"))
    assert query(page) == {"q": ["penerjemah"]}
    assert total(page) == unfiltered


def test_new_query_keeps_the_selected_filters(logged_in_page):
    page = logged_in_page
    page.goto("/cari/?stage=p-19")
    page.locator("#q").fill("jaksa")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"q=jaksa"))
    assert query(page) == {"q": ["jaksa"], "stage": ["p-19"]}
    expect(facet_box(page, "stage", "p-19")).to_be_checked()


def test_sort_by_newest_orders_by_date(logged_in_page):
    page = logged_in_page
    search_for(page, "penerjemah")
    by_relevance = result_dates(page)
    assert by_relevance != sorted(by_relevance, reverse=True), "pick a query whose best hits are not the newest"
    expect(page.locator("nav.sort strong")).to_have_text("Paling relevan")
    page.locator("nav.sort").get_by_role("link", name="Terbaru").click()
    expect(page).to_have_url(re.compile(r"[?&]sort=newest(&|$)"))
    expect(page.locator("nav.sort strong")).to_have_text("Terbaru")
    newest = result_dates(page)
    assert len(newest) == len(by_relevance)
    assert newest == sorted(newest, reverse=True) and newest != by_relevance
    assert query(page)["q"] == ["penerjemah"]

    page.locator("nav.sort").get_by_role("link", name="Terlama").click()
    expect(page).to_have_url(re.compile(r"[?&]sort=oldest(&|$)"))
    oldest = result_dates(page)
    assert oldest == sorted(oldest)


def test_browse_without_query_paginates(logged_in_page, demo_facts):
    page = logged_in_page
    page.goto("/cari/")
    assert total(page) == len(demo_facts["readable_by_kalbar_staff"])  # everything this officer may read
    first = result_titles(page)
    assert len(first) == 10
    assert result_dates(page) == sorted(result_dates(page), reverse=True)  # browsing: newest first
    expect(page.locator("nav.pagination [aria-current=page]")).to_have_text("1")
    page.locator("nav.pagination").get_by_role("link", name="2", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
    expect(page.locator("nav.pagination [aria-current=page]")).to_have_text("2")
    second = result_titles(page)
    assert len(second) == 10 and not set(first) & set(second)
