"""Attachment files (PDF, DOCX, plain text): recognising the kind by content and extracting
their text for search and the privacy check. Never raises on a broken file.

Hostile files are bounded: a DOCX (a zip) is checked entry by entry, by its declared sizes
and then by decompressing as a stream with a byte cap (a crafted header can lie), before
python-docx loads it; a PDF is parsed by pypdf in a child process with a timeout and an
address-space cap (lessons/attachments/attachment_worker.py), since a crafted PDF can loop or eat
memory inside pypdf where nothing could stop it."""
import codecs
import functools
import json
import logging
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

PDF, DOCX, TEXT = "pdf", "docx", "txt"
KINDS = (PDF, DOCX, TEXT)
MAX_CHARS = 200_000  # extracted text kept per attachment
SNIFF_BYTES = 64 * 1024  # how much of a text file is checked for NUL bytes and encoding
RATIO_CHECK_FROM = 1024 * 1024  # small entries may compress well without meaning harm
WORKER = Path(__file__).with_name("attachment_worker.py")
END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"


class Refused(Exception):
    """A file the limits refuse; the message says why, for the uploader."""


def _rewind(fileobj):
    try:
        fileobj.seek(0)
    except (AttributeError, OSError, ValueError):
        pass


def _decodes_as_text(sample):
    if b"\x00" in sample:
        return False
    try:
        # Incremental, so a multi-byte character cut at the end of the sample is fine.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return True
    except UnicodeDecodeError:
        # Latin-1 decodes any byte; what matters is that it looks like text, not binary.
        controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
        return controls <= len(sample) // 100


def _zip_entry_count(fileobj):
    """Entries the zip's end record declares, read before zipfile builds one object per
    entry (a 10 MB zip can declare hundreds of thousands). None if there is no end record."""
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(max(0, size - 65_536 - 22))
    tail = fileobj.read()
    at = tail.rfind(END_OF_CENTRAL_DIRECTORY)
    if at < 0 or len(tail) < at + 22:
        return None
    return struct.unpack("<H", tail[at + 10: at + 12])[0]


def _is_docx(fileobj):
    try:
        count = _zip_entry_count(fileobj)
        if count is None or count > settings.DOCX_MAX_ENTRIES:
            return count is not None  # a zip, but too many entries: refused by docx_problem
        _rewind(fileobj)
        with zipfile.ZipFile(fileobj) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def check_docx(fileobj):
    """Raises Refused if the zip would decompress to too much: too many entries, declared
    sizes over the cap or a suspicious ratio, or actual bytes (streamed) over the cap."""
    limit = settings.DOCX_MAX_UNCOMPRESSED_BYTES
    too_large = Refused(_("Isi DOCX ini terlalu besar setelah dibuka (lebih dari %(limit)s).")
                        % {"limit": filesizeformat(limit)})
    _rewind(fileobj)
    count = _zip_entry_count(fileobj)
    if count is not None and count > settings.DOCX_MAX_ENTRIES:
        raise Refused(_("DOCX ini berisi %(count)s bagian; paling banyak %(limit)s.")
                      % {"count": count, "limit": settings.DOCX_MAX_ENTRIES})
    _rewind(fileobj)
    with zipfile.ZipFile(fileobj) as archive:
        entries = archive.infolist()
        if len(entries) > settings.DOCX_MAX_ENTRIES:
            raise Refused(_("DOCX ini berisi %(count)s bagian; paling banyak %(limit)s.")
                          % {"count": len(entries), "limit": settings.DOCX_MAX_ENTRIES})
        if sum(entry.file_size for entry in entries) > limit:
            raise too_large
        for entry in entries:
            if entry.file_size > RATIO_CHECK_FROM and entry.file_size > settings.DOCX_MAX_RATIO * max(1, entry.compress_size):
                raise Refused(_("DOCX ini dimampatkan secara tidak wajar (bagian %(name)s); simpan ulang dari Word.")
                              % {"name": entry.filename[:60]})
        total = 0
        for entry in entries:
            with archive.open(entry) as part:
                while chunk := part.read(64 * 1024):
                    total += len(chunk)
                    if total > limit:
                        raise too_large
    _rewind(fileobj)


def check_pdf(fileobj):
    """Raises Refused unless the PDF opens, within the page, time and memory limits."""
    answer = run_pdf_worker(fileobj, "check", settings.ATTACHMENT_CHECK_SECONDS)
    _refuse_unless_ok(answer)


def _refuse_unless_ok(answer):
    status = answer.get("status")
    if status == "too_many_pages":
        raise Refused(_("PDF ini memiliki lebih dari %(limit)s halaman.") % {"limit": settings.PDF_MAX_PAGES})
    if status == "timeout":
        raise Refused(_("PDF ini terlalu lama dibaca (lebih dari %(seconds)s detik); simpan ulang dari aplikasinya.")
                      % {"seconds": answer["seconds"]})
    if status == "too_large":
        raise Refused(_("PDF ini memerlukan terlalu banyak memori untuk dibaca; simpan ulang dari aplikasinya."))
    if status != "ok":
        raise Refused(_("Berkas PDF ini rusak, terenkripsi atau tidak dapat dibaca. Simpan ulang dari aplikasinya, "
                        "lalu unggah kembali."))


def run_pdf_worker(fileobj, mode, seconds):
    """The child's answer as a dict: status ('ok', 'too_many_pages', 'too_large',
    'unreadable', 'encrypted', 'timeout'), pages, text (extract), peak_bytes."""
    _rewind(fileobj)
    data = fileobj.read()
    command = [sys.executable, str(WORKER), mode, str(settings.ATTACHMENT_PARSE_MAX_BYTES),
               str(settings.PDF_MAX_PAGES), str(MAX_CHARS)]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": seconds}
    finally:
        _rewind(fileobj)
    try:
        answer = json.loads(done.stdout or b"{}")
    except ValueError:
        answer = {}
    if not isinstance(answer, dict) or "status" not in answer:
        # Killed by the memory cap before it could answer, or crashed.
        answer = {"status": "too_large" if done.returncode < 0 else "unreadable"}
    return answer


def detect_kind(fileobj):
    """'pdf', 'docx', 'txt', or None, judged by the bytes (the name is not trusted)."""
    _rewind(fileobj)
    head = fileobj.read(SNIFF_BYTES)
    _rewind(fileobj)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"PK\x03\x04"):
            return DOCX if _is_docx(fileobj) else None
        return TEXT if head and _decodes_as_text(head) else None
    finally:
        _rewind(fileobj)


def problem(fileobj, kind):
    """Why a PDF or DOCX cannot be accepted (too big unpacked, too many pages, too slow,
    broken), as a message for the uploader; None if it opens within the limits."""
    _rewind(fileobj)
    try:
        if kind == PDF:
            check_pdf(fileobj)
        elif kind == DOCX:
            check_docx(fileobj)
            from docx import Document

            Document(fileobj)
        return None
    except Refused as refusal:
        return str(refusal)
    except Exception:  # noqa: BLE001 - any parser failure means "not readable"
        return None if kind == TEXT else _("Berkas %(kind)s ini rusak, terenkripsi atau tidak dapat dibaca. Simpan "
                                           "ulang dari aplikasinya, lalu unggah kembali.") % {"kind": kind.upper()}
    finally:
        _rewind(fileobj)


def _bounded(parts):
    """Join text parts, stopping once MAX_CHARS is reached."""
    kept, size = [], 0
    for part in parts:
        if not part:
            continue
        kept.append(part)
        size += len(part) + 1
        if size >= MAX_CHARS:
            break
    return "\n".join(kept)[:MAX_CHARS]


def _pdf_parts(fileobj):
    answer = run_pdf_worker(fileobj, "extract", settings.ATTACHMENT_PARSE_SECONDS)
    _refuse_unless_ok(answer)
    yield answer.get("text", "")


def _docx_parts(fileobj):
    from docx import Document

    check_docx(fileobj)
    document = Document(fileobj)
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield " | ".join(cell.text for cell in row.cells)


def _text_parts(fileobj):
    raw = fileobj.read(MAX_CHARS * 4)
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(raw, final=False)
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    yield text


EXTRACTORS = {PDF: _pdf_parts, DOCX: _docx_parts, TEXT: _text_parts}


def extract_text(fileobj, kind=None, name=""):
    """Plain text of an attachment, at most MAX_CHARS; "" (and a log line) when the file is
    of an unknown kind or cannot be read."""
    try:
        kind = kind or detect_kind(fileobj)
        if kind not in EXTRACTORS:
            logger.warning("Attachment %s: unsupported file type, no text extracted", name or fileobj)
            return ""
        _rewind(fileobj)
        return _bounded(EXTRACTORS[kind](fileobj)).replace("\x00", "")
    except Exception as error:  # noqa: BLE001 - a broken attachment must not break publishing
        logger.warning("Attachment %s: text extraction failed (%s: %s)", name or fileobj, type(error).__name__, error)
        return ""
    finally:
        _rewind(fileobj)


@functools.lru_cache(maxsize=256)
def _document_text(document_id, file_name, file_hash, file_size):
    from wagtail.documents import get_document_model

    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None or not document.file:
        return ""
    try:
        with document.file.open("rb") as handle:
            return extract_text(handle, name=file_name)
    except OSError as error:
        logger.warning("Attachment %s: file cannot be opened (%s)", file_name, error)
        return ""


def document_text(document):
    """Extracted text of a Wagtail document, cached per file version."""
    if document is None or not document.file:
        return ""
    return _document_text(document.pk, document.file.name, document.file_hash or "", document.file_size or 0)
