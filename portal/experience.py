"""A Kanwil's experience as its section page lists it: what it wrote, the visits it
hosted and the documents naming it as the source of their practice (the same rule as the
search's Kanwil filter), each with the Kanwil's role; and apart from them the visits it
made elsewhere. Only documents the reader may read (lessons.access), as on every listing.

Both lists are paged in the database (a count and one page of rows each), so the page's
work and its query count stay the same however many documents the office has; the counts
come from the reader's own visible set, so they reveal nothing the reader may not read."""
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, prefetch_related_objects
from wagtail.models import Page

from lessons.access.rules import visible_documents
from lessons.models import DOCUMENT_MODELS, KANWIL_ROLES, StudiTiruReport

PAGE_SIZE = 20  # cards per page of the experience list
VISITS_PAGE_SIZE = 10  # and of the visits made elsewhere, a secondary list below it
PAGE_PARAM = "page"  # query parameter of the experience list's pager
VISITS_PARAM = "visits_page"  # and of the visits made elsewhere


@dataclass
class Item:
    page: object  # a specific live document page
    roles: list  # labels of the Kanwil's roles in it (penulis, tuan rumah, sumber praktik)


@dataclass
class Listing:
    items: list  # Item, this page's cards
    page: object  # django.core.paginator.Page (number, has_next, paginator.num_pages …)
    param: str  # the query parameter that selects its page
    links: list  # (url or None for the current page and gaps, label): the pager's numbers
    previous_url: str = ""
    next_url: str = ""


@dataclass
class Experience:
    items: Listing  # its own documents, visits it hosted, documents on its practice; newest first
    visits_made: Listing  # visit reports it wrote about another Kanwil


def _roles(page, kanwil):
    return [str(KANWIL_ROLES[role]) for k, role in page.kanwil_roles() if k.pk == kanwil.pk]


def _visits_made_elsewhere(kanwil):
    """Visit reports the Kanwil wrote about another Kanwil, not naming its own practice."""
    return (StudiTiruReport.objects.filter(author_kanwil=kanwil, host_kanwil__isnull=False)
            .exclude(host_kanwil=kanwil).exclude(practice_kanwils=kanwil).values("id"))


def kanwil_experience(kanwil_page, user, query=None):
    """One page of each list; `query` (request.GET) selects the pages. A page number that is
    not a number, or beyond the end, gives the first or the last page (never an error)."""
    kanwil, query = kanwil_page.kanwil, query or {}
    about = Q(id__in=StudiTiruReport.objects.filter(host_kanwil=kanwil).values("id"))
    for model in DOCUMENT_MODELS:
        about |= Q(id__in=model.objects.filter(practice_kanwils=kanwil).values("id"))
    # The id breaks ties of publication time, so every document is on exactly one page.
    readable = visible_documents(user).order_by("-first_published_at", "-id")
    made = _visits_made_elsewhere(kanwil)
    # Its section as a subquery of ids: ORed with the other id sets, a path prefix was
    # compared on every readable document (the count took 2.5x as long at 100k).
    section = Q(id__in=Page.objects.descendant_of(kanwil_page, inclusive=True).values("id"))
    own = readable.filter(section | about).exclude(id__in=made)
    elsewhere = readable.filter(path__startswith=kanwil_page.path, id__in=made)
    return Experience(_listing(own, kanwil, query, PAGE_PARAM, PAGE_SIZE),
                      _listing(elsewhere, kanwil, query, VISITS_PARAM, VISITS_PAGE_SIZE))


def _listing(queryset, kanwil, query, param, size):
    page = Paginator(queryset, size).get_page(query.get(param))
    pages = list(page.object_list)
    fetch_roles(pages)
    listing = Listing([Item(p, _roles(p, kanwil)) for p in pages], page, param, _page_links(page, query, param))
    if page.has_previous():
        listing.previous_url = _url(query, param, page.previous_page_number())
    if page.has_next():
        listing.next_url = _url(query, param, page.next_page_number())
    return listing


def _url(query, param, number):
    """The same page with `param` set to `number` (the other list keeps its page)."""
    kept = query.copy() if hasattr(query, "copy") else dict(query)
    kept[param] = str(number)
    return "?" + (kept.urlencode() if hasattr(kept, "urlencode") else urlencode(kept))


def _page_links(page, query, param):
    """Page numbers around the current one, with first and last always present."""
    current, last = page.number, page.paginator.num_pages
    numbers = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    links, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            links.append((None, "…"))
        links.append((_url(query, param, number) if number != current else None, str(number)))
        previous = number
    return links


def fetch_roles(pages):
    """The rows every card's roles read, per document type in one query each, so a listing's
    query count does not grow with the number of documents."""
    by_type = defaultdict(list)
    for page in pages:
        by_type[type(page)].append(page)
    for model, group in by_type.items():
        prefetch_related_objects(group, "practice_kanwils", *(["host_kanwil"] if model is StudiTiruReport else []))
