"""Reading, parsing and rendering the plain text of a bulk import's files in worker processes.

Once a batch's foreign keys are checked together (batch_checks) and the publication receivers
work per batch, reading and parsing a file (front matter, Markdown limits, sections) and
rendering the plain text of its Markdown are about a third of a new document's CPU time in
the importing process, and need no database. So, with settings.IMPORT_PARSE_WORKERS > 1, a
batch of many files is parsed in forked worker processes while the importing process
validates and writes the batch before it (bulk_import submits batch k+1 before importing
batch k). That pays only where a core is idle: the workers spend a little more CPU than they
save the importing process (pickling, a fork per worker), so it is off by default.

What a worker returns is what the importing process would compute: the same functions
(importing.read_path and parse_file: the same size and Markdown limits, the same messages;
rendering.markdown_to_text), under the caller's language, so a file fails alone, as in
process. The plain texts are only a cache, {plain_text_key(source): text} for the
document's Markdown texts, which DocumentPage.plain_text takes instead of rendering again:
keyed by the source, a text the page does not have is never used. The codes a worker checked
references against are those read when the batch was submitted; if the batch reads others,
its failed files are parsed again here.

A worker that dies (BrokenProcessPool): the files it had not returned are parsed in the
importing process, as is everything after; any other fault of a chunk: that chunk is parsed
here. Nothing is lost. Workers never use the database: the connections they inherit are
neither used nor closed (closing a PostgreSQL connection in a child would say goodbye on the
parent's socket) and workers end with os._exit, so no finaliser runs."""
import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from lessons.content.plain_text_keys import plain_text_key

from .importing import ImportResult, parse_file, read_path
from .parsing import Problem
from .rendering import markdown_to_text

logger = logging.getLogger(__name__)


@dataclass
class Parsed:
    """One file read and parsed: its document and digest, or why it failed."""
    doc: object = None  # parsing.ParsedDocument
    digest: str | None = None
    failure: ImportResult | None = None
    plain_texts: dict = field(default_factory=dict)  # plain_text_key(source) -> markdown_to_text(source)


def unexpected(path, error):
    """A fault the import itself did not foresee, reported as the file's problem."""
    return ImportResult(Path(path).name, problems=[Problem(
        _("kesalahan tak terduga (%(error)s)") % {"error": f"{type(error).__name__}: {error}"[:500]})])


def parse_path(path, known, with_plain_texts=False):
    """A file read and parsed as import_path does; never raises."""
    try:
        raw, failure = read_path(path)
        if failure:
            return Parsed(failure=failure)
        doc, digest, failure = parse_file(Path(path).name, raw, known)
    except Exception as error:  # noqa: BLE001 - one file must never stop the archive
        return Parsed(failure=unexpected(path, error))
    if failure:
        return Parsed(failure=failure)
    return Parsed(doc, digest, plain_texts=_plain_texts(doc) if with_plain_texts else {})


def _plain_texts(doc):
    """The plain text of each Markdown text the document's page will have (its body, sections,
    step descriptions), by the key DocumentPage.plain_text looks them up with."""
    texts = {}
    for source in (doc.body, *doc.sections.values(), *(step.description for step in doc.steps)):
        if isinstance(source, str) and source:
            try:
                texts[plain_text_key(source)] = markdown_to_text(source)
            except Exception:  # noqa: BLE001 - the page renders it itself, and decides
                continue
    return texts


def _parse_chunk(paths, known, language):
    """In a worker: the chunk's files, parsed under the caller's language."""
    with translation.override(language):
        return [parse_path(path, known, with_plain_texts=True) for path in paths]


class ParsePool:
    """Parses batches in `workers` forked processes (1: in this process, when asked for the
    results). Use as a context manager; the processes start with the first batch sent there."""

    def __init__(self, workers, min_files):
        self.workers = workers if workers > 1 and "fork" in multiprocessing.get_all_start_methods() else 1
        self.min_files = min_files
        self.in_workers = 0  # files parsed by worker processes
        self.fell_back = 0  # files a failing worker left to this process
        self.waited = 0.0  # seconds this process waited for the workers' results
        self._executor = None
        self._broken = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def submit(self, paths, read_known):
        """Start parsing `paths` (in workers if the batch is big enough, against the codes
        read_known() returns); returns a handle for results()."""
        if self.workers <= 1 or self._broken or len(paths) < self.min_files:
            return _Batch(paths, None, None)
        known = read_known()
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self.workers,
                                                 mp_context=multiprocessing.get_context("fork"))
        # A few chunks per worker: few messages, and the workers still finish together.
        size = max(1, -(-len(paths) // (self.workers * 4)))
        language = translation.get_language()
        chunks = [paths[start:start + size] for start in range(0, len(paths), size)]
        try:
            futures = [self._executor.submit(_parse_chunk, chunk, known, language) for chunk in chunks]
        except BrokenProcessPool:
            self._broken = True
            return _Batch(paths, known, None)
        return _Batch(paths, known, list(zip(chunks, futures)))

    def results(self, batch, known):
        """[Parsed] for the batch's paths, in order; `known` is the codes the batch itself read."""
        if batch.futures is None:
            return [parse_path(path, known) for path in batch.paths]
        parsed = []
        for chunk, future in batch.futures:
            try:
                started = time.perf_counter()
                try:
                    done = future.result()
                finally:
                    self.waited += time.perf_counter() - started
                self.in_workers += len(done)
            except Exception as error:  # noqa: BLE001 - a dead worker or any other fault: parse here
                if isinstance(error, BrokenProcessPool):
                    self._broken = True
                logger.warning("Parsing %s files in a worker failed (%r); parsing them in this process",
                               len(chunk), error)
                self.fell_back += len(chunk)
                done = [parse_path(path, known, with_plain_texts=True) for path in chunk]
            parsed += done
        if known != batch.known:  # references were checked against other codes: check again
            parsed = [parse_path(path, known) if item.failure else item for path, item in zip(batch.paths, parsed)]
        return parsed


@dataclass
class _Batch:
    paths: list
    known: dict
    futures: list | None  # [(chunk of paths, future)], None: parsed in this process
