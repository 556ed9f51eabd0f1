"""Index a written corpus straight into Elasticsearch through our document builder, without
saving pages: the 100k index for the search benchmarks, where loading that many pages
through Wagtail (import_archive) would take hours on this machine.

    cp -a /tmp/lintas-bench-1k /tmp/lintas-bench-100k     # a state loaded by corpus.py load
    LINTAS_STATE_DIR=/tmp/lintas-bench-100k SEARCH_INDEX_ALIAS=lintas-bench-100k \\
        python bench/index_corpus.py /tmp/corpus-100k [--workers 2] [--keep-database-documents]

Each file is parsed by the importer's parser and filled into an unsaved page exactly as the
importer fills it, placed under its Kanwil's section (tree path, URL), given an id above any
in the database, and built by build_document(), the function every rebuild and index
update uses. Files restricted to some Kanwil get those Kanwil's group tokens, as the
importer's view restriction would give them. The database is only read (taxonomy,
sections, groups); the documents are written in bulk to a new index that then replaces the
alias, and (by default) the database's own documents are added too, so the judged
queries still find their demo documents.

What this does not measure is the import itself (corpus.py load and bench/import_rate.py do):
the index it makes is what the pipeline would make for the same files."""
import argparse
import multiprocessing
import sys
import time
from pathlib import Path

from common import setup_django
from corpus import progress_bar

ID_OFFSET = 10_000_000  # far above the database's page ids
CHUNK = 200


def _context():
    """What every worker reads once: the Kanwil, their sections and groups, the taxonomy."""
    from lessons.access import rules as access
    from lessons.markdown.importing import Lookups
    from lessons.models import Kanwil

    tokens = {k.code: [f"group:{g.id}" for g in access.kanwil_groups(k).values()] for k in Kanwil.objects.all()}
    return Lookups(), tokens


def _build(job):
    """Documents for one chunk of (number, path); runs in a worker process."""
    from lessons.markdown.importing import DOCUMENT_TYPES, _fill
    from lessons.markdown.parsing import parse_document
    from search.building import build_document, build_version, content_hash

    numbers_paths, = job
    lookups, tokens = _CONTEXT
    version = build_version()
    documents, failed = {}, 0
    for number, path in numbers_paths:
        doc, problems = parse_document(path.name, path.read_bytes(), 10 * 1024 * 1024, partial=True)
        section = lookups.section(doc.kanwil) if doc is not None else None
        if problems or section is None:
            failed += 1
            continue
        page = DOCUMENT_TYPES[doc.type](live=True)
        _fill(page, doc, lookups)
        page.id = page.pk = ID_OFFSET + number
        page.path = section.path + f"{number:08d}"
        page.depth = section.depth + 1
        page.set_url_path(section)
        page.first_published_at = page.last_published_at = _NOW
        document = build_document(page, restrictions=[], version=version)
        if doc.restricted_to:
            granted = sorted({t for code in doc.restricted_to for t in tokens.get(code, [])}) or ["nobody"]
            document["access"] = granted
            document["suggest"]["contexts"]["access"] = granted
            document["source_hash"] = content_hash({k: v for k, v in document.items() if k != "source_hash"}, version)
        documents[page.id] = document
    return documents, failed


_CONTEXT = None
_NOW = None


def main():
    global _CONTEXT, _NOW
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-database-documents", action="store_true",
                        help="index the corpus files only, not the database's own documents")
    args = parser.parse_args()
    setup_django("lintas-bench-corpus", prepare=False)
    from django.db import connections
    from django.utils import timezone

    from search import indexing
    from search.building import build_documents, build_version, indexable_ids, load_pages
    from search.client import get_client
    from lessons.access import rules as access

    client = get_client()
    name = indexing.create_index(indexing.new_index_name())
    started = time.perf_counter()
    indexed = 0
    if not args.no_database_documents:
        ids = indexable_ids()
        pages, _ = load_pages(ids)
        documents, _ = build_documents(pages, list(access.group_restrictions()), build_version())
        indexed += len(indexing.apply(name, documents, set(), refresh=False).indexed)
        print(f"{indexed} documents from the database", file=sys.stderr)

    _CONTEXT, _NOW = _context(), timezone.now()
    files = sorted(Path(args.corpus).rglob("*.md"))
    jobs = [([(n, p) for n, p in enumerate(files[i:i + CHUNK], start=i)],) for i in range(0, len(files), CHUNK)]
    connections.close_all()  # each forked worker opens its own
    failed = 0
    bar = iter(progress_bar(range(len(files)), len(files), "building and indexing"))
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for documents, chunk_failed in pool.imap_unordered(_build, jobs):
            result = indexing.apply(name, documents, set(), refresh=False)
            indexed += len(result.indexed)
            failed += chunk_failed + len(result.failed) + len(result.transient)
            for _ in range(len(documents) + chunk_failed):
                next(bar, None)
    client.indices.refresh(index=name)
    old = indexing.live_indices()
    actions = [{"add": {"index": name, "alias": indexing.alias_name()}}]
    actions += [{"remove": {"index": o, "alias": indexing.alias_name()}} for o in old]
    client.indices.update_aliases(actions=actions)
    for index in old:
        client.indices.delete(index=index, ignore_unavailable=True)
    seconds = time.perf_counter() - started
    print(f"index {name}: {indexed} documents indexed, {failed} failed, {seconds:.0f} s "
          f"({indexed / seconds:.0f} docs/s), alias {indexing.alias_name()}")


if __name__ == "__main__":
    main()
