"""Attachment files (PDF, DOCX, plain text): recognising the kind by content and extracting
their text for search and the privacy check. Never raises on a broken file."""
import codecs
import functools
import logging
import zipfile

logger = logging.getLogger(__name__)

PDF, DOCX, TEXT = "pdf", "docx", "txt"
KINDS = (PDF, DOCX, TEXT)
MAX_CHARS = 200_000  # extracted text kept per attachment
SNIFF_BYTES = 64 * 1024  # how much of a text file is checked for NUL bytes and encoding
MAX_DOCX_XML_BYTES = 50 * 1024 * 1024  # uncompressed word/document.xml; guards against zip bombs
MAX_PDF_PAGES = 2000


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


def _is_docx(fileobj):
    try:
        with zipfile.ZipFile(fileobj) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


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


def is_readable(fileobj, kind):
    """Whether a PDF or DOCX opens at all (a right header on a broken body is rejected)."""
    _rewind(fileobj)
    try:
        if kind == PDF:
            from pypdf import PdfReader

            reader = PdfReader(fileobj)
            if reader.is_encrypted and not reader.decrypt(""):
                return False
            return len(reader.pages) > 0
        if kind == DOCX:
            from docx import Document

            Document(fileobj)
        return True
    except Exception:  # noqa: BLE001 - any parser failure means "not readable"
        return False
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
    from pypdf import PdfReader

    reader = PdfReader(fileobj)
    if reader.is_encrypted and not reader.decrypt(""):
        return
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES:
            return
        yield page.extract_text() or ""


def _docx_parts(fileobj):
    from docx import Document

    with zipfile.ZipFile(fileobj) as archive:
        if archive.getinfo("word/document.xml").file_size > MAX_DOCX_XML_BYTES:
            raise ValueError("word/document.xml too large")
    _rewind(fileobj)
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
