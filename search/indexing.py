"""Keeping the index in step with the database: page -> document, bulk writes, versioned
rebuild with an alias swap, and reconcile to repair drift."""
import logging
from dataclasses import dataclass, field

from django.utils import timezone
from elasticsearch import NotFoundError
from elasticsearch.helpers import bulk, scan
from wagtail.models import Page

from lessons import access
from lessons.models import DOCUMENT_MODELS

from .analysis import analyse
from .client import get_client
from .documents import SearchDocument, alias_name, index_body_settings

logger = logging.getLogger(__name__)
BATCH_SIZE = 200


def indexable_pages(ids=None):
    """Live document pages (specific), optionally limited to some ids."""
    queryset = Page.objects.live().type(*DOCUMENT_MODELS)
    if ids is not None:
        queryset = queryset.filter(id__in=ids)
    return queryset.specific().order_by("id")


def build_document(page, restrictions=None):
    """The index source for one specific document page."""
    body = "\n\n".join(part for part in page.text_sections() if part)
    attachments = page.attachment_text()
    stages = list(page.stages.all())
    obstacles = list(page.obstacles.all())
    provisions = list(page.provisions.all())
    kanwils = [k for k in (page.author_kanwil, getattr(page, "host_kanwil", None)) if k]
    facet_text = "\n".join(
        [str(page.get_verbose_name())]
        + [s.name for s in stages] + [o.name for o in obstacles]
        + [f"{p.article} {p.title}" for p in provisions]
        + [f"{k.short_name} {k.name}" for k in kanwils]
    )
    date = page.date or (page.first_published_at.date() if page.first_published_at else None)
    tokens = access.access_tokens_for_page(page, restrictions)
    return {
        "title": page.title,
        "title_stemmed": analyse(page.title),
        "summary": page.summary,
        "summary_stemmed": analyse(page.summary),
        "body": body,
        "body_stemmed": analyse(body),
        "attachments": attachments,
        "attachments_stemmed": analyse(attachments),
        "facet_text": facet_text,
        "facet_text_stemmed": analyse(facet_text),
        "type": page.type_code,
        "kanwil": page.author_kanwil.code if page.author_kanwil else None,
        "host_kanwil": page.host_kanwil.code if getattr(page, "host_kanwil", None) else None,
        "kanwil_any": sorted({k.code for k in kanwils}),
        "stages": [s.code for s in stages],
        "obstacles": [o.code for o in obstacles],
        "provisions": [p.code for p in provisions],
        "date": date,
        "year": date.year if date else None,
        "published_at": page.last_published_at,
        "url": page.get_url(),
        "access": tokens,
        "suggest": {"input": title_suggest_inputs(page.title), "contexts": {"access": tokens}},
    }


def title_suggest_inputs(title, max_words=12):
    """The title from each word on, so typing any word of it (not only the first) completes it."""
    words = title.split()
    return [" ".join(words[i:]) for i in range(min(len(words), max_words)) if len(words[i]) > 2 or i == 0]


def _actions(pages, index, restrictions):
    for page in pages:
        yield {"_op_type": "index", "_index": index, "_id": str(page.id), "_source": build_document(page, restrictions)}


def new_index_name():
    return f"{alias_name()}-{timezone.now():%Y%m%d%H%M%S%f}"


def create_index(name):
    client = get_client()
    client.indices.create(index=name, settings=index_body_settings(), mappings=SearchDocument._doc_type.mapping.to_dict())
    return name


def ensure_index():
    """Create the first versioned index behind the alias if there is none yet."""
    client = get_client()
    if not client.indices.exists_alias(name=alias_name()):
        name = create_index(new_index_name())
        client.indices.put_alias(index=name, name=alias_name())


def write(page_ids_to_index, page_ids_to_delete, index=None):
    """Apply index updates in bulk. Returns the number of documents written and deleted.
    Raises on connection problems so the caller can retry later."""
    if index is None:
        ensure_index()  # writing to a missing alias would create a stray, unmapped index
    index = index or alias_name()
    restrictions = list(access.group_restrictions())
    pages = list(indexable_pages(page_ids_to_index)) if page_ids_to_index else []
    # A page that is no longer live (or no longer a document) must leave the index.
    gone = set(page_ids_to_index) - {p.id for p in pages}
    deletions = [{"_op_type": "delete", "_index": index, "_id": str(i)} for i in set(page_ids_to_delete) | gone]
    ok, errors = bulk(get_client(), [*_actions(pages, index, restrictions), *deletions], raise_on_error=False,
                      refresh=True)  # editors expect to find what they just published; writes are few
    real_errors = [e for e in errors if not ("delete" in e and e["delete"].get("status") == 404)]
    if real_errors:
        raise RuntimeError(f"{len(real_errors)} index operations failed; first: {real_errors[0]}")
    return len(pages), len(deletions)


def rebuild(progress=lambda done, total: None):
    """Index everything into a new versioned index, swap the alias atomically, drop the old
    indexes, then reconcile to pick up what was published while the rebuild ran."""
    client = get_client()
    name = create_index(new_index_name())
    pages = indexable_pages()
    total = pages.count()
    restrictions = list(access.group_restrictions())
    done = 0
    progress(0, total)
    for start in range(0, total, BATCH_SIZE):
        batch = list(pages[start:start + BATCH_SIZE])
        bulk(client, _actions(batch, name, restrictions))
        done += len(batch)
        progress(done, total)
    client.indices.refresh(index=name)
    old = list(client.indices.get_alias(name=alias_name()).keys()) if client.indices.exists_alias(name=alias_name()) else []
    swap = [{"add": {"index": name, "alias": alias_name()}}] + [{"remove": {"index": o, "alias": alias_name()}} for o in old]
    client.indices.update_aliases(actions=swap)
    for index in old:
        client.indices.delete(index=index, ignore_unavailable=True)
    return name, reconcile()


@dataclass
class ReconcileReport:
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    refreshed: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(self.added or self.removed or self.refreshed)


def _indexed_state():
    client = get_client()
    hits = scan(client, index=alias_name(), query={"query": {"match_all": {}}}, _source=["published_at", "access"])
    return {int(h["_id"]): (h["_source"].get("published_at"), sorted(h["_source"].get("access") or [])) for h in hits}


def reconcile():
    """Compare live document pages with the index and repair any drift."""
    ensure_index()
    restrictions = list(access.group_restrictions())
    indexed = _indexed_state()
    expected = {}
    for page in Page.objects.live().type(*DOCUMENT_MODELS).only("id", "path", "last_published_at"):
        published = page.last_published_at.isoformat() if page.last_published_at else None
        expected[page.id] = (published, sorted(access.access_tokens_for_page(page, restrictions)))
    report = ReconcileReport(
        added=sorted(set(expected) - set(indexed)),
        removed=sorted(set(indexed) - set(expected)),
        refreshed=sorted(i for i in set(expected) & set(indexed) if not _same(expected[i], indexed[i])),
    )
    if report.changed:
        write(report.added + report.refreshed, report.removed)
    return report


def _same(expected, indexed):
    from django.utils.dateparse import parse_datetime

    (exp_time, exp_access), (idx_time, idx_access) = expected, indexed
    same_time = (exp_time is None and idx_time is None) or (
        exp_time is not None and idx_time is not None and parse_datetime(exp_time) == parse_datetime(idx_time))
    return same_time and exp_access == idx_access


def status():
    client = get_client()
    try:
        indices = list(client.indices.get_alias(name=alias_name()).keys())
        count = client.count(index=alias_name())["count"]
    except NotFoundError:
        indices, count = [], 0
    return {"alias": alias_name(), "indices": indices, "documents_in_index": count,
            "documents_in_database": Page.objects.live().type(*DOCUMENT_MODELS).count()}
