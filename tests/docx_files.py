"""The one DOCX builder of the tests: a minimal Word package ([Content_Types].xml, the
package relationship and word/document.xml) written by hand, so the hostile corpus can
stream hundreds of megabytes into document.xml and the attachment tests can make a small
real document with the same code."""
import io
import zipfile
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
