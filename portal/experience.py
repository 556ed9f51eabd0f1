"""A Kanwil's experience as its section page lists it: what it wrote, the visits it
hosted and the documents naming it as the source of their practice (the same rule as the
search's Kanwil filter), each with the Kanwil's role; and apart from them the visits it
made elsewhere. Only documents the reader may read (lessons.access), as on every listing."""
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, prefetch_related_objects

from lessons.access.rules import visible_documents
from lessons.models import DOCUMENT_MODELS, KANWIL_ROLES, StudiTiruReport


@dataclass
class Item:
    page: object  # a specific live document page
    roles: list  # labels of the Kanwil's roles in it (penulis, tuan rumah, sumber praktik)


@dataclass
class Experience:
    items: list  # its own documents, visits it hosted, documents on its practice; newest first
    visits_made: list  # visit reports it wrote about another Kanwil


def _roles(page, kanwil):
    return [str(KANWIL_ROLES[role]) for k, role in page.kanwil_roles() if k.pk == kanwil.pk]


def kanwil_experience(kanwil_page, user):
    kanwil = kanwil_page.kanwil
    about = Q(id__in=StudiTiruReport.objects.filter(host_kanwil=kanwil).values("id"))
    for model in DOCUMENT_MODELS:
        about |= Q(id__in=model.objects.filter(practice_kanwils=kanwil).values("id"))
    pages = list(visible_documents(user).filter(Q(path__startswith=kanwil_page.path) | about))
    _fetch_roles(pages)
    items, visits_made = [], []
    for page in pages:
        host = getattr(page, "host_kanwil", None)
        if host is not None and host.pk != kanwil.pk and page.author_kanwil_id == kanwil.pk \
                and not any(k.pk == kanwil.pk for k in page.practice_kanwils.all()):
            visits_made.append(Item(page, _roles(page, kanwil)))
        else:
            items.append(Item(page, _roles(page, kanwil)))
    return Experience(items, visits_made)


def _fetch_roles(pages):
    """The rows every card's roles read, per document type in one query each, so the page's
    query count does not grow with the number of documents."""
    by_type = defaultdict(list)
    for page in pages:
        by_type[type(page)].append(page)
    for model, group in by_type.items():
        prefetch_related_objects(group, "practice_kanwils", *(["host_kanwil"] if model is StudiTiruReport else []))
