"""The tests' one DOCX builder and one PDF builder, written by hand so that the hostile
corpus (tests/hostile/corpus.py) can bend every part of a file and the attachment tests
make their small valid files with the same code.

DOCX: a minimal Word package ([Content_Types].xml, the package relationship and
word/document.xml), document.xml streamed so a bomb of hundreds of megabytes is never held
in memory. PDF: numbered objects, a cross-reference table and a trailer."""
import io
import zipfile
import zlib
from xml.sax.saxutils import escape

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="'
                 b'/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
                 b'document.main+xml"/></Types>')
RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOCUMENT_START = b'<?xml version="1.0" encoding="UTF-8"?><w:document ' + W + b"><w:body>"
DOCUMENT_END = b"</w:body></w:document>"


def docx(document_xml_chunks, extra=()):
    """A DOCX whose document.xml is written as a stream of chunks (so a bomb of hundreds of
    megabytes is generated without holding it in memory); `extra`: more (name, bytes) entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            for chunk in document_xml_chunks:
                part.write(chunk)
        for name, data in extra:
            archive.writestr(name, data)
    return out.getvalue()


def paragraph(text):
    return f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>".encode()


def docx_bytes(text, cell=""):
    """A small valid DOCX: one paragraph, then a one-cell table holding `cell` if given."""
    body = paragraph(text)
    if cell:
        body += b"<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc>" + paragraph(cell) + b"</w:tc></w:tr></w:tbl>"
    return docx([DOCUMENT_START, body, DOCUMENT_END])


def pdf(objects, *, root=1, xref=True):
    """A PDF of these object bodies, numbered from 1; `xref=False` leaves the table out."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    start = out.tell()
    if xref:
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, start))
    return out.getvalue()


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def stream(data, *, flate=False):
    body = zlib.compress(data, 9) if flate else data
    return b"<< /Length %d%s >>\nstream\n" % (len(body), b" /Filter /FlateDecode" if flate else b"") + body + b"\nendstream"


def pdf_bytes(text):
    """A small valid one-page PDF showing `text` in Helvetica."""
    return pdf([CATALOG, PAGES, PAGE, stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")), FONT])
