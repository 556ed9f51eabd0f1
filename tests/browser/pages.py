"""Small readers for the search page, shared by the browser tests."""
import re
from urllib.parse import parse_qs, urlsplit


def total(page):
    """The number in '<N> dokumen' above the results."""
    text = page.locator(".results p.total").inner_text()
    match = re.match(r"\s*(\d+)\s", text)
    assert match, f"no total in {text!r}"
    return int(match.group(1))


def result_titles(page):
    return page.locator(".results article.result h3 a").all_inner_texts()


def result_dates(page):
    return [t.get_attribute("datetime") for t in page.locator(".results article.result time").all()]


def facet_box(page, facet, code):
    return page.locator(f".facet[data-facet='{facet}'] input[type=checkbox][value='{code}']")


def facet_count(page, facet, code):
    return int(page.locator(f".facet[data-facet='{facet}'] .count[data-code='{code}']").inner_text())


def facet_counts(page, facet):
    """{code: count} for every value listed under a facet."""
    counts = {}
    for span in page.locator(f".facet[data-facet='{facet}'] .count").all():
        counts[span.get_attribute("data-code")] = int(span.inner_text())
    return counts


def checked_boxes(page):
    return sorted((box.get_attribute("name"), box.get_attribute("value"))
                  for box in page.locator(".facets-panel input[type=checkbox]:checked").all())


def query(page):
    """The current URL's query string as {name: [values]}."""
    return parse_qs(urlsplit(page.url).query)
