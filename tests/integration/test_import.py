"""Importing Markdown files: the command, the admin upload form, and the path of an imported
draft through review into search. Real database, real Elasticsearch."""
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import Page

from lessons.models import LessonLearned, ProceduralGuide, StudiTiruReport
from search import outbox, service
from search.params import SearchParams

pytestmark = pytest.mark.django_db

LESSON = """---
type: pelajaran
title: {title}
kanwil: {kanwil}
date: 2024-10-01
stages: [p-19, p-21]
obstacles: [bahasa-penerjemah]
provisions: [pasal-122]
summary: Berkas kembali karena juru bahasa belum disumpah.
p19_returns: 1
validation: tervalidasi
---

## Situasi

Jaksa mengembalikan berkas karena berita acara sumpah juru bahasa tidak ada.

## Tindakan

{action}

## Hasil

Berkas lengkap setelah dikirim ulang.
"""


def lesson(title="Pelajaran uji impor juru bahasa", kanwil="kalbar", action="Juru bahasa disumpah ulang."):
    return LESSON.format(title=title, kanwil=kanwil, action=action)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def run_import(*args):
    """Runs the command; returns (output, failed?)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("import_markdown", *map(str, args), stdout=out, stderr=StringIO())
    except CommandError:
        return out.getvalue(), True
    return out.getvalue(), False


def imported(slug):
    return LessonLearned.objects.filter(slug=slug).first()


# --- the command ---------------------------------------------------------------------

def test_command_creates_a_draft_by_default(tmp_path):
    path = write(tmp_path, "pelajaran-uji-draf.md", lesson())
    output, failed = run_import(path)
    assert not failed
    assert "[1/1] pelajaran-uji-draf.md: ok (baru)" in output
    page = imported("pelajaran-uji-draf")
    assert page is not None and not page.live and page.has_unpublished_changes
    assert page.get_parent().specific.kanwil.code == "kalbar"
    draft = page.get_latest_revision_as_object()
    assert draft.title == "Pelajaran uji impor juru bahasa"
    assert "juru bahasa" in draft.situation and draft.p19_returns == 1
    assert sorted(draft.stages.values_list("code", flat=True)) == ["p-19", "p-21"]


def planned_page_rows():
    """The number of page rows the query planner's statistics know of."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'wagtailcore_page' AND stat != ''")
            row = cursor.fetchone()
            return int(row[0].split()[0]) if row else None
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'wagtailcore_page'")
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize("command,files", [("import_markdown", 3), ("import_archive", 5)])
def test_an_import_renews_the_planners_statistics(tmp_path, command, files):
    """Without statistics SQLite sorted every readable document for the home page's newest
    eight (lessons.planner_statistics): an import, which grows the tables, renews them.
    (A different number of files per command: PostgreSQL keeps the statistics of a
    rolled-back test's ANALYZE.)"""
    for number in range(files):
        write(tmp_path, f"pelajaran-statistik-{number}.md", lesson(title=f"Pelajaran statistik {number}"))
    before = Page.objects.count()
    assert planned_page_rows() != before + files
    call_command(command, str(tmp_path), stdout=StringIO(), stderr=StringIO())
    assert Page.objects.count() == before + files
    assert planned_page_rows() == before + files


def test_command_publish_makes_it_live(tmp_path):
    path = write(tmp_path, "pelajaran-uji-terbit.md", lesson())
    output, failed = run_import(path, "--publish", "--user", "reviewer-kalbar")
    assert not failed and "ok (baru)" in output and "diterbitkan" in output
    page = imported("pelajaran-uji-terbit")
    assert page.live and not page.has_unpublished_changes
    assert page.situation.startswith("Jaksa mengembalikan")
    assert page.latest_revision.user.username == "reviewer-kalbar"


def test_command_acting_as_a_user_keeps_to_their_permissions(tmp_path):
    path = write(tmp_path, "pelajaran-uji-hak.md", lesson())
    output, failed = run_import(path, "--publish", "--user", "editor-kalbar")  # editors do not publish
    assert failed and "Anda tidak berhak menerbitkan dokumen di Kanwil Kalbar" in output
    output, failed = run_import(write(tmp_path, "pelajaran-uji-hak2.md", lesson(kanwil="sumsel")), "--user", "editor-kalbar")
    assert failed and "Anda tidak berhak menambah dokumen untuk Kanwil Sumsel" in output
    assert imported("pelajaran-uji-hak") is None and imported("pelajaran-uji-hak2") is None
    output, failed = run_import(path, "--user", "editor-kalbar")
    assert not failed and imported("pelajaran-uji-hak").latest_revision.user.username == "editor-kalbar"
    _, failed = run_import(path, "--user", "tidak-ada")
    assert failed


def test_reimport_updates_the_same_page_and_identical_reimport_is_a_no_op(tmp_path):
    path = write(tmp_path, "pelajaran-uji-ulang.md", lesson())
    run_import(path)
    page = imported("pelajaran-uji-ulang")
    revisions = page.revisions.count()

    output, failed = run_import(path)
    assert not failed and "ok (tidak berubah)" in output
    assert page.revisions.count() == revisions

    path.write_text(lesson(action="Juru bahasa baru didatangkan dari Jakarta."))
    output, _ = run_import(path)
    assert "ok (diperbarui)" in output
    assert LessonLearned.objects.filter(slug="pelajaran-uji-ulang").count() == 1
    page = imported("pelajaran-uji-ulang")
    assert page.revisions.count() == revisions + 1
    assert "Jakarta" in page.get_latest_revision_as_object().action_taken


def test_removed_section_is_emptied_on_reimport(tmp_path):
    path = write(tmp_path, "pelajaran-uji-bagian.md", lesson())
    run_import(path, "--publish")
    path.write_text(lesson().split("## Hasil")[0])
    run_import(path, "--publish")
    assert imported("pelajaran-uji-bagian").result == ""


def test_folder_import_reports_each_file_and_fails_when_one_fails(tmp_path):
    write(tmp_path, "a-baik.md", lesson(title="Satu"))
    write(tmp_path, "b-rusak.md", lesson(title="Dua").replace("p-19, p-21", "p-19, p-99"))
    (tmp_path / "catatan.pdf").write_bytes(b"%PDF")  # not Markdown: not picked up
    output, failed = run_import(tmp_path)
    assert failed
    assert "[1/2] a-baik.md: ok (baru)" in output
    assert "[2/2] b-rusak.md: GAGAL: baris 6, kolom 'stages': kode tidak dikenal 'p-99'" in output
    assert "1 baru" in output and "1 gagal" in output


BROKEN = {
    "unknown stage": (lesson().replace("p-19, p-21", "p-19, p-99"), "stages", 6, "p-99"),
    "bad date": (lesson().replace("2024-10-01", "2024-13-45"), "date", 5, "2024-13-45"),
    "missing title": (lesson().replace("title: Pelajaran uji impor juru bahasa\n", ""), "title", None, "judul wajib"),
    "latin-1": (lesson(action="Penerjemah dari São Paulo.").encode("latin-1"), "", 20, "UTF-8"),
    "unknown kanwil": (lesson(kanwil="atlantis"), "kanwil", 4, "atlantis"),
    "title too long": (lesson(title="Panjang " * 40), "title", None, "paling banyak 255"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_file_is_rejected_with_its_reason_and_leaves_nothing(tmp_path, case):
    text, field, line, words = BROKEN[case]
    path = write(tmp_path, "pelajaran-uji-rusak.md", text)
    pages_before = Page.objects.count()
    output, failed = run_import(path, "--publish")
    assert failed
    assert "pelajaran-uji-rusak.md: GAGAL:" in output and words in output
    if field:
        assert f"kolom '{field}'" in output
    if line:
        assert f"baris {line}" in output
    assert Page.objects.count() == pages_before
    assert imported("pelajaran-uji-rusak") is None


def test_oversized_file_is_rejected_without_being_read_whole(tmp_path, settings):
    settings.MARKDOWN_MAX_BYTES = 2000
    path = write(tmp_path, "pelajaran-uji-besar.md", lesson(action="kata " * 2000))
    pages_before = Page.objects.count()
    output, failed = run_import(path)
    assert failed and "batasnya 2,000 bita" in output
    assert Page.objects.count() == pages_before


def test_guide_and_visit_report_types(tmp_path):
    guide = write(tmp_path, "panduan-uji.md", "---\ntype: panduan\ntitle: Panduan uji\nkanwil: sumsel\n"
                  "version: '2'\n---\n\n## Langkah\n\n### Siapkan berkas\n\n- [ ] Daftar isi\n- [ ] Sampul\n")
    visit = write(tmp_path, "studi-tiru-uji.md", "---\ntype: studi-tiru\ntitle: Studi tiru uji\nkanwil: sumsel\n"
                  "host_kanwil: kalbar\nteam: [Ahmad (Ketua)]\n---\n\n## Tujuan\n\nBelajar.\n")
    output, failed = run_import(guide, visit, "--publish")
    assert not failed, output
    steps = ProceduralGuide.objects.get(slug="panduan-uji").steps
    assert steps[0].value["title"] == "Siapkan berkas" and list(steps[0].value["checklist"]) == ["Daftar isi", "Sampul"]
    report = StudiTiruReport.objects.get(slug="studi-tiru-uji")
    assert report.host_kanwil.code == "kalbar" and report.purpose == "Belajar."
    assert report.team[0].value["name"] == "Ahmad" and report.team[0].value["role"] == "Ketua"


# --- the admin upload form -------------------------------------------------------------

def upload(client, *files):
    return client.post(reverse("lessons_import_markdown"), {"files": list(files)})


def md_file(name, text):
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/markdown")


def test_menu_item_and_form_are_for_editors_only(client, users):
    client.force_login(users["editor-kalbar"])
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("lessons_import_markdown") in home and "Impor Markdown" in home
    response = client.get(reverse("lessons_import_markdown"))
    assert response.status_code == 200 and 'type="file"' in response.content.decode()

    client.force_login(users["staf-kalbar"])  # staff may not even enter the admin
    assert client.get(reverse("lessons_import_markdown")).status_code in (302, 403)


def test_upload_creates_a_draft_in_the_editors_kanwil(client, users):
    client.force_login(users["editor-kalbar"])
    response = upload(client, md_file("pelajaran-uji-unggah.md", lesson()))
    assert response.status_code == 200
    page = imported("pelajaran-uji-unggah")
    assert page is not None and not page.live
    assert page.get_parent().specific.kanwil.code == "kalbar"
    assert page.owner == users["editor-kalbar"]
    html = response.content.decode()
    assert 'class="import-ok"' in html and reverse("wagtailadmin_pages:edit", args=[page.id]) in html


def test_upload_for_another_kanwil_is_refused_per_file(client, users):
    client.force_login(users["editor-kalbar"])
    pages_before = Page.objects.count()
    response = upload(client, md_file("pelajaran-uji-sumsel.md", lesson(kanwil="sumsel")),
                      md_file("pelajaran-uji-kalbar.md", lesson()))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Anda tidak berhak menambah dokumen untuk Kanwil Sumsel" in html
    assert imported("pelajaran-uji-sumsel") is None
    assert imported("pelajaran-uji-kalbar") is not None  # the other file still went in
    assert Page.objects.count() == pages_before + 1


def test_upload_reports_every_broken_file_and_keeps_nothing(client, users, settings):
    settings.MARKDOWN_MAX_BYTES = 3000
    client.force_login(users["editor-kalbar"])
    pages_before = Page.objects.count()
    response = upload(
        client,
        md_file("rusak-tahap.md", lesson().replace("p-19, p-21", "p-19, p-99")),
        md_file("rusak-tanggal.md", lesson().replace("2024-10-01", "2024-13-45")),
        md_file("rusak-judul.md", lesson().replace("title: Pelajaran uji impor juru bahasa\n", "")),
        md_file("rusak-latin.md", lesson(action="São Paulo").encode("latin-1")),
        md_file("rusak-besar.md", lesson(action="kata " * 1000)),
        md_file("bukan-markdown.exe", b"MZ"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="import-failed"') == 6 and 'class="import-ok"' not in html
    for words in ("p-99", "2024-13-45", "judul wajib diisi", "UTF-8", "batasnya", "bukan berkas Markdown"):
        assert words in html, words
    assert "<code>stages</code>" in html and "<code>date</code>" in html and "baris 5" in html
    assert Page.objects.count() == pages_before


def test_upload_without_files_is_a_form_error(client, users):
    client.force_login(users["editor-kalbar"])
    response = client.post(reverse("lessons_import_markdown"), {})
    assert response.status_code == 200
    assert "Pilih setidaknya satu berkas Markdown" in response.content.decode()


# --- from file to search ---------------------------------------------------------------

def test_imported_file_is_searchable_after_approval_and_publication(client, users, fresh_alias):
    marker = "Zebrakuda"  # a word no demo document contains
    client.force_login(users["editor-kalbar"])
    upload(client, md_file("pelajaran-uji-cari.md", lesson(title=f"Pelajaran {marker} juru bahasa")))
    page = imported("pelajaran-uji-cari")
    assert page is not None and not page.live

    # The editor submits the draft to the Kanwil's workflow.
    workflow = page.get_workflow()
    assert workflow.name == "Review Kalbar"
    workflow.start(page, users["editor-kalbar"])
    outbox.drain()
    reader = users["staf-sumsel"]
    assert service.run(SearchParams(q=marker), reader).total == 0  # not yet published

    # The Kalbar reviewer approves through Wagtail's workflow action view.
    task_state = page.current_workflow_task_state
    client.force_login(users["reviewer-kalbar"])
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.id, "approve", task_state.id])
    response = client.post(url, {"comment": "Sudah diperiksa."})
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live

    outbox.drain()
    outcome = service.run(SearchParams(q=marker), reader)
    assert not outcome.unavailable
    assert [(hit.id, hit.title) for hit in outcome.hits] == [(page.id, f"Pelajaran {marker} juru bahasa")]
