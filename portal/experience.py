"""A Kanwil's experience as its section page lists it: what it wrote, the visits it
hosted and the documents naming it as the source of their practice (the same rule as the
search's Kanwil filter), each with the Kanwil's role; and apart from them the visits it
made elsewhere. Only documents the reader may read (lessons.access), as on every listing.

One query finds the ids of both lists in order (the reader's visible documents of the
Kanwil); the pagers slice them, and one query per document type fetches the cards of the
two pages shown. The ids are kept per process (portal.page_cache) per Kanwil and per set
of paths hidden from the reader: readers with the same hidden paths read the same
documents, and a change of restrictions or groups changes the key at once, in every
process. Cards are fetched with the reader's visibility checked again, so a list made
before a change in another process (kept up to REFERENCE_CACHE_SECONDS) can miss a new
document but never shows one the reader may no longer read. The counts come from the
reader's own visible set, so they reveal nothing the reader may not read."""
from array import array
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q, prefetch_related_objects
from wagtail.models import Page

from lessons.access.rules import document_queryset, hidden_paths, without_paths
from lessons.models import DOCUMENT_MODELS, KANWIL_ROLES, StudiTiruReport
from portal import page_cache

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


def _section(page):
    """The page's descendants as a range of tree paths, which the path index answers (as
    treebeard finds children); path__startswith is a LIKE, which SQLite cannot."""
    room = Page._meta.get_field("path").max_length - len(page.path)
    return Q(path__gt=page.path, path__lte=page.path + page.alphabet[-1] * room)


def experience_ids(kanwil_page, hidden):
    """(own, made elsewhere): ids of the documents of each list that a reader with these
    hidden paths may read, newest first (the id breaks ties, so every document is on
    exactly one page). One query: the visits made elsewhere are the Kanwil's section's
    documents found in the other list's exclusion."""
    kanwil = kanwil_page.kanwil
    section = _section(kanwil_page)
    about = Q(id__in=StudiTiruReport.objects.filter(host_kanwil=kanwil).values("id"))
    for model in DOCUMENT_MODELS:
        about |= Q(id__in=model.objects.filter(practice_kanwils=kanwil).values("id"))
    rows = (without_paths(document_queryset(), hidden).filter(section | about)
            .annotate(in_section=ExpressionWrapper(section, output_field=BooleanField()),
                      made=ExpressionWrapper(Q(id__in=_visits_made_elsewhere(kanwil)), output_field=BooleanField()))
            .order_by("-first_published_at", "-id").values_list("id", "in_section", "made"))
    own, elsewhere = array("q"), array("q")
    for page_id, in_section, made in rows:
        if not made:
            own.append(page_id)
        elif in_section:
            elsewhere.append(page_id)
    return own, elsewhere


def kanwil_experience(kanwil_page, user, query=None):
    """One page of each list; `query` (request.GET) selects the pages. A page number that is
    not a number, or beyond the end, gives the first or the last page (never an error)."""
    kanwil, query = kanwil_page.kanwil, query or {}
    hidden = hidden_paths(user)
    own, elsewhere = page_cache.get(("kanwil-experience", kanwil_page.pk, hidden),
                                    lambda: experience_ids(kanwil_page, hidden))
    own_page = Paginator(own, PAGE_SIZE).get_page(query.get(PAGE_PARAM))
    made_page = Paginator(elsewhere, VISITS_PAGE_SIZE).get_page(query.get(VISITS_PARAM))
    cards = fetch_cards([*own_page.object_list, *made_page.object_list], hidden)
    return Experience(_listing(own_page, cards, kanwil, query, PAGE_PARAM),
                      _listing(made_page, cards, kanwil, query, VISITS_PARAM))


def fetch_cards(ids, hidden):
    """{id: specific page} of the documents among `ids` that are live and not under a hidden
    path, with what their cards show: one query per document type, and one for the
    practice sources of each type found."""
    cards = {}
    if not ids:
        return cards
    for model in DOCUMENT_MODELS:
        related = ["author_kanwil", *(["host_kanwil"] if model is StudiTiruReport else [])]
        pages = list(without_paths(model.objects.live().filter(pk__in=ids), hidden).select_related(*related))
        if pages:
            prefetch_related_objects(pages, "practice_kanwils")
            cards.update((page.pk, page) for page in pages)
    return cards


def _listing(page, cards, kanwil, query, param):
    pages = [cards[page_id] for page_id in page.object_list if page_id in cards]
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
