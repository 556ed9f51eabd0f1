"""Markdown in, safe HTML out: editors' Markdown keeps its tables, code, footnotes and lists,
and no script, event handler, dangerous link, frame or style reaches the page."""
import re
from html.parser import HTMLParser

import pytest

from lessons.markdown.rendering import ALLOWED_TAGS, markdown_to_text, render_markdown

# Each payload carries the marker "LKX" only where it would be dangerous (inside a tag,
# an attribute or a script), so the marker must never appear in the output.
PAYLOADS = {
    "script": "<script>alert('LKX')</script>",
    "script_upper": "<SCRIPT SRC=//evil.example/LKX.js></SCRIPT>",
    "img_onerror": "<img src=x onerror=\"alert('LKX')\">",
    "javascript_link": "[klik](javascript:alert(1)//LKX)",
    "javascript_mixed_case": "[klik](JaVaScRiPt:alert(1)//LKX)",
    "javascript_entity": "<a href=\"&#106;avascript:alert('LKX')\">klik</a>",
    "javascript_reference": "[klik][ref]\n\n[ref]: javascript:alert('LKX')",
    "vbscript_link": "<a href=\"vbscript:msgbox('LKX')\">klik</a>",
    "data_link": "[klik](data:text/html;base64,PHNjcmlwdD5MS1g8L3NjcmlwdD4=#LKX)",
    "data_image": "![gambar](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+#LKX)",
    "iframe": "<iframe src=\"https://evil.example/LKX\"></iframe>",
    "object_embed": "<object data=\"LKX.swf\"></object><embed src=\"LKX.swf\">",
    "style_tag": "<style>body { display: none } /* LKX */</style>",
    "inline_style": "<p style=\"position:fixed;top:0;LKX:1\">teks</p>",
    "svg_onload": "<svg onload=\"alert('LKX')\"><circle r=\"1\"/></svg>",
    "math_confusion": "<math><mtext><table><mglyph><style><img src=x onerror=alert('LKX')>",
    "malicious_id_class_html": "<div id=\"LKX-login\" class=\"LKX-navbar hidden\">teks</div>",
    "malicious_attr_list": "Paragraf\n{: #LKX-header .LKX-overlay style=\"color:red\" onclick=\"alert(1)\" }",
    "heading_attr_list": "## Judul {: onmouseover=\"alert('LKX')\" #LKX-top }",
    "link_attr_list": "[klik](https://contoh.go.id){: onclick=\"LKX()\" style=\"LKX\" }",
    "form_and_meta": "<form action=\"/LKX\"><input name=LKX></form><meta http-equiv=refresh content=\"0;url=/LKX\">",
    "base_and_link": "<base href=\"https://evil.example/LKX/\"><link rel=stylesheet href=\"/LKX.css\">",
    "comment": "<!-- LKX --><p>teks</p>",
}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "#", "/")


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html):
    collector = Collector()
    collector.feed(html)
    return collector.tags


def assert_safe(html):
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in ("href", "src"):
                assert value.startswith(SAFE_SCHEMES) or "://" not in value and ":" not in value, value
            if name == "id":
                assert value.startswith("fn"), value
            if name == "class":
                assert all(c.startswith(("footnote", "language-")) for c in value.split()), value


@pytest.mark.parametrize("name", PAYLOADS)
def test_payload_is_neutralised(name):
    html = render_markdown(PAYLOADS[name])
    assert "LKX" not in html, html
    assert_safe(html)
    lowered = html.lower()
    for needle in ("<script", "<iframe", "<style", "<svg", "<object", "<embed", "<form", "<meta", "<base",
                   "<link", "javascript:", "vbscript:", "data:", "onerror", "onload", "onclick", "style="):
        assert needle not in lowered, (needle, html)


def test_all_payloads_together_still_leave_the_harmless_text():
    html = render_markdown("\n\n".join(PAYLOADS.values()))
    assert "LKX" not in html
    assert_safe(html)
    assert "klik" in html and "teks" in html  # link text survives, only the link target goes


def test_links_keep_safe_targets_and_gain_rel():
    html = render_markdown("[situs](https://imigrasi.go.id) [surat](mailto:inteldakim@contoh.go.id) [lokal](/cari/?q=p21)")
    assert 'href="https://imigrasi.go.id"' in html
    assert 'href="mailto:inteldakim@contoh.go.id"' in html
    assert 'href="/cari/?q=p21"' in html
    assert html.count('rel="noopener noreferrer"') == 3


def test_table_renders():
    html = render_markdown("| Alasan | Jumlah |\n|:---|---:|\n| Sumpah penerjemah | 2 |\n")
    assert "<table>" in html and "<th" in html and "<td" in html
    assert 'align="right"' in html and "style" not in html
    assert "Sumpah penerjemah" in html


def test_fenced_code_renders_escaped():
    html = render_markdown("```python\n<script>alert(1)</script>\nx = 1\n```")
    assert '<pre><code class="language-python">' in html
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_footnotes_render_with_their_own_ids():
    html = render_markdown("Berkas lengkap[^1].\n\n[^1]: Dinyatakan P-21 pada hari ke-52.")
    [ref_id] = re.findall(r'<sup id="(fnref:[\w-]+)">', html)
    [note_id] = re.findall(r'<li id="(fn:[\w-]+)">', html)
    assert f'href="#{note_id}"' in html and f'href="#{ref_id}"' in html
    assert 'class="footnote"' in html and "hari ke-52" in html
    assert 'title="Kembali ke rujukan catatan kaki 1"' in html
    assert_safe(html)


def test_footnotes_of_two_fields_on_one_page_do_not_collide():
    first = render_markdown("Situasi[^1].\n\n[^1]: Catatan situasi.")
    second = render_markdown("Hasil[^1].\n\n[^1]: Catatan hasil.")
    ids = lambda html: set(re.findall(r'id="([^"]+)"', html))  # noqa: E731
    assert len(ids(first)) == 2 and not ids(first) & ids(second)
    assert render_markdown("Situasi[^1].\n\n[^1]: Catatan situasi.") == first  # stable across renders


def test_lists_and_checklists_render():
    html = render_markdown("1. Satu\n2. Dua\n\n- [ ] Belum\n- [x] Sudah\n")
    assert "<ol>" in html and "<li>Satu</li>" in html
    assert "☐ Belum" in html and "☑ Sudah" in html


def test_plain_text_for_the_index_has_no_markup():
    text = markdown_to_text("## Judul\n\n<script>alert('LKX')</script>**Tebal** dan [tautan](https://a.go.id)")
    assert text == "Judul\nTebal dan tautan"


@pytest.mark.django_db
def test_payloads_never_reach_a_rendered_page(client, users):
    """A real page, published and served by Wagtail, with the payloads in its Markdown
    body and in its Markdown text fields."""
    from lessons.models import LessonLearned
    from portal.models import KanwilPage

    payloads = "\n\n".join(PAYLOADS.values())
    without_math = "\n\n".join(v for k, v in PAYLOADS.items() if k != "math_confusion")
    parent = KanwilPage.objects.get(kanwil__code="kalbar")
    page = LessonLearned(
        title="Uji keamanan Markdown", slug="uji-keamanan-markdown", author_kanwil=parent.kanwil,
        situation=payloads, action_taken="| Kolom | Nilai |\n|---|---|\n| a | 1 |\n\n" + payloads,
        # The unclosed <style> of math_confusion swallows what follows it (safely), footnotes
        # included, so the body that shows footnotes carries every other payload.
        body=[("markdown", "Catatan[^n].\n\n[^n]: Isi catatan kaki.\n\n```\nkode_aman()\n```\n\n" + without_math)],
    )
    parent.add_child(instance=page)
    page.save_revision().publish()

    client.force_login(users["staf-kalbar"])
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Uji keamanan Markdown" in html
    assert "LKX" not in html
    for needle in ("javascript:", "vbscript:", "onerror=", "onload=", "onclick=", "onmouseover=", "<iframe",
                   "<svg", "<object", "<embed", "position:fixed"):
        assert needle not in html, needle
    assert "<table>" in html and "kode_aman()" in html and "Isi catatan kaki." in html


@pytest.mark.parametrize("source, expected", [
    ("Penerjemah bersumpah[^1].\n\n[^1]: Menurut KUHAP.", "Penerjemah bersumpah.\nMenurut KUHAP."),
    ("Rujukan[^catatan-2] tanpa definisi.", "Rujukan tanpa definisi."),
    ("*Miring*, **tebal**, __tebal__ dan [tautan](https://a.go.id \"judul\").", "Miring, tebal, tebal dan tautan."),
    ("### Sub judul\n\n![gambar](https://a.go.id/x.png) teks", "Sub judul\nteks"),  # images carry no text
    ("5 * 3 = 15 dan a*b", "5 * 3 = 15 dan a*b"),  # stars that are no emphasis stay
])
def test_plain_text_has_no_markdown_residue(source, expected):
    assert markdown_to_text(source) == expected


def test_residue_is_stripped_even_from_text_too_large_to_render(settings):
    """Text refused by the limits is shown unrendered, so its plain text still carries
    the syntax; it is stripped all the same."""
    from lessons.markdown.rendering import strip_markdown_residue

    raw = "## Judul\n**Tebal** dan *miring* [tautan](https://a.go.id) catatan[^1]\n[^1]: isi"
    assert strip_markdown_residue(raw) == "Judul\nTebal dan miring tautan catatan\nisi"
    settings.MARKDOWN_MAX_RENDERED_BYTES = 10  # forces the unrendered path
    assert markdown_to_text(raw.replace("Judul", "Judul lain")) == "Judul lain\nTebal dan miring tautan catatan\nisi"


# --- footnotes across the sections of one document ------------------------------------------
# An imported document is split into fields (situation, recommendation, steps...), each
# rendered on its own; a note is typically defined once, at the end of the file, so it lands
# in the last section while its references sit in earlier ones.

CROSS_SECTION = """---
type: pelajaran
title: Uji catatan kaki lintas bagian
kanwil: kalbar
date: 2024-05-02
summary: Catatan kaki yang didefinisikan di bagian lain.
---

## Situasi

Penerjemah tidak disumpah[^sumpah] sebelum pemeriksaan, dan `[^sumpah]` dalam kode tetap kode.

## Tindakan

Penyidik memanggil penerjemah lagi[^sumpah] dan mencatat dasar hukumnya[^2].

## Rekomendasi

Sumpah dicatat sebelum pertanyaan pertama[^2].

[^sumpah]: Catatan kaki wlorpsumpah tentang kewajiban sumpah juru bahasa.
[^2]: Catatan kaki wlorpdasar tentang dasar hukum.
"""


def _page_html(client, users, page):
    client.force_login(users["admin"])
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def _assert_footnotes_linked(html, note_texts):
    """Every reference is a link to a note on the page, no marker is left literal outside
    code, each note is shown once, and every id on the page is unique."""
    without_code = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    assert "[^" not in without_code, re.findall(r".{0,80}\[\^.{0,40}", without_code)
    notes = re.findall(r'<li id="(fn:[\w-]+)">', html)
    targets = re.findall(r'<a class="footnote-ref" href="#(fn:[\w-]+)"[^>]*>\d+</a>', html)
    assert targets and set(targets) <= set(notes), (targets, notes)
    for text in note_texts:
        assert html.count(text) == 1, text
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    return notes, targets


@pytest.mark.django_db
def test_a_footnote_defined_in_another_section_is_linked(client, users, tmp_path):
    from lessons.markdown.importing import import_path

    path = tmp_path / "catatan-lintas-bagian.md"
    path.write_text(CROSS_SECTION, encoding="utf-8")
    result = import_path(path, publish=True)
    assert result.ok, result.problems
    page = result.page.specific
    assert "[^sumpah]" in page.situation and "[^sumpah]:" in page.recommendation  # split as described above
    html = _page_html(client, users, page)
    notes, targets = _assert_footnotes_linked(html, ["wlorpsumpah", "wlorpdasar"])
    assert len(notes) == 2 and len(targets) == 4 and set(targets) == set(notes)
    # The number shown is the note's number where it is listed.
    number = {note: str(i) for i, note in enumerate(notes, start=1)}
    for target, shown in re.findall(r'<a class="footnote-ref" href="#(fn:[\w-]+)"[^>]*>(\d+)</a>', html):
        assert shown == number[target]
    # Each note's back link leads to a reference on the page.
    for backref in re.findall(r'class="footnote-backref" href="#(fnref:[\w-]+)"', html):
        assert f'id="{backref}"' in html
    assert "<code>[^sumpah]</code>" in html
    # The plain text stored for the index carries no marker either.
    assert page.plain_texts and not [t for t in page.plain_texts.values() if "[^" in t]


def test_references_to_another_texts_notes_are_sanitised_and_bounded(settings):
    from lessons.markdown.rendering import PageNotes

    definer = "Akhir dokumen.\n\n[^a]: Catatan a <script>alert('LKX')</script>.\n[^b]: Catatan b."
    citer = "Rujukan[^b] lalu[^a], lagi[^a], [^tanpa-definisi] dan `[^a]`."
    notes = PageNotes([citer, definer])
    alone = render_markdown(citer)
    assert "[^b]" in alone  # without the page, nothing to link to
    html = render_markdown(citer, notes)
    assert "LKX" not in html and "Catatan" not in html  # the notes stay where they are defined
    assert_safe(html)
    scope = re.search(r'<li id="fn:(\w+)-a">', render_markdown(definer)).group(1)
    links = re.findall(r'<a class="footnote-ref" href="#fn:(\w+)-(\w+)"[^>]*>(\d+)</a>', html)
    assert links == [(scope, "b", "2"), (scope, "a", "1"), (scope, "a", "1")]
    # The notes' back links lead to the first reference of each, which alone carries the id.
    assert re.findall(r'<sup id="([^"]+)">', html) == [f"fnref:{scope}-b", f"fnref:{scope}-a"]
    assert "[^tanpa-definisi]" in html and "<code>[^a]</code>" in html
    assert render_markdown(citer) == alone  # cached apart
    # The same bounds as any text: past them, escaped plain text.
    settings.MARKDOWN_MAX_RENDERED_BYTES = 50
    assert render_markdown(citer, notes) == f"<p>{citer}</p>"


@pytest.mark.django_db
@pytest.mark.parametrize("title, note", [
    ("Berkas dikembalikan karena berita acara sumpah penerjemah tidak dilampirkan", "KUHAP mengatur hak tersangka"),
    ("Panduan penghentian penyidikan (SP3) dan tindak lanjut administratif",
     "Penghentian penyidikan dapat diuji melalui praperadilan"),
])
def test_demo_documents_link_their_footnotes(client, users, title, note):
    """Two demo documents cite, in their first section, a note defined at the end of the
    file: the lesson in its last section, the guide in its last step."""
    from wagtail.models import Page

    page = Page.objects.get(title=title).specific
    html = _page_html(client, users, page)
    _assert_footnotes_linked(html, [note])
    assert not [t for t in page.plain_texts.values() if "[^" in t]
