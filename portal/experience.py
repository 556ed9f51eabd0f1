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

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from wagtail.fields import StreamField
from wagtail.models import Page

from lessons.access.rules import document_queryset, hidden_paths, without_paths
from lessons.models import DOCUMENT_MODELS, KANWIL_ROLES, Kanwil, StudiTiruReport
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


@dataclass(frozen=True)
class Found:
    """The documents of one list, newest first: ids and, at the same positions, their
    content types (so the cards of a page are fetched from their own tables only)."""
    ids: array
    types: array

    def __len__(self):
        return len(self.ids)


def experience_rows(kanwil_page, hidden):
    """(id, content type id, in the section, a visit made elsewhere) of the readable
    documents of the Kanwil's experience, newest first: the query experience_ids reads."""
    kanwil = kanwil_page.kanwil
    section = _section(kanwil_page)
    about = Q(id__in=StudiTiruReport.objects.filter(host_kanwil=kanwil).values("id"))
    for model in DOCUMENT_MODELS:
        about |= Q(id__in=model.objects.filter(practice_kanwils=kanwil).values("id"))
    return (without_paths(document_queryset(), hidden).filter(section | about)
            .annotate(in_section=ExpressionWrapper(section, output_field=BooleanField()),
                      made=ExpressionWrapper(Q(id__in=_visits_made_elsewhere(kanwil)), output_field=BooleanField()))
            .order_by("-first_published_at", "-id").values_list("id", "content_type_id", "in_section", "made"))


def experience_ids(kanwil_page, hidden):
    """(own, made elsewhere): Found documents of each list that a reader with these hidden
    paths may read, newest first (the id breaks ties, so every document is on exactly one
    page). One query: the visits made elsewhere are the Kanwil's section's documents that
    the other list leaves out."""
    own, elsewhere = Found(array("q"), array("q")), Found(array("q"), array("q"))
    for page_id, type_id, in_section, made in experience_rows(kanwil_page, hidden):
        found = elsewhere if made else own
        if made and not in_section:
            continue  # a visit it made, filed in another Kanwil's section: in neither list
        found.ids.append(page_id)
        found.types.append(type_id)
    return own, elsewhere


def kanwil_experience(kanwil_page, user, query=None):
    """One page of each list; `query` (request.GET) selects the pages. A page number that is
    not a number, or beyond the end, gives the first or the last page (never an error)."""
    kanwil, query = kanwil_page.kanwil, query or {}
    hidden = hidden_paths(user)
    lists = page_cache.get(("kanwil-experience", kanwil_page.pk, hidden), lambda: experience_ids(kanwil_page, hidden))
    # The pagers page through positions; the ids and types are read at the shown ones.
    pages = [Paginator(range(len(found)), size).get_page(query.get(param))
             for found, size, param in zip(lists, (PAGE_SIZE, VISITS_PAGE_SIZE), (PAGE_PARAM, VISITS_PARAM))]
    shown = [(found.ids[i], found.types[i]) for found, page in zip(lists, pages) for i in page.object_list]
    cards = fetch_cards(shown, hidden)
    own, made = ([cards[found.ids[i]] for i in page.object_list if found.ids[i] in cards]
                 for found, page in zip(lists, pages))
    return Experience(_listing(own, pages[0], kanwil, query, PAGE_PARAM),
                      _listing(made, pages[1], kanwil, query, VISITS_PARAM))


def _card_deferred(model):
    """The model's own long fields, which no card shows (the body, the Markdown sections,
    their stored plain text): not read for a card, nor decoded (StreamField JSON)."""
    return [field.name for field in model._meta.concrete_fields
            if field.model is model and field.name != "summary"
            and isinstance(field, (models.TextField, models.JSONField, StreamField))]


def fetch_cards(shown, hidden):
    """{id: specific page} of the shown (id, content type id) documents that are live and not
    under a hidden path, with their Kanwil roles: one query per document type shown, and
    one for the practice sources of each."""
    by_type = defaultdict(list)
    for page_id, type_id in shown:
        by_type[type_id].append(page_id)
    pages = []
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        pages += without_paths(model.objects.live().filter(pk__in=ids), hidden).defer(*_card_deferred(model))
    fetch_roles(pages)
    return {page.pk: page for page in pages}


def _listing(pages, page, kanwil, query, param):
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
    """The Kanwil every card's roles name, for all the pages at once: the Kanwil from the
    per-process cache (portal.page_cache, cleared when a Kanwil changes), the practice
    sources from one query per document type, so a listing's query count does not grow
    with the number of documents. Each page remembers its roles (kanwil_roles())."""
    kanwils = page_cache.get("kanwils", Kanwil.objects.in_bulk)
    by_type = defaultdict(list)
    for page in pages:
        by_type[type(page)].append(page)
    practice = defaultdict(list)
    for model, group in by_type.items():
        field = model._meta.get_field("practice_kanwils")
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        rows = field.remote_field.through.objects.filter(**{f"{source}__in": [page.pk for page in group]})
        for page_id, kanwil_id in rows.values_list(source, target):
            practice[page_id].append(kanwil_id)
    wanted = {k for page in pages for k in (page.author_kanwil_id, getattr(page, "host_kanwil_id", None)) if k}
    if not wanted.union(*practice.values()) <= kanwils.keys():
        kanwils = Kanwil.objects.in_bulk()  # one made in another process since the cache was filled
    for page in pages:
        page.remember_kanwil_roles(kanwils.get(page.author_kanwil_id), kanwils.get(getattr(page, "host_kanwil_id", None)),
                                   [kanwils[k] for k in practice[page.pk] if k in kanwils])
