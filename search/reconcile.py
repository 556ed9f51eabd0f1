"""Reconcile: find where the index drifted from the database and repair it. Each live
page's document is built as it would be now and its stamp (source hash and access) is
compared with the one the index holds; stale, missing and extra documents are written or
deleted through the same fail-closed writers as every other update (indexing.py). A
rebuild ends with reconcile_since(), which looks again only at what changed while it ran."""
from dataclasses import dataclass, field

from elasticsearch import NotFoundError
from elasticsearch.helpers import scan

from lessons.access import rules as access

from .building import build_documents, build_version, indexable_ids, load_pages
from .client import get_client
from .documents import alias_name
from .indexing import BATCH_SIZE, _apply_with_retries, _chunks, _set_aside, ensure_index, prune_retired
from .models import PendingIndexUpdate


@dataclass
class ReconcileReport:
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    refreshed: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)  # page id -> error; removed from the index (fail closed)
    checked: int = 0

    @property
    def changed(self):
        return bool(self.added or self.removed or self.refreshed or self.failed)


def reconcile(batch_size=BATCH_SIZE, progress=lambda done, total: None):
    """Compare every live document page with the index and repair any drift. Each page's
    document is built as it would be now and its hash compared with the stored one, so a
    change in content, taxonomy labels, access, analysis data or building code is found."""
    ensure_index()
    indexed = _live_stamps()
    ids = indexable_ids()
    return _repair(indexed, ids, ids, list(access.group_restrictions()), batch_size, progress)


def _repair(indexed, live_ids, check_ids, restrictions, batch_size, progress):
    """Build the documents of check_ids (live pages), write those that differ from
    `indexed`, and delete indexed documents of pages that are not in live_ids."""
    version = build_version()
    live = set(live_ids)
    report = ReconcileReport(removed=sorted(set(indexed) - live), checked=len(check_ids))
    progress(0, len(check_ids))
    done = 0
    for chunk in _chunks(check_ids, batch_size):
        pages, failed = load_pages(chunk)
        documents, build_failed = build_documents(pages, restrictions, version)
        failed.update(build_failed)
        stale = {i: d for i, d in documents.items() if indexed.get(i) != _stamp(d["source_hash"], d["access"])}
        gone = set(chunk) - {p.id for p in pages} - set(failed)  # unpublished meanwhile
        result = _apply_with_retries(alias_name(), stale, gone, failed, fail_closed=True)
        report.failed.update(result.failed)
        report.added += sorted(i for i in result.indexed if i not in indexed)
        report.refreshed += sorted(i for i in result.indexed if i in indexed)
        done += len(chunk)
        progress(done, len(check_ids))
    if report.removed:
        _apply_with_retries(alias_name(), {}, report.removed, {}, fail_closed=True)
    _set_aside(report.failed)
    prune_retired()
    return report


def _stamp(source_hash, access_tokens):
    """What reconcile compares per page, as one short string (100k of them stay small).
    Access is compared as well as the hash: it decides who may read a document, so a
    document altered behind the hash's back is caught too."""
    return f"{source_hash}|{','.join(sorted(access_tokens or []))}"


def _live_stamps():
    """{page id: stamp} of the documents behind the alias."""
    return {i: stamp for i, stamp, _ in _stamps(alias_name())}


def _stamps(index):
    """Yield (page id, stamp, build_version) read from doc values: ids and stamps only, no
    document source."""
    hits = scan(get_client(), index=index, query={"query": {"match_all": {}}}, _source=False,
                docvalue_fields=["source_hash", "access", "build_version"], size=5000)
    for hit in hits:
        values = hit.get("fields") or {}
        yield (int(hit["_id"]), _stamp((values.get("source_hash") or [None])[0], values.get("access")),
               (values.get("build_version") or [None])[0])


def changed_since(since, previous, indexed):
    """Live page ids whose document may have changed since `since` (a rebuild's start):
    published since then, queued since then (and not drained yet), or rewritten in the
    replaced index (`previous`) by the index worker while the rebuild ran, which is how
    moves, view restrictions, attachments and taxonomy edits show. The replaced index's
    documents built by the current code and differing from the new index's are those."""
    from wagtail.models import Page

    ids = set(Page.objects.filter(last_published_at__gte=since).values_list("id", flat=True))
    ids |= set(PendingIndexUpdate.objects.filter(created_at__gte=since).values_list("page_id", flat=True))
    version = build_version()
    for name in previous:
        try:
            ids |= {i for i, stamp, built in _stamps(name) if built == version and indexed.get(i) != stamp}
        except NotFoundError:
            continue  # already gone: nothing written there to catch
    return ids


def reconcile_since(since, previous=(), restricted=None, batch_size=BATCH_SIZE,
                    progress=lambda done, total: None):
    """The closing check of a rebuild: like reconcile(), but builds again only the pages
    that may have changed since the rebuild started (changed_since) or are missing from the
    index, and finds deletions by ids alone. If the view restrictions changed meanwhile,
    every page's access may have: then it is a full reconcile."""
    ensure_index()
    now_restrictions = list(access.group_restrictions())
    if restricted is not None and restricted != _restriction_state(now_restrictions):
        return reconcile(batch_size, progress)
    indexed = _live_stamps()
    ids = indexable_ids()
    check = (set(ids) - set(indexed)) | (changed_since(since, previous, indexed) & set(ids))
    return _repair(indexed, ids, sorted(check), now_restrictions, batch_size, progress)


def _restriction_state(restrictions):
    """What decides access tokens, to tell whether view restrictions changed (a few rows)."""
    return sorted((r.id, r.page_id, r.restriction_type, sorted(g.id for g in r.groups.all())) for r in restrictions)
