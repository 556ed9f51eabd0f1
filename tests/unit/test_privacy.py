"""Personal-data detectors: what must be caught, and what case write-ups legitimately
contain that must not be."""
import pytest

from lessons.privacy import detectors as privacy


def kinds(text):
    return [(m.kind, m.value) for m in privacy.scan(text)]


@pytest.mark.parametrize("text, kind, value", [
    ("Tersangka memegang paspor A1234567 yang masih berlaku.", privacy.PASSPORT, "A1234567"),
    ("dengan paspor B 1234567 atas nama lain", privacy.PASSPORT, "B 1234567"),
    ("Paspor RI nomor XN1234567 ditahan penyidik.", privacy.PASSPORT, "XN1234567"),
    ("paspor kedua (C-7654321) berbeda datanya", privacy.PASSPORT, "C-7654321"),
    ("passport no. E12345678 issued in 2019", privacy.PASSPORT, "E12345678"),
    ("nomor paspor: 123456789", privacy.PASSPORT, "123456789"),
    ("NIK 6171010101900001 tercantum di KTP", privacy.NIK, "6171010101900001"),
    ("NIK: 6171 0141 0190 0002", privacy.NIK, "6171 0141 0190 0002"),
    ("NIK 61.71.01.010190.0001", privacy.NIK, "61.71.01.010190.0001"),
    ("Penjamin dapat dihubungi di +62 812-3456-7890.", privacy.PHONE, "+62 812-3456-7890"),
    ("HP 0812 3456 7890 (WhatsApp)", privacy.PHONE, "0812 3456 7890"),
    ("telepon 6281234567890", privacy.PHONE, "6281234567890"),
    ("kantor +62 561 734567", privacy.PHONE, "+62 561 734567"),
    ("surel budi.santoso@contoh.co.id untuk konfirmasi", privacy.EMAIL, "budi.santoso@contoh.co.id"),
])
def test_personal_data_is_found(text, kind, value):
    assert (kind, value) in kinds(text)


@pytest.mark.parametrize("text", [
    "Surat nomor B-123/SPDP/2024 dikirim melalui Korwas pada 12-08-2024.",
    "Tersangka dijerat Pasal 122 huruf a UU No. 6 Tahun 2011.",
    "Denda Rp 21.000.000 dan biaya tiket RP 1500000 dibebankan ke penjamin.",
    "Berkas dinyatakan P-21 setelah dua kali P19 (P 19) pada tahun 2024.",
    "Rekap 2021 2022 2023 2024: jumlah perkara meningkat.",
    "NIP 198503122010011002 dan NIP 1985 0312 2010 0110 02 milik penyidik.",
    "Nomor agenda W16.IMI.IMI.4-GR.01.01-1234567 dicatat.",
    "Paspor Tiongkok dan paspor Vietnam ditemukan di kapal.",
    "Dari SPDP ke P-21 memakan 45 hari; KM 1234567 bukan paspor.",
    "Perpres 21 Tahun 2016, Permenkumham 113/2019, tanggal 2024-08-12.",
    "Jam 08.30 WIB, ruang 0812, 18 WNA, 2 KITAS.",
])
def test_ordinary_case_text_is_not_flagged(text):
    assert kinds(text) == []


def test_invalid_nik_shapes_are_ignored():
    assert kinds("1234567890123456") == []  # no such province code
    assert kinds("6171011399900001") == []  # day 13, month 99


def test_mask_keeps_only_the_ends():
    assert privacy.mask("A1234567") == "A12***67"
    assert privacy.mask("6171 0101 0190 0001") == "617* **** **** **01"
    assert "santoso" not in privacy.mask("budi.santoso@contoh.co.id")


def test_excerpt_shows_context_and_masks_every_match_in_view():
    text = "Saksi memberi nomor 0812 3456 7890 dan paspor A1234567 kepada penyidik di Pontianak."
    matches = privacy.scan(text)
    assert [m.kind for m in matches] == [privacy.PHONE, privacy.PASSPORT]
    line = privacy.excerpt(text, matches[1], matches, width=30)
    assert "A12***67" in line and "081* **** **90" in line
    assert "1234567" not in line and "3456" not in line
    assert line.startswith("…")


def test_overlapping_hits_are_reported_once():
    assert kinds("paspor A1234567") == [(privacy.PASSPORT, "A1234567")]


def test_empty_text():
    assert privacy.scan("") == [] and privacy.scan(None) == []
