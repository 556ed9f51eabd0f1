"""The pure Markdown parser: front matter -> fields, body sections -> fields, guide steps,
and every problem reported with the field and line it concerns."""
import datetime

import pytest

from lessons.markdown.parsing import check_references, parse_document, slugify_filename
from lessons.markdown.sections import heading_text

LIMIT = 100_000
KNOWN = {
    "kanwil": {"kalbar", "sumsel"},
    "stages": {"p-19", "p-21", "tahap-1"},
    "obstacles": {"bahasa-penerjemah"},
    "provisions": {"pasal-122"},
}


def md(front, body="Teks dokumen.\n"):
    return f"---\n{front.strip()}\n---\n\n{body}".encode()


def parse(front, body="Teks dokumen.\n", name="contoh-dokumen.md"):
    return parse_document(name, md(front, body), LIMIT)


def only_problem(problems):
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


STUDI_TIRU = """
type: studi-tiru
title: Studi tiru Sumsel ke Kalbar
kanwil: Sumsel
host_kanwil: kalbar
date: 2024-09-02
date_end: 2024-09-05
stages: [tahap-1, P-21]
obstacles: bahasa-penerjemah
provisions:
  - pasal-122
summary: Ringkasan kunjungan.
team:
  - Ahmad (Kepala Bidang)
  - Siti
follow_up:
  - {action: "Menyusun daftar periksa", owner: "Bidang Inteldakim", status: selesai}
"""

STUDI_TIRU_BODY = """Pengantar tanpa judul.

## Tujuan

Melihat cara Kalbar menyiapkan berkas.

## Pembahasan

Isi pembahasan tetap di badan dokumen.

```
## bukan judul: di dalam blok kode
```

## Temuan

Temuan pertama.

## Rekomendasi

Rekomendasi pertama.
"""


def test_visit_report_front_matter_and_sections():
    doc, problems = parse(STUDI_TIRU, STUDI_TIRU_BODY, name="Studi Tiru Sumsel.md")
    assert problems == []
    assert (doc.type, doc.title, doc.kanwil, doc.host_kanwil) == ("studi-tiru", "Studi tiru Sumsel ke Kalbar", "sumsel", "kalbar")
    assert doc.slug == "studi-tiru-sumsel"  # from the file name when the front matter has none
    assert (doc.date, doc.date_end) == (datetime.date(2024, 9, 2), datetime.date(2024, 9, 5))
    assert doc.stages == ["tahap-1", "p-21"]  # codes are lower-cased
    assert doc.obstacles == ["bahasa-penerjemah"]  # a single string is a one-item list
    assert doc.provisions == ["pasal-122"]
    assert doc.team == ["Ahmad (Kepala Bidang)", "Siti"]
    assert doc.follow_up == [{"action": "Menyusun daftar periksa", "owner": "Bidang Inteldakim", "status": "selesai"}]
    assert doc.sections == {
        "purpose": "Melihat cara Kalbar menyiapkan berkas.",
        "findings": "Temuan pertama.",
        "recommendations": "Rekomendasi pertama.",
    }
    assert doc.body.startswith("Pengantar tanpa judul.")
    assert "## Pembahasan" in doc.body and "Isi pembahasan" in doc.body
    assert "## bukan judul: di dalam blok kode" in doc.body  # fenced code is never split
    assert "Temuan pertama" not in doc.body


def test_lesson_sections_and_outcome_fields():
    front = """
type: pelajaran
title: Berkas kembali karena sumpah penerjemah
kanwil: kalbar
stages: [p-19]
p19_returns: 2
days_spdp_to_p21: 64
validation: tervalidasi
"""
    body = "## Situasi\n\nSituasi.\n\n## Tindakan\n\nTindakan.\n\n## Hasil\n\nHasil.\n\n## Rekomendasi\n\nSaran.\n\n## Catatan\n\nLain.\n"
    doc, problems = parse(front, body)
    assert problems == []
    assert doc.sections == {"situation": "Situasi.", "action_taken": "Tindakan.", "result": "Hasil.",
                            "recommendation": "Saran."}
    assert doc.body == "## Catatan\n\nLain."
    assert (doc.p19_returns, doc.days_spdp_to_p21, doc.validation) == (2, 64, "tervalidasi")


def test_guide_steps_with_checklists():
    front = """
type: panduan
title: Panduan SPDP
kanwil: kalbar
version: "1.1"
effective_date: 2024-07-15
"""
    body = """## Dasar Hukum

- UU No. 6 Tahun 2011

## Langkah

### 1. Pastikan dasar penyidikan

SPDP dikirim setelah surat perintah terbit.

- [ ] Laporan kejadian bernomor
- [x] Surat perintah ditandatangani

### 2. Kirim melalui Korwas

- [ ] Tanda terima disimpan

## Templat

Isi templat.
"""
    doc, problems = parse(front, body)
    assert problems == []
    assert doc.version == "1.1" and doc.effective_date == datetime.date(2024, 7, 15)
    assert doc.sections == {"legal_basis": "- UU No. 6 Tahun 2011"}
    assert [s.title for s in doc.steps] == ["Pastikan dasar penyidikan", "Kirim melalui Korwas"]
    assert doc.steps[0].description == "SPDP dikirim setelah surat perintah terbit."
    assert doc.steps[0].checklist == ["Laporan kejadian bernomor", "Surat perintah ditandatangani"]
    assert doc.steps[1].checklist == ["Tanda terima disimpan"]
    assert doc.body == "## Templat\n\nIsi templat."


def test_crlf_and_byte_order_mark_are_accepted():
    raw = "\ufeff---\r\ntype: pelajaran\r\ntitle: Judul\r\nkanwil: kalbar\r\n---\r\n\r\nTeks.\r\n".encode()
    doc, problems = parse_document("a.md", raw, LIMIT)
    assert problems == [] and doc.title == "Judul" and doc.body == "Teks."


def test_slugify_filename():
    assert slugify_filename("folder/Studi Tiru_Kalbar (2024).MD") == "studi-tiru-kalbar-2024"


BASE = "type: pelajaran\ntitle: Judul\nkanwil: kalbar\n"


@pytest.mark.parametrize("extra, field, line, words", [
    ("date: 2024-13-45", "date", 5, "2024-13-45"),
    ("date: 2024-02-30", "date", 5, "2024-02-30"),
    ("date: 02/09/2024", "date", 5, "TTTT-BB-HH"),
    ("effective_date: besok", "effective_date", 5, "besok"),
    ("p19_returns: dua", "p19_returns", 5, "dua"),
    ("days_spdp_to_p21: -3", "days_spdp_to_p21", 5, "-3"),
    ("validation: sudah", "validation", 5, "tervalidasi"),
    ("slug: Bukan Slug!", "slug", 5, "Bukan Slug!".lower()),
    ("stages: {a: b}", "stages", 5, "daftar"),
    ("warna: merah", "warna", 5, "tidak dikenal"),
    ("summary: [a, b]", "summary", 5, "teks"),
    ("follow_up: [tanpa-aksi]", "follow_up", 5, "action"),
    ("follow_up:\n  - {action: x, status: entah}", "follow_up", 5, "status"),
])
def test_each_bad_value_is_reported_with_field_and_line(extra, field, line, words):
    doc, problems = parse(BASE + extra)
    problem = only_problem(problems)
    assert doc is None
    assert (problem.field, problem.line) == (field, line)
    assert words in problem.message
    assert f"baris {line}" in str(problem) and f"'{field}'" in str(problem)


def test_missing_title_type_and_kanwil_are_each_reported():
    doc, problems = parse("date: 2024-09-02")
    assert doc is None
    assert {p.field for p in problems} == {"type", "title", "kanwil"}
    assert any("judul wajib diisi" in p.message for p in problems)


def test_empty_title_names_its_line():
    problem = only_problem(parse("type: pelajaran\ntitle: '  '\nkanwil: kalbar")[1])
    assert (problem.field, problem.line, problem.message) == ("title", 3, "judul wajib diisi")


def test_end_date_before_start():
    problem = only_problem(parse(BASE + "date: 2024-09-05\ndate_end: 2024-09-02")[1])
    assert (problem.field, problem.line) == ("date_end", 6)


def test_all_problems_of_a_file_are_collected():
    doc, problems = parse("type: laporan\ntitle: Judul\nkanwil: kalbar\ndate: 2024-13-45\np19_returns: x")
    assert doc is None
    assert [(p.field, p.line) for p in problems] == [("type", 2), ("date", 5), ("p19_returns", 6)]


def test_partial_parse_returns_what_could_be_read():
    doc, problems = parse_document("a.md", md(BASE + "date: 2024-13-45\nstages: [p-99]"), LIMIT, partial=True)
    assert [p.field for p in problems] == ["date"]
    assert doc is not None and doc.stages == ["p-99"]


def test_not_utf8_names_the_line():
    raw = md(BASE + "summary: caf\u00e9", "").replace("café".encode(), "café".encode("latin-1"))
    doc, problems = parse_document("latin.md", raw, LIMIT)
    problem = only_problem(problems)
    assert doc is None and problem.line == 5 and "UTF-8" in problem.message


def test_oversized_file_is_rejected_before_parsing():
    raw = md(BASE, "x" * 200)
    doc, problems = parse_document("besar.md", raw, 100)
    assert doc is None and "batasnya 100 bita" in only_problem(problems).message


@pytest.mark.parametrize("raw, line, words", [
    (b"Tanpa front matter\n", 1, "front matter tidak ada"),
    (b"---\ntype: pelajaran\n", 1, "front matter tidak ada"),  # never closed
    (b"---\ntitle: [tidak ditutup\nkanwil: kalbar\n---\nTeks\n", 3, "YAML"),
    (b"---\n- satu\n- dua\n---\nTeks\n", 2, "kunci: nilai"),
    (b"---\ntitle: *tidak_ada\n---\nTeks\n", 2, "YAML"),
])
def test_unreadable_front_matter(raw, line, words):
    doc, problems = parse_document("a.md", raw, LIMIT)
    problem = only_problem(problems)
    assert doc is None and problem.line == line and words in problem.message


def test_empty_body_is_a_problem():
    problem = only_problem(parse(BASE, body="")[1])
    assert "tidak berisi teks" in problem.message


def test_unknown_codes_name_the_field_and_the_line_of_the_item():
    front = BASE + "host_kanwil: atlantis\nstages:\n  - p-21\n  - p-99\nobstacles: [hujan]\nrestricted_to: [kalbar, mars]"
    doc, problems = parse(front)
    assert problems == []
    found = check_references(doc, KNOWN)
    assert [(p.field, p.line) for p in found] == [("stages", 8), ("obstacles", 9), ("host_kanwil", 5), ("restricted_to", 10)]
    assert "'p-99'" in found[0].message and "'atlantis'" in found[2].message


def test_known_codes_pass():
    doc, _ = parse(STUDI_TIRU, STUDI_TIRU_BODY)
    assert check_references(doc, KNOWN) == []


def test_step_numbers_written_by_the_editor_are_dropped_because_the_page_numbers_steps():
    from lessons.markdown.sections import split_steps

    steps = split_steps("### 1. Kirim SPDP\nTeks.\n- [ ] Cap\n### Langkah 2: Tunggu\n### 2024 dalam angka\n")
    assert [s.title for s in steps] == ["Kirim SPDP", "Tunggu", "2024 dalam angka"]
    assert steps[0].checklist == ["Cap"]


@pytest.mark.parametrize("line, level, expected", [
    ("## Temuan", 2, "Temuan"), ("## Temuan ##", 2, "Temuan"), ("##\tTemuan  #  ", 2, "Temuan"),
    ("## ###", 2, "#"), ("### Langkah 1", 3, "Langkah 1"),
    ("### Temuan", 2, None), ("##Temuan", 2, None), ("## ", 2, None), ("Temuan ##", 2, None),
])
def test_heading_text(line, level, expected):
    assert heading_text(line, level) == expected
