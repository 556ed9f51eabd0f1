"""The zero-results page helps: a spelling suggestion, and filters that can be dropped."""
import re

import pytest
from playwright.sync_api import expect

from .pages import facet_box, facet_counts, query, result_titles, total

pytestmark = pytest.mark.browser


def test_misspelt_query_offers_did_you_mean(logged_in_page):
    page = logged_in_page
    # A two-letter swap in a five-letter word: too far for the fuzzy match (one edit for
    # words this short), close enough for the spelling suggester.
    page.goto("/cari/?q=jkaas")
    assert total(page) == 0
    expect(page.locator(".no-results h2")).to_have_text("Tidak ada dokumen yang cocok.")
    hint = page.locator(".no-results .did-you-mean")
    expect(hint).to_contain_text("Mungkin maksud Anda:")
    link = hint.get_by_role("link")
    expect(link).to_have_text("jaksa")
    link.click()
    expect(page).to_have_url(re.compile(r"[?&]q=jaksa(&|$)"))
    expect(page.locator("#q")).to_have_value("jaksa")
    assert total(page) > 0
    expect(page.locator(".no-results")).to_have_count(0)


def test_typos_in_longer_words_still_find_documents(logged_in_page):
    page = logged_in_page
    page.goto("/cari/?q=penerjemha+dokumne")
    assert total(page) > 0
    assert any("penerjemah" in title.lower() for title in result_titles(page))


def test_zero_results_with_a_filter_offers_dropping_it(logged_in_page):
    page = logged_in_page
    page.goto("/cari/?q=penerjemah")
    found = total(page)
    # A stage listed with zero documents for this query: selecting it leaves nothing.
    empty_stage = next(code for code, count in facet_counts(page, "stage").items() if count == 0)
    facet_box(page, "stage", empty_stage).check()
    expect(page).to_have_url(re.compile(rf"[?&]stage={empty_stage}(&|$)"))
    assert total(page) == 0
    relaxations = page.locator(".no-results ul.relaxations li")
    expect(relaxations).to_have_count(1)
    expect(relaxations).to_contain_text(f"Tanpa filter Tahapan ({found})")
    relaxations.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"^(?!.*stage=)"))
    assert query(page) == {"q": ["penerjemah"]}
    assert total(page) == found
