"""The hostile-file corpus, generated (nothing large is committed): Markdown files that
attack the YAML loader, the Markdown renderer and the decoder, and DOCX/PDF attachments
that attack the unzipper and pypdf. Each entry is (name, function making the bytes, expected outcome), where
the outcome is "refused" (a clear message) or "imported"/"accepted" (a bounded success).

Run `python -m tests.hostile.corpus DIR` to write the files out for manual trials."""
import functools
import random
import sys
import zlib
from pathlib import Path

from tests.attachment_files import FONT, PAGE, W, docx, pdf, stream

FRONT = "---\ntype: pelajaran\ntitle: {title}\nkanwil: kalbar\ndate: 2024-10-01\nsummary: Berkas uji masukan jahat.\n---\n\n"


def lesson(title, body):
    return (FRONT.format(title=title) + body).encode()


def _alias_bomb():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    return ("---\ntype: pelajaran\nkanwil: kalbar\ntitle: bom\n" + "\n".join(lines) + "\nstages: *i\n---\n\nIsi.\n").encode()


def _near_limit_body(limit=1024 * 1024):
    """A real lesson whose body is plain prose just under the 1 MiB file limit."""
    rng = random.Random(7)
    words = ("berkas perkara penyidik jaksa saksi tersangka barang bukti pengiriman petunjuk lengkap kembali "
             "surat dakwaan penuntutan pemeriksaan keterangan ahli penerjemah imigrasi warga negara asing").split()
    head = lesson("Dokumen hampir satu mebibita", "## Situasi\n\n")
    paragraphs, size = [], len(head) + 64
    while True:
        paragraph = " ".join(rng.choice(words) for _ in range(120)) + "."
        if size + len(paragraph) + 2 > limit - 200:
            break
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return head + "\n\n".join(paragraphs).encode() + b"\n\nKata penanda hampirsatumebibita di akhir.\n"


MARKUP_PARAGRAPH = ("Penyidik mengirim **berkas perkara** kepada jaksa dengan [catatan](https://contoh.go.id/a) "
                    "tentang pasal 122 dan _petunjuk_ yang belum dipenuhi. ") * 6


def markdown_files():
    nested_list = "".join("  " * depth + "- butir\n" for depth in range(354))  # ~125 KB
    rng = random.Random(1)
    return [
        ("yaml-alias-bomb.md", lambda: _alias_bomb(), "refused"),
        ("yaml-deep-flow.md", lambda: ("---\ntitle: " + "[" * 6000 + "]" * 6000 + "\n---\nIsi.\n").encode(), "refused"),
        ("yaml-deep-block.md", lambda: ("---\ntype: pelajaran\nx:\n" + "".join("  " * d + "- \n" for d in range(1, 110))
                                + "---\nIsi.\n").encode(), "refused"),
        ("yaml-deep-mapping.md", lambda: ("---\n" + "".join(" " * d + f"k{d}:\n" for d in range(160)) + "---\nIsi.\n").encode(),
         "refused"),
        ("yaml-huge-front.md", lambda: ("---\ntitle: t\nsummary: " + "kata " * 40_000 + "\n---\nIsi.\n").encode(), "refused"),
        ("yaml-unclosed.md", lambda: b"---\ntitle: 'tak ditutup\nkanwil: [kalbar\n---\nIsi.\n", "refused"),
        ("nested-list-125k.md", lambda: lesson("Daftar bersarang", nested_list), "refused"),
        ("nested-dashes.md", lambda: lesson("Tanda hubung", "- " * 5000 + "x\n"), "refused"),
        ("nested-quotes.md", lambda: lesson("Kutipan bersarang", ">" * 20_000 + " x\n"), "refused"),
        ("quote-list-mix.md", lambda: lesson("Campuran", "> - " * 3000 + "x\n"), "refused"),
        ("brackets-20k.md", lambda: lesson("Kurung siku", "[" * 20_000 + "\n"), "refused"),
        ("link-parens.md", lambda: lesson("Kurung tautan", "[](" * 7000 + "\n"), "refused"),
        ("brackets-per-paragraph.md", lambda: lesson("Kurung per paragraf", ("[" * 150 + "\n\n") * 130), "refused"),
        ("reference-expansion.md", lambda: lesson("Rujukan", "[x]: https://contoh.go.id/" + "a" * 3000 + "\n\n"
                                          + "[a][x] " * 3000 + "\n"), "refused"),
        ("emphasis-run.md", lambda: lesson("Penekanan", "*a" * 100_000 + "\n"), "refused"),
        ("backticks.md", lambda: lesson("Backtick", "`" * 100_000 + "\n"), "refused"),
        ("code-spans.md", lambda: lesson("Kode", "`a" * 50_000 + "\n"), "refused"),
        ("unclosed-fences.md", lambda: lesson("Pagar", "```x\n" * 8000), "refused"),
        ("closed-fences.md", lambda: lesson("Pagar tertutup", "```python\nx = 1\n```\n\n" * 90), "imported"),
        ("angle-brackets.md", lambda: lesson("Kurung sudut", "<" * 100_000 + "\n"), "refused"),
        ("markup-prose.md", lambda: lesson("Prosa bermarkup", "\n\n".join([MARKUP_PARAGRAPH] * 200)), "imported"),
        ("many-short-emphases.md", lambda: lesson("Penekanan pendek", ("*a* _b_ `c` <d> " * 40 + "\n\n") * 300),
         "refused"),
        ("wide-table.md", lambda: lesson("Tabel lebar", "|a" * 20_000 + "|\n" + "|-" * 20_000 + "|\n" + "|b" * 20_000 + "|\n"),
         "refused"),
        ("table-100-rows.md", lambda: lesson("Tabel biasa", "|" + "|".join(f"k{i}" for i in range(10)) + "|\n"
                                             + "|-" * 10 + "|\n" + ("|" + "|".join(["sel"] * 10) + "|\n") * 100),
         "imported"),
        ("one-long-line.md", lambda: lesson("Satu baris", "kata " * 190_000 + "\n"), "imported"),
        ("near-1mib.md", lambda: _near_limit_body(), "imported"),
        ("over-1mib.md", lambda: lesson("Terlalu besar", "kata " * 220_000), "refused"),
        ("binary-junk.md", lambda: rng.randbytes(200_000), "refused"),
        ("utf16-bom.md", lambda: ("\ufeff" + FRONT.format(title="UTF-16") + "Isi.\n").encode("utf-16"), "refused"),
        ("utf16-no-bom.md", lambda: (FRONT.format(title="UTF-16") + "Isi.\n").encode("utf-16-le"), "refused"),
        ("latin1.md", lambda: (FRONT.format(title="Kejaksaan Négeri") + "Isi é.\n").encode("latin-1"), "refused"),
        ("invalid-utf8.md", lambda: lesson("UTF-8 rusak", "awal ") + b"\xc3\x28\xa0\xa1\xff\xfe tengah\n", "refused"),
        ("nul-bytes.md", lambda: lesson("NUL", "awal \x00 akhir\n"), "refused"),
        ("empty.md", lambda: b"", "refused"),
        ("only-dashes.md", lambda: b"---\n---\n", "refused"),
    ]


# --- DOCX ---------------------------------------------------------------------------------

def _paragraphs(total_bytes):
    yield b'<?xml version="1.0"?><w:document ' + W + b"><w:body>"
    chunk = b"<w:p><w:r><w:t>bom</w:t></w:r></w:p>" * 2000
    for _ in range(total_bytes // len(chunk)):
        yield chunk
    yield b"</w:body></w:document>"


def _lying_size(data, name=b"word/document.xml", declared=1000):
    """Rewrite the declared uncompressed size of one entry (local header and central
    directory) to a small lie; the data still inflates to its real size."""
    data = bytearray(data)
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            name_offset = 30 if signature == b"PK\x03\x04" else 46
            name_length = int.from_bytes(data[at + (26 if signature == b"PK\x03\x04" else 28):][:2], "little")
            if bytes(data[at + name_offset: at + name_offset + name_length]) == name:
                data[at + size_offset: at + size_offset + 4] = declared.to_bytes(4, "little")
            start = at + 4
    return bytes(data)


def _random_paragraphs(total_bytes):
    """Text with a real document's compression ratio, just under the unpacked cap."""
    rng = random.Random(5)
    vocabulary = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 10))) for _ in range(5000)]
    yield b'<?xml version="1.0"?><w:document ' + W + b"><w:body>"
    written = 0
    while written < total_bytes:
        chunk = "".join(f"<w:p><w:r><w:t>{' '.join(rng.choices(vocabulary, k=60))}</w:t></w:r></w:p>"
                        for _ in range(100)).encode()
        written += len(chunk)
        yield chunk
    yield b"</w:body></w:document>"


def docx_files(large_bytes=18 * 1024 * 1024):
    small = docx(_paragraphs(100_000))
    laughs = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "lollollollol">'
              + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10) for i in range(9))
              + b']><w:document ' + W + b"><w:body><w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>")
    return [
        ("docx-valid.docx", lambda: small, "accepted"),
        ("docx-large-text.docx", lambda: docx(_random_paragraphs(large_bytes)), "accepted"),
        ("docx-zip-bomb.docx", lambda: docx(_paragraphs(150 * 1024 * 1024)), "refused"),
        ("docx-ratio.docx", lambda: docx([b"<w:document " + W + b"><w:body>", b" " * (12 * 1024 * 1024),
                                   b"</w:body></w:document>"]), "refused"),
        ("docx-lying-size.docx", lambda: _lying_size(docx(_paragraphs(100 * 1024 * 1024))), "refused"),
        ("docx-many-entries.docx", lambda: docx(_paragraphs(1000), extra=[(f"word/media/x{i}.xml", b"")
                                                                    for i in range(5000)]), "refused"),
        ("docx-billion-laughs.docx", lambda: docx([laughs]), "refused"),
        ("docx-deep-xml.docx", lambda: docx([b"<w:document " + W + b"><w:body>" + b"<w:p>" * 100_000]), "refused"),
        ("docx-not-zip.docx", lambda: b"PK\x03\x04" + random.Random(2).randbytes(50_000), "refused"),
    ]


# --- PDF ----------------------------------------------------------------------------------

def _deflated_stream(chunk, times):
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(chunk) for _ in range(times)) + packer.flush()
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream"


def pdf_files():
    text = stream(b"BT /F1 12 Tf 72 720 Td (Uji) Tj ET")
    valid = pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE, text, FONT])
    # Pages -> 30 x node 6 -> 30 x node 7 -> ... five levels: 24 million "pages" from 10 objects.
    dag = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count 1 >>" % b" ".join([b"6 0 R"] * 30),
           PAGE, text, FONT]
    for level in range(5):
        kids = b" ".join([b"%d 0 R" % (7 + level)] * 30) if level < 4 else b"3 0 R"
        dag.append(b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count 1 >>" % kids)
    cycle = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>", PAGE, text, FONT]
    deep_array = [b"<< /Type /Catalog /Pages 2 0 R /X " + b"[" * 100_000 + b"]" * 100_000 + b" >>",
                  b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE, text, FONT]
    self_ref = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources 6 0 R >>", text, FONT,
                b"<< /Font << /F1 6 0 R >> /XObject << /X 6 0 R >> >>"]
    bomb = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE,
            b"", FONT]  # object 4 is filled in lazily: 400 MB of content stream, deflated
    many = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count 5000 >>" % b" ".join([b"3 0 R"] * 5000), PAGE, text, FONT]
    lying_count = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 999999999 >>",
                   PAGE, text, FONT]
    return [
        ("pdf-valid.pdf", lambda: valid, "accepted"),
        ("pdf-page-dag.pdf", lambda: pdf(dag), "refused"),
        ("pdf-page-cycle.pdf", lambda: pdf(cycle), "refused"),
        ("pdf-many-pages.pdf", lambda: pdf(many), "refused"),
        ("pdf-lying-count.pdf", lambda: pdf(lying_count), "accepted"),
        ("pdf-broken-xref.pdf", lambda: pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                      PAGE, text, FONT], xref=False).replace(b"startxref\n", b"startxref\n9"), "either"),
        ("pdf-deep-array.pdf", lambda: pdf(deep_array), "either"),
        ("pdf-self-reference.pdf", lambda: pdf(self_ref), "either"),
        ("pdf-stream-bomb.pdf", lambda: pdf(bomb[:3] + [_deflated_stream(b"BT /F1 12 Tf 72 720 Td (a) Tj ET " * 100_000,
                                                                         120)] + bomb[4:]), "either"),
        ("pdf-truncated.pdf", lambda: valid[: len(valid) // 2], "either"),
        ("pdf-junk.pdf", lambda: b"%PDF-1.7\n" + random.Random(3).randbytes(100_000), "refused"),
    ]


def everything():
    return markdown_files() + docx_files() + pdf_files()


@functools.cache
def data(name):
    """The bytes of one corpus file, generated on first use."""
    return next(make for file_name, make, _outcome in everything() if file_name == name)()


def write_all(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, make, _outcome in everything():
        raw = make()
        (folder / name).write_bytes(raw)
        print(f"{len(raw):>10,}  {name}")


if __name__ == "__main__":
    write_all(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
