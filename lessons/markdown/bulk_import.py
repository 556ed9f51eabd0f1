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
  batch's transaction (see deferred_indexing).
"""
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from . import deferred_indexing
from .importing import ImportResult, Lookups, import_path, known_codes, markdown_files
from .parsing import Problem

DEFAULT_BATCH_SIZE = 100


@dataclass
class ArchiveReport:
    total: int = 0
    counts: dict = field(default_factory=dict)  # status -> number of files
    failures: list = field(default_factory=list)  # ImportResult with problems, in file order
    seconds: float = 0.0

    @property
    def imported(self):
        return sum(self.counts.values())

    @property
    def rate(self):
        return self.imported / self.seconds if self.seconds else 0.0


def _unexpected(path, error):
    """A fault the import itself did not foresee, reported as the file's problem."""
    return ImportResult(path.name, problems=[Problem(
        _("kesalahan tak terduga (%(error)s)") % {"error": f"{type(error).__name__}: {error}"[:500]})])


def _import_one(path, publish, user, known, lookups):
    try:
        with transaction.atomic():  # a savepoint inside the batch: this file rolls back alone
            result = import_path(path, publish=publish, user=user, check_permissions=user is not None, known=known,
                                 lookups=lookups)
    except Exception as error:  # noqa: BLE001 - one file must never stop the archive
        result = _unexpected(path, error)
    if not result.ok:
        lookups.forget()  # what it rolled back may have changed rows read for the batch
    return result


def _import_batch(paths, publish, user):
    known, lookups = known_codes(), Lookups()
    with transaction.atomic(), deferred_indexing.deferred() as saved:
        results = [_import_one(path, publish, user, known, lookups) for path in paths]
        deferred_indexing.flush(saved)
    return results


def import_archive(paths, *, publish, user=None, batch_size=DEFAULT_BATCH_SIZE,
                   on_file=lambda number, total, path, result: None):
    """Import every Markdown file under `paths`; returns an ArchiveReport. `on_file` is
    called once per file, in order, after the file's batch is committed."""
    files = markdown_files(paths)
    report = ArchiveReport(total=len(files))
    started = time.perf_counter()
    for start in range(0, len(files), batch_size):
        batch = files[start:start + batch_size]
        try:
            results = _import_batch(batch, publish, user)
        except Exception:  # noqa: BLE001 - the commit failed: retry each file on its own
            results = []
            for path in batch:
                try:
                    results.append(_import_batch([path], publish, user)[0])
                except Exception as error:  # noqa: BLE001 - listed, never lost
                    results.append(_unexpected(path, error))
        for offset, (path, result) in enumerate(zip(batch, results)):
            if result.ok:
                report.counts[result.status] = report.counts.get(result.status, 0) + 1
            else:
                report.failures.append(result)
            on_file(start + offset + 1, len(files), path, result)
    report.seconds = time.perf_counter() - started
    return report
