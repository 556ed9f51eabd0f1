"""Attachments: real PDF, DOCX and text files, their text extracted when the page is
published and found by search on the real node; uploads limited by size and by content."""
import io
import json
import logging
import random
import string
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection

from lessons.attachments import files as attachments
from lessons.models import Attachment, LessonLearned
from lessons.privacy.guard import PrivacyPublicationBlocked
from search import outbox, service
from search.models import PendingIndexUpdate
from search.params import SearchParams
from tests.attachment_files import docx_bytes, pdf_bytes

Document = get_document_model()


# --- real files ---------------------------------------------------------------------------

def word():
    """A made-up word that occurs nowhere else in the index."""
    return "lampir" + "".join(random.choices(string.ascii_lowercase, k=10))


# --- extraction (no database) ----------------------------------------------------------------

def test_each_kind_is_recognised_by_content_and_extracted():
    assert attachments.detect_kind(io.BytesIO(pdf_bytes("satu dua"))) == "pdf"
    assert attachments.extract_text(io.BytesIO(pdf_bytes("Berkas P-21 lengkap"))) == "Berkas P-21 lengkap"
    text = attachments.extract_text(io.BytesIO(docx_bytes("Paragraf pertama", cell="isi tabel")))
    assert "Paragraf pertama" in text and "isi tabel" in text
    assert attachments.extract_text(io.BytesIO("Catatan rapat".encode())) == "Catatan rapat"
    assert attachments.extract_text(io.BytesIO("Kafé Pontianak".encode("latin-1"))) == "Kafé Pontianak"
    assert attachments.detect_kind(io.BytesIO(b"\x00\x01binary\x00")) is None
    not_word = io.BytesIO()
    with zipfile.ZipFile(not_word, "w") as archive:
        archive.writestr("isi.txt", "bukan dokumen Word")
    assert attachments.detect_kind(not_word) is None


def test_broken_files_give_empty_text_and_a_log_line(caplog):
    with caplog.at_level(logging.WARNING, logger="lessons.attachments.files"):
        assert attachments.extract_text(io.BytesIO(b"%PDF-1.7 rusak di tengah"), name="rusak.pdf") == ""
        assert attachments.extract_text(io.BytesIO(b"PK\x03\x04 bukan zip"), kind="docx", name="rusak.docx") == ""
        assert attachments.extract_text(io.BytesIO(b"\x00\x00"), name="biner.bin") == ""
    logged = [r.getMessage() for r in caplog.records if r.name == "lessons.attachments.files"]
    assert [name for name in ("rusak.pdf", "rusak.docx", "biner.bin") if any(name in line for line in logged)] == [
        "rusak.pdf", "rusak.docx", "biner.bin"]


def test_extracted_text_is_bounded():
    big = ("kata " * (attachments.MAX_CHARS // 2)).encode()
    assert len(attachments.extract_text(io.BytesIO(big))) == attachments.MAX_CHARS


# --- attach, publish, search ------------------------------------------------------------------

@pytest.fixture
def make_document(db):
    created = []

    def make(name, data, title=None):
        document = Document(title=title or name, file=ContentFile(data, name=name))
        document._set_document_file_metadata()
        document.save()
        created.append(document)
        return document

    yield make
    for document in created:
        document.file.delete(save=False)


@pytest.fixture
def lesson(db):
    page = LessonLearned.objects.live().filter(author_kanwil__code="kalbar").first()
    assert page is not None, "demo content should hold a live Kalbar lesson"
    PendingIndexUpdate.objects.all().delete()  # only this test's updates reach the private index
    return page


def publish_with(page, documents, user):
    draft = page.get_latest_revision_as_object()
    draft.attachments = [Attachment(document=document) for document in documents]
    draft.save_revision(user=user).publish(user=user)
    return LessonLearned.objects.get(pk=page.pk)


def found(user, q):
    return [hit.id for hit in service.run(SearchParams(q=q), user).hits]


def test_attachment_text_is_indexed_when_the_page_is_published(fresh_alias, lesson, make_document, users):
    admin = users["admin"]
    in_pdf, in_docx, in_text, in_table = word(), word(), word(), word()
    documents = [
        make_document("notulen.pdf", pdf_bytes(f"Notulen rapat koordinasi {in_pdf}")),
        make_document("petunjuk-jpu.docx", docx_bytes(f"Petunjuk JPU {in_docx}", cell=f"tabel {in_table}")),
        make_document("catatan.txt", f"Catatan penyidik {in_text}".encode()),
    ]
    page = publish_with(lesson, documents, admin)

    stored = {a.document.file.name.rsplit(".", 1)[1]: a.extracted_text for a in page.attachments.all()}
    assert in_pdf in stored["pdf"] and in_docx in stored["docx"] and in_table in stored["docx"]
    assert in_text in stored["txt"]
    outbox.drain()
    assert outbox.pending_count() == 0
    for unique in (in_pdf, in_docx, in_table, in_text):
        assert found(admin, unique) == [page.pk], unique
    assert found(admin, word()) == []

    # Publishing again with the PDF removed takes its words out of the index.
    page = publish_with(page, documents[1:], admin)
    outbox.drain()
    assert outbox.pending_count() == 0
    assert found(admin, in_pdf) == [] and found(admin, in_docx) == [page.pk]


def test_replacing_a_documents_file_refreshes_the_index(fresh_alias, lesson, make_document, users):
    admin = users["admin"]
    old, new = word(), word()
    document = make_document("laporan.txt", f"Versi lama {old}".encode())
    page = publish_with(lesson, [document], admin)
    outbox.drain()
    assert found(admin, old) == [page.pk]

    document.file.delete(save=False)
    document.file = ContentFile(f"Versi baru {new}".encode(), name="laporan.txt")
    document._set_document_file_metadata()
    document.save()
    outbox.drain()
    assert outbox.pending_count() == 0
    assert found(admin, new) == [page.pk] and found(admin, old) == []


def test_deleting_a_document_takes_its_text_out_of_the_index(fresh_alias, lesson, make_document, users):
    admin = users["admin"]
    unique = word()
    document = make_document("lampiran.txt", f"Catatan {unique}".encode())
    page = publish_with(lesson, [document], admin)
    outbox.drain()
    assert found(admin, unique) == [page.pk]
    document.delete()
    outbox.drain()
    assert outbox.pending_count() == 0
    assert found(admin, unique) == []
    assert page.pk in found(admin, page.title)


def test_personal_data_in_an_attachment_blocks_publication(lesson, make_document, users):
    document = make_document("daftar-saksi.txt", b"Saksi: NIK 6171010101900001, tinggal di Pontianak.",
                             title="Daftar saksi")
    with pytest.raises(PrivacyPublicationBlocked) as refused:
        publish_with(lesson, [document], users["admin"])
    finding = refused.value.findings[0]
    assert finding.label == "Lampiran “Daftar saksi”" and finding.kind == "nik"
    assert "617***********01" in finding.excerpt


# --- upload limits through Wagtail's document views ---------------------------------------

@pytest.fixture
def editor_client(client, users):
    client.force_login(users["editor-kalbar"])
    return client


def upload(client, name, data):
    return client.post(reverse("wagtaildocs:add"), {
        "title": name, "file": SimpleUploadedFile(name, data),
        "collection": Collection.get_first_root_node().pk, "tags": "",
    })


def form_errors(response):
    return " ".join(str(e) for e in response.context["form"].errors.get("file", [])).replace("\xa0", " ")


def test_valid_upload_is_accepted(editor_client, db):
    response = upload(editor_client, "notulen-rapat.pdf", pdf_bytes("Notulen"))
    assert response.status_code == 302
    document = Document.objects.get(title="notulen-rapat.pdf")
    document.file.delete(save=False)


@pytest.mark.parametrize("name, data, message", [
    ("laporan.pdf", b"Ini teks biasa, bukan PDF.", "Isi berkas tidak sesuai dengan namanya"),
    ("laporan.docx", pdf_bytes("menyamar"), "isinya PDF"),
    ("laporan.txt", b"\x00\x01\x02\x03 biner", "Isi berkas tidak sesuai dengan namanya"),
    ("laporan.html", b"<p>halo</p>", "Jenis berkas “.html” tidak diterima. Unggah PDF, DOCX (Word), teks (TXT)."),
    ("laporan.pdf", b"%PDF-1.4\nrusak", "rusak, terenkripsi atau tidak dapat dibaca"),
])
def test_wrong_or_fake_files_are_rejected_with_a_message(editor_client, db, name, data, message):
    response = upload(editor_client, name, data)
    assert response.status_code == 200
    assert message in form_errors(response) and "Ekstensi" not in form_errors(response)
    assert not Document.objects.filter(title=name).exists()


def test_oversize_upload_is_rejected(editor_client, db, settings):
    response = upload(editor_client, "besar.txt", b"a" * (settings.UPLOAD_MAX_BYTES + 1))
    assert response.status_code == 200
    assert form_errors(response) == "Berkas terlalu besar (10,0 MB). Ukuran paling besar 10,0 MB."

    settings.UPLOAD_MAX_BYTES = 1024
    response = upload(editor_client, "sedang.txt", b"a" * 2048)
    assert form_errors(response) == "Berkas terlalu besar (2,0 KB). Ukuran paling besar 1,0 KB."
    assert not Document.objects.filter(title__in=["besar.txt", "sedang.txt"]).exists()


def test_multiple_upload_view_applies_the_same_rules(editor_client, db):
    response = editor_client.post(reverse("wagtaildocs:add_multiple"), {
        "files[]": SimpleUploadedFile("palsu.pdf", b"bukan pdf"),
        "collection": Collection.get_first_root_node().pk,
    })
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert answer["success"] is False and "Isi berkas tidak sesuai" in answer["error_message"]


def test_attachment_of_a_restricted_page_is_not_served_to_other_kanwil(client, lesson, make_document, users):
    from wagtail.models import PageViewRestriction

    document = make_document("rahasia.txt", b"Catatan internal Kalbar.")
    publish_with(lesson, [document], users["admin"])
    loose = make_document("umum.txt", b"Tidak terlampir di mana pun.")
    url = reverse("wagtaildocs_serve", args=[document.id, document.filename])

    client.force_login(users["staf-sumsel"])
    assert client.get(url).status_code == 200  # the page is readable by everyone so far
    restriction = PageViewRestriction.objects.create(page=lesson, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(*users["staf-kalbar"].groups.all())
    assert client.get(url).status_code == 404
    # A file on no live page is nobody's reading (see test_access_matrix for the full rule).
    assert client.get(reverse("wagtaildocs_serve", args=[loose.id, loose.filename])).status_code == 404
    client.force_login(users["staf-kalbar"])
    assert client.get(url).status_code == 200


def test_document_page_queries_do_not_grow_with_attachments_or_terms(client, lesson, make_document, users):
    """Each attachment's file, and the stage and obstacle chips shown twice in the template
    and again for related documents, are read in one query per relation, whatever their number."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lessons.models import Obstacle, Stage

    def served(page):
        client.force_login(users["staf-sumsel"])
        client.get(page.url)  # warm: session and caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.url)
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    one = publish_with(lesson, [make_document("satu.txt", b"Lampiran pertama.", title="Lampiran Satu")], users["admin"])
    few_html, few = served(one)
    draft = one.get_latest_revision_as_object()
    draft.stages = list(Stage.objects.all()[:4])
    draft.obstacles = list(Obstacle.objects.all()[:4])
    draft.save_revision(user=users["admin"]).publish(user=users["admin"])
    titles = ["Lampiran Satu", "Lampiran Dua", "Lampiran Tiga", "Lampiran Empat"]
    many_page = publish_with(lesson, [make_document(f"{n}.txt", f"Isi {n}.".encode(), title=title)
                                      for n, title in enumerate(titles)], users["admin"])
    many_html, many = served(many_page)
    assert "Lampiran Satu" in few_html and all(title in many_html for title in titles)
    assert all(f"?stage={stage.code}" in many_html for stage in many_page.stages.all())
    assert many == few


def test_a_preview_shows_the_drafts_stages_and_attachments(client, lesson, make_document, users):
    """The page prefetches its relations when served; a preview's draft keeps its own."""
    from lessons.models import Stage

    published = publish_with(lesson, [make_document("lama.txt", b"Lama.", title="Lampiran Lama")], users["admin"])
    old_stage, new_stage = Stage.objects.all()[:2]
    draft = published.get_latest_revision_as_object()
    draft.stages = [old_stage]
    draft.save_revision(user=users["admin"]).publish(user=users["admin"])
    draft = LessonLearned.objects.get(pk=lesson.pk).get_latest_revision_as_object()
    draft.stages = [new_stage]
    draft.attachments = [Attachment(document=make_document("baru.txt", b"Baru.", title="Lampiran Baru"))]
    from django.test import RequestFactory

    client.force_login(users["admin"])  # the preview request is served with the editor's session cookie
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    editor_request = RequestFactory().get("/admin/", HTTP_COOKIE=cookie)
    editor_request.user = users["admin"]
    response = draft.make_preview_request(original_request=editor_request)
    assert response.status_code == 200
    html = response.render().content.decode() if hasattr(response, "render") else response.content.decode()
    assert f"?stage={new_stage.code}" in html and f"?stage={old_stage.code}" not in html
    assert "Lampiran Baru" in html and "Lampiran Lama" not in html
