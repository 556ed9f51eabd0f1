"""Page -> search document: the first step of "page published -> document built -> index
updated". Each declared field's value comes from its source function (schema.FIELDS);
each document is stamped with its source hash and build version, which reconcile compares.

Each page is built on its own: one page's bad data never fails its neighbours."""
import hashlib
import json
import logging

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, transaction
from wagtail.models import Page

from lessons.models import DOCUMENT_MODELS

from . import analysis, schema
from .analysis import analyse
from .documents import PIPELINE_FIELDS
from .sources import PageFacts

logger = logging.getLogger(__name__)
# Bump when build_document() (or anything it calls) changes what a document contains, so
# reconcile refreshes every document and status can tell an index built by other code.
BUILD_VERSION = "2026-12-02.3"  # completion context for unrestricted readers
RELATED = ("author_kanwil", "stages", "obstacles", "provisions", "practice_kanwils", "attachments")  # what documents show


def build_version():
    """The code and analysis data documents are built with. Glossary terms are not part of
    it: they are expanded in queries only, documents never contain them."""
    digest = hashlib.sha256(BUILD_VERSION.encode())
    digest.update(analysis.DATA_FILE.read_bytes())
    return digest.hexdigest()[:16]


def content_hash(document, version):
    """Hash of a document's content (without its own stamp) and the build version."""
    content = {k: v for k, v in document.items() if k not in PIPELINE_FIELDS}
    text = json.dumps(content, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256(f"{version}\n{text}".encode()).hexdigest()


def indexable_pages(ids=None):
    """Live document pages (specific), optionally limited to some ids, with what their
    documents show fetched in a few queries rather than a few per page."""
    queryset = Page.objects.live().type(*DOCUMENT_MODELS)
    if ids is not None:
        queryset = queryset.filter(id__in=ids)
    return queryset.specific().prefetch_related(*RELATED, for_specific_subqueries=True).order_by("id")


def indexable_ids():
    return list(Page.objects.live().type(*DOCUMENT_MODELS).order_by("id").values_list("id", flat=True))


def build_document(page, restrictions=None, version=None):
    """The index source for one specific document page, stamped with its source hash."""
    facts = PageFacts(page, restrictions)
    document = {}
    for field in schema.FIELDS:
        value = field.source(facts)
        document[field.name] = value
        if field.stemmed:
            document[field.stemmed_name] = analyse(value)
    version = version or build_version()
    document["build_version"] = version
    document["source_hash"] = content_hash(document, version)
    return document


def error_text(error):
    return f"{type(error).__name__}: {error}"[:2000]


def load_pages(ids):
    """(live specific pages among ids, {id: error} for pages that cannot even be loaded).
    One malformed row must not hide the others, so a failed batch is loaded page by page."""
    try:
        return list(indexable_pages(ids)), {}
    except Exception:  # noqa: BLE001 - which page is bad is found below
        pages, failed = [], {}
        for page_id in ids:
            try:
                pages.extend(indexable_pages([page_id]))
            except Exception as error:  # noqa: BLE001 - that page only
                failed[page_id] = error_text(error)
        return pages, failed


def build_documents(pages, restrictions, version, store_plain_texts=False):
    """({id: document}, {id: error}): each page built on its own. With store_plain_texts,
    pages whose stored plain texts (DocumentPage.plain_texts) missed or are out of date get
    the ones just made: the backfill for pages saved before they were stored, or by other
    rendering code."""
    documents, failed, stale = build_batch(pages, restrictions, version, collect_plain_texts=store_plain_texts)
    if stale:
        save_plain_texts(stale)
    return documents, failed


def build_batch(pages, restrictions, version, collect_plain_texts=False):
    """({id: document}, {id: error}, stale plain texts): build_documents without writing to
    the database, for a rebuild's worker processes, which hand the backfill (a list of
    (model, page id, texts), picklable) to the one process that writes."""
    documents, failed, stale = {}, {}, []
    for page in pages:
        recording = collect_plain_texts and hasattr(page, "fill_plain_texts")
        if recording:
            page._recording_plain_texts = {}
        try:
            documents[page.id] = build_document(page, restrictions, version)
        except Exception as error:  # noqa: BLE001 - any fault in one page's data sets that page aside
            logger.warning("Cannot build the search document of page %s: %s", page.id, error)
            failed[page.id] = error_text(error)
        else:
            if recording and page._recording_plain_texts != page.plain_texts:
                stale.append((type(page), page.pk, page._recording_plain_texts))
        finally:
            if recording:
                page._recording_plain_texts = None
    return documents, failed, stale


def save_plain_texts(stale):
    """One UPDATE per page, of that column only, in one transaction. A page published
    meanwhile may get texts of its previous sources: they are keyed by source, so they
    only miss (and are rendered again), never stand for the new text."""
    try:
        with transaction.atomic():
            for model, pk, texts in stale:
                model.objects.filter(pk=pk).update(plain_texts=texts)
    except DatabaseError as error:  # a busy database: the texts are stored another time
        logger.warning("Could not store the plain texts of %s pages: %s", len(stale), error)
