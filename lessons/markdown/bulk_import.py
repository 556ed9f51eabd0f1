"""Bulk import of Markdown archives (migrating an office's old case files).

Every file goes through exactly the same steps as `import_markdown` (parsing, size and
front matter limits, reference checks, page permissions, the personal-data guard on
publication, revisions, the search outbox). What differs is only the bookkeeping around
them, which is what made one-file-at-a-time slow:
- files are imported in batches, one database transaction per batch, with a savepoint per
  file: a refused or broken file rolls back alone and the rest of its batch still lands;
- if a batch cannot be committed at all, its files are retried one transaction each, so a
  file is never lost silently: each one ends up either imported or listed with its reason;
- the taxonomy codes, taxonomy entries and Kanwil sections are read once per batch instead
  of once per file;
- Wagtail's search and reference index updates, which every page save triggers (three
  saves per document), are made once per page at the end of the batch, in bulk, inside the
  batch's transaction (see deferred_indexing);
- the batch's new documents (a slug not yet taken under its Kanwil section) are created
  together, by the same checks and with the same rows as one by one (see new_pages); updates
  of existing pages, a slug repeated within the batch, and new documents whose bulk writing
  failed go one file at a time;
- with LINTAS_IMPORT_PARSE_WORKERS > 1 (off by default), a batch of many files is read,
  parsed and its plain text rendered in worker processes while the batch before it is
  written (see parse_pool).
"""
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from wagtail.models import Page

from . import deferred_indexing, new_pages
from .importing import ImportResult, Lookups, import_parsed, import_path, known_codes, markdown_files, section_of
from .parse_pool import ParsePool, unexpected as _unexpected

DEFAULT_BATCH_SIZE = 100


@dataclass
class ArchiveReport:
    total: int = 0
    counts: dict = field(default_factory=dict)  # status -> number of files
    failures: list = field(default_factory=list)  # ImportResult with problems, in file order
    seconds: float = 0.0
    together: int = 0  # files created with their batch's other new documents (new_pages)
    parsed_in_workers: int = 0  # files read and parsed in worker processes (parse_pool)
    parse_fallbacks: int = 0  # of which parsed here again after a worker failed
    parse_wait: float = 0.0  # seconds spent waiting for the workers' results

    @property
    def imported(self):
        return sum(self.counts.values())

    @property
    def rate(self):
        return self.imported / self.seconds if self.seconds else 0.0


def _import_one(path, lookups, do):
    """`do()`, importing one file, in a savepoint inside the batch: the file rolls back alone,
    and any fault it meets is reported as its problem."""
    try:
        with transaction.atomic():
            result = do()
    except Exception as error:  # noqa: BLE001 - one file must never stop the archive
        result = _unexpected(path, error)
    if not result.ok:
        lookups.forget()  # what it rolled back may have changed rows read for the batch
    return result


def _taken_slugs(sections_and_slugs):
    """{section pk: slugs of its children among those asked}: one query per section."""
    return {pk: set(Page.objects.child_of(section).filter(slug__in=slugs).values_list("slug", flat=True))
            for pk, (section, slugs) in sections_and_slugs.items()}


def _import_files(paths, publish, user, known, lookups, parsed_files):
    """The batch with its new documents created together (new_pages), the rest one by one."""
    check_permissions = user is not None
    results, later, new = [None] * len(paths), [], []
    parsed = []
    for index, (path, item) in enumerate(zip(paths, parsed_files)):
        if item.failure:
            results[index] = item.failure
            continue
        doc, digest = item.doc, item.digest
        try:
            section, problems = section_of(doc, known, lookups)
        except Exception as error:  # noqa: BLE001
            results[index] = _unexpected(path, error)
            continue
        if problems:
            results[index] = ImportResult(doc.source, problems=problems)
            continue
        parsed.append((index, doc, digest, section, item.plain_texts))
    wanted = {}
    for _index, doc, _digest, section, _texts in parsed:
        wanted.setdefault(section.pk, (section, set()))[1].add(doc.slug)
    taken = _taken_slugs(wanted)
    for index, doc, digest, section, texts in parsed:
        if doc.slug in taken[section.pk]:  # an update, or the batch's second file with this slug
            later.append((index, doc, digest))
        else:
            taken[section.pk].add(doc.slug)
            new.append(new_pages.NewDocument(index, doc, digest, section, plain_texts=texts))
    created = new_pages.create_or_fallback(new, publish=publish, user=user, check_permissions=check_permissions,
                                           lookups=lookups) if new else {}
    for item in new:
        if item.index in created:
            results[item.index] = created[item.index]
        else:
            later.append((item.index, item.doc, item.digest))
    if len(created) < len(new):
        lookups.forget()
    for index, doc, digest in sorted(later, key=lambda entry: entry[0]):
        results[index] = _import_one(paths[index], lookups, lambda doc=doc, digest=digest: import_parsed(
            doc, publish=publish, user=user, digest=digest, check_permissions=check_permissions, known=known,
            lookups=lookups))
    return results


def _import_batch(paths, publish, user, together=True, parsing=None):
    """One transaction; with `together`, `parsing` is (ParsePool, its handle on these paths)."""
    known, lookups = known_codes(), Lookups()
    with transaction.atomic(), deferred_indexing.deferred() as saved:
        if together:
            pool, handle = parsing
            results = _import_files(paths, publish, user, known, lookups, pool.results(handle, known))
        else:
            results = [_import_one(path, lookups, lambda path=path: import_path(
                path, publish=publish, user=user, check_permissions=user is not None, known=known, lookups=lookups))
                for path in paths]
        deferred_indexing.flush(saved)
    return results


def import_archive(paths, *, publish, user=None, batch_size=DEFAULT_BATCH_SIZE,
                   on_file=lambda number, total, path, result: None, one_by_one=False, parse_workers=None):
    """Import every Markdown file under `paths`; returns an ArchiveReport. `on_file` is
    called once per file, in order, after the file's batch is committed. `one_by_one`
    imports new documents one file at a time too (as updates are), e.g. to compare.
    `parse_workers` (default settings.IMPORT_PARSE_WORKERS) processes read and parse a batch
    of at least settings.IMPORT_PARSE_MIN_FILES files while the one before is written (see
    parse_pool); 1 parses in this process."""
    files = markdown_files(paths)
    report = ArchiveReport(total=len(files))
    started = time.perf_counter()
    batches = [files[start:start + batch_size] for start in range(0, len(files), batch_size)]
    workers = settings.IMPORT_PARSE_WORKERS if parse_workers is None else parse_workers
    with ParsePool(workers if not one_by_one else 1, settings.IMPORT_PARSE_MIN_FILES) as pool:
        upcoming = pool.submit(batches[0], known_codes) if batches else None
        for number, batch in enumerate(batches):
            handle = upcoming
            if number + 1 < len(batches):  # parsed in the workers while this batch is written
                upcoming = pool.submit(batches[number + 1], known_codes)
            _import_archive_batch(report, number * batch_size, len(files), batch, publish, user, one_by_one,
                                  (pool, handle), on_file)
    report.parsed_in_workers, report.parse_fallbacks, report.parse_wait = pool.in_workers, pool.fell_back, pool.waited
    report.seconds = time.perf_counter() - started
    return report


def _import_archive_batch(report, start, total, batch, publish, user, one_by_one, parsing, on_file):
    """Import one batch (files start+1.. of total) and add its results to the report."""
    try:
        results = _import_batch(batch, publish, user, together=not one_by_one, parsing=parsing)
    except Exception:  # noqa: BLE001 - the commit failed: retry each file on its own
        results = []
        for path in batch:
            try:
                results.append(_import_batch([path], publish, user, together=False)[0])
            except Exception as error:  # noqa: BLE001 - listed, never lost
                results.append(_unexpected(path, error))
    for offset, (path, result) in enumerate(zip(batch, results)):
        if result.ok:
            report.counts[result.status] = report.counts.get(result.status, 0) + 1
            report.together += result.together
        else:
            report.failures.append(result)
        on_file(start + offset + 1, total, path, result)
