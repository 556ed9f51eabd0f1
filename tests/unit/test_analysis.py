"""Unit tests for search/analysis.py: no server, no database, no Django settings.

Run alone with:  python -m pytest tests/unit/test_analysis.py -p no:django -q
"""

import re

import pytest

from search import analysis
from search.analysis import (
    Glossary,
    analyse,
    load_data,
    normalise_codes,
    stage_codes_in,
    stem,
    tokens,
)

# --- stemming: morphological families of the immigration vocabulary -----------------
# Each family must collapse to exactly one token (the expected stem when given).
# Several of these failed with plain PySastrawi 1.2.1 (marked "fixed"), see the
# exceptions in search/analysis_data.yaml.
FAMILIES = [
    ("sidik", ["penyidikan", "penyidik", "disidik", "menyidik", "penyidikannya", "penyidiknya"]),  # fixed
    ("selidik", ["penyelidikan", "penyelidik", "menyelidiki", "diselidiki", "penyelidikannya"]),  # fixed
    ("berkas", ["pemberkasan", "berkas", "diberkaskan", "berkaskan", "memberkaskan", "berkasnya"]),  # fixed
    ("tahan", ["penahanan", "ditahan", "tahanan", "menahan", "penahanannya"]),
    ("terjemah", ["penerjemah", "diterjemahkan", "terjemahan", "penerjemahan", "menerjemahkan"]),
    ("periksa", ["pemeriksaan", "diperiksa", "memeriksa", "pemeriksa", "pemeriksaannya"]),
    ("deportasi", ["deportasi", "dideportasi", "mendeportasi", "pendeportasian", "terdeportasi"]),
    ("tuntut", ["penuntutan", "dituntut", "penuntut", "menuntut", "tuntutan"]),
    ("sidang", ["persidangan", "sidang", "disidangkan", "menyidangkan"]),
    ("awas", ["pengawasan", "diawasi", "mengawasi", "pengawas"]),
    ("imigrasi", ["keimigrasian", "imigrasi", "keimigrasiannya"]),
    ("warga negara", ["kewarganegaraan", "berkewarganegaraan", "warganegara"]),  # fixed
    ("salah guna", ["penyalahgunaan", "menyalahgunakan", "disalahgunakan"]),  # fixed
    ("beritahu", ["pemberitahuan", "memberitahukan", "diberitahukan", "pemberitahuannya"]),  # fixed
    ("tegak", ["penegakan", "penegak", "ditegakkan"]),  # fixed
    ("mulai", ["dimulai", "dimulainya", "memulai"]),  # fixed
    ("serah terima", ["serahterima", "diserahterimakan"]),  # fixed
    ("jamin", ["penjamin", "jaminan", "menjamin"]),
    ("batas", ["perbatasan", "batas"]),
    ("saksi", ["saksi", "kesaksian", "menyaksikan", "saksinya"]),
    ("ahli", ["ahli", "keahlian", "ahlinya"]),
    ("langgar", ["pelanggaran", "melanggar", "dilanggar", "pelanggar"]),
    ("sangka", ["tersangka", "disangka", "tersangkanya"]),
    ("dakwa", ["terdakwa", "dakwaan", "didakwa", "mendakwa"]),
    ("putus", ["putusan", "memutus", "diputus"]),
    ("sita", ["penyitaan", "disita", "menyita"]),
    ("tangkap", ["penangkapan", "ditangkap", "menangkap", "tertangkap"]),
    ("tangkal", ["penangkalan", "penangkal"]),
    ("geledah", ["penggeledahan", "digeledah"]),
    ("lengkap", ["lengkap", "kelengkapan", "melengkapi", "dilengkapi"]),
    ("kembali", ["dikembalikan", "pengembalian", "kembali"]),
    ("henti", ["penghentian", "dihentikan"]),
    ("pulang", ["pemulangan", "dipulangkan"]),
    ("bukti", ["pembuktian", "dibuktikan", "membuktikan", "bukti"]),
    ("kerja", ["pekerja", "bekerja", "pekerjaan", "mempekerjakan", "dipekerjakan"]),
    ("lapor", ["laporan", "melaporkan", "pelapor", "dilaporkan"]),
    ("tindak", ["penindakan", "tindakan", "ditindak"]),
    ("koordinasi", ["koordinasi", "berkoordinasi", "dikoordinasikan"]),
    ("limpah", ["pelimpahan", "dilimpahkan"]),
    ("sumpah", ["sumpah", "disumpah", "tersumpah", "penyumpahan"]),
    ("cekal", ["pencekalan", "dicekal"]),
    ("izin", ["izin", "perizinan"]),
    ("panjang", ["perpanjangan", "diperpanjang"]),
    ("berada", ["berada", "keberadaan", "keberadaannya"]),  # fixed: was "ada"
    ("deteni", ["deteni", "dideteni"]),  # fixed
    ("kawal", ["mengawal", "dikawal", "pengawalan"]),  # fixed: was "awal"
    ("kunjung", ["kunjungan", "mengunjungi", "berkunjung", "dikunjungi"]),  # fixed
    ("setuju", ["setuju", "persetujuan", "disetujui", "menyetujui"]),  # fixed: was "tuju"
    ("sepakat", ["kesepakatan", "disepakati", "menyepakati"]),  # fixed
    ("tumpuk", ["menumpuk", "tumpukan", "penumpukan"]),  # fixed
    ("alami", ["mengalami", "pengalaman", "berpengalaman"]),  # fixed: was "alam"
]


@pytest.mark.parametrize("expected, words", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_family_stems_to_one_token(expected, words):
    assert {w: stem(w) for w in words} == {w: expected for w in words}


# Words that must stay apart: merging them would return the wrong documents.
DISTINCT = [
    ("sidang", "sidik"),
    ("persidangan", "penyidikan"),
    ("tahan", "tahap"),
    ("penahanan", "tahapan"),
    ("penyidikan", "penyelidikan"),
    ("pelaku", "berlaku"),  # fixed: both were "laku"
    ("pengacara", "acara"),  # fixed: lawyer vs berita acara
    ("pemerintah", "perintah"),  # fixed: government vs surat perintah
    ("pemasyarakatan", "masyarakat"),  # fixed: corrections vs public
    ("ketentuan", "tertentu"),  # fixed
    ("penangkapan", "penangkalan"),
    ("kejari", "kejar"),  # fixed: prosecutor's office vs chase
    ("kitas", "kita"),
    ("persetujuan", "tujuan"),  # fixed: approval vs maksud dan tujuan
    ("sebelum", "belum"),  # fixed: "belum lengkap" is P-19 wording
    ("pengawalan", "awal"),  # fixed: escort vs beginning
    ("bekasi", "bekas"),  # fixed: city vs former
    ("tarakan", "tara"),  # fixed
    ("pasal", "pasar"),
    ("p21", "p19"),
    ("tahap1", "tahap2"),
]


@pytest.mark.parametrize("a, b", DISTINCT)
def test_unrelated_words_stay_apart(a, b):
    assert stem(a) != stem(b)


def test_sastrawi_is_really_used_for_ordinary_words():
    # guards against stem() silently degrading to the identity
    assert stem("perlintasan") == "lintas"
    assert stem("Pengadilan") == "adil"


PROTECTED = [
    "wna", "tka", "kitas", "kitap", "spdp", "bap", "rudenim", "timpora", "korwas",
    "kanim", "kanwil", "plbn", "tpi", "ppns", "jpu", "imipas", "kemenkumham", "sp3",
    "tak", "kuhap", "kejari", "kejati", "kejagung", "inteldakim", "pulbaket",
    "bali", "kalbar", "sumsel", "kepri", "malut", "sebatik", "temajuk", "jagoi",
    "p21", "tahap2", "pasal122",
]


@pytest.mark.parametrize("word", PROTECTED)
def test_protected_words_unchanged(word):
    assert stem(word) == word
    assert stem(word.upper()) == word


@pytest.mark.parametrize(
    "word, expected",
    [("kitasnya", "kitas"), ("rudenimnya", "rudenim"), ("spdpnya", "spdp"), ("p21nya", "p21")],
)
def test_protected_word_with_clitic_keeps_its_base(word, expected):
    assert stem(word) == expected


def test_clitic_stripping_does_not_invent_short_words():
    assert stem("tanya") == "tanya"  # not "ta" + "-nya"


@pytest.mark.parametrize("word", ["abc", "dan", "itu", "2011", "a1b2", "müller", "jum'at"])
def test_short_numeric_and_non_ascii_tokens_unchanged(word):
    assert stem(word) == word


def test_stem_is_cached():
    stem.cache_clear()
    stem("pemeriksaan")
    stem("pemeriksaan")
    info = stem.cache_info()
    assert (info.hits, info.misses) == (1, 1)


# --- tokens -------------------------------------------------------------------------
def test_tokens_lowercase_unicode_digits():
    assert tokens("WNA asal Tiongkok, 3 orang; KITAS-nya habis 21.000 Müller") == [
        "wna", "asal", "tiongkok", "3", "orang", "kitas", "nya", "habis", "21.000", "müller",
    ]


def test_tokens_empty():
    assert tokens("  -- ") == []


# --- P-codes, stages, articles ----------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "P-21", "P21", "p 21", "p.21", "P–21", "status P-21.", "(P21)",
        "berkas lengkap", "Berkas dinyatakan lengkap", "berkas perkara dinyatakan lengkap",
        "berkas perkara telah dinyatakan lengkap", "hasil penyidikan sudah lengkap",
    ],
)
def test_p21_variants_give_p21_token(text):
    assert "p21" in analyse(text).split()


def test_phrase_variant_keeps_its_words():
    assert analyse("berkas lengkap").split() == ["berkas", "lengkap", "p21"]
    assert analyse("P-21") == "p21"


@pytest.mark.parametrize(
    "text",
    [
        "P 2", "P-210", "P-2100", "P 21.000 orang", "Rp 21.000", "RP21", "SP-21",
        "Telp. 021-7654321", "telp 21 345", "hubungi 0812-2121-2121", "PP 21 tahun 2016",
        "berkas belum lengkap", "berkas dinyatakan tidak lengkap", "pelengkap berkas",
    ],
)
def test_not_p21(text):
    assert "p21" not in analyse(text).split()


@pytest.mark.parametrize(
    "text",
    ["P-19", "P19", "P 19", "berkas dikembalikan", "berkas perkara dikembalikan",
     "berkas belum lengkap", "pengembalian berkas"],
)
def test_p19_variants(text):
    out = analyse(text).split()
    assert "p19" in out and "p21" not in out


@pytest.mark.parametrize("code", ["16", "17", "18"])
def test_other_p_codes(code):
    assert analyse(f"menerima P-{code} dari JPU").split()[1] == f"p{code}"
    assert analyse(f"p{code}") == f"p{code}"


@pytest.mark.parametrize(
    "text, token",
    [
        ("Tahap II", "tahap2"), ("tahap 2", "tahap2"), ("tahap dua", "tahap2"),
        ("tahap-2", "tahap2"), ("Tahap Kedua", "tahap2"), ("tahap ii", "tahap2"),
        ("Tahap I", "tahap1"), ("tahap 1", "tahap1"), ("tahap satu", "tahap1"),
        ("tahap pertama", "tahap1"),
        ("Pasal 122", "pasal122"), ("pasal122", "pasal122"), ("Psl. 122", "pasal122"),
        ("psl 78", "pasal78"), ("Pasal 5A", "pasal5a"),
    ],
)
def test_stage_and_article_variants(text, token):
    assert analyse(text) == token


@pytest.mark.parametrize(
    "text, unwanted",
    [("tahap II", "tahap1"), ("tahap ini", "tahap1"), ("tahap III", "tahap1"),
     ("tahap 10", "tahap1"), ("tahap 21", "tahap2"), ("bertahap 2 kali", "tahap2"),
     ("tahapan II", "tahap2")],
)
def test_stage_lookalikes(text, unwanted):
    assert unwanted not in analyse(text).split()


def test_normalise_codes_in_running_text():
    text = "Setelah P-19 kedua, berkas dinyatakan lengkap dan Tahap II pada 3 Mei."
    assert normalise_codes(text) == (
        "Setelah p19 kedua, berkas dinyatakan lengkap p21 dan tahap2 pada 3 Mei."
    )


def test_analyse_full_sentence():
    assert analyse("Penyidik PPNS menyerahkan KITAS-nya; Pasal 122 huruf a, P-21.") == (
        "sidik ppns serah kitas nya pasal122 huruf a p21"
    )


@pytest.mark.parametrize(
    "query, stages",
    [
        ("p21 penerjemah", {"p-21"}),
        ("berkas dikembalikan karena saksi", {"p-19"}),
        ("P-18 petunjuk jaksa", {"p-19"}),
        ("tahap II barang bukti", {"tahap-2"}),
        ("Tahap 1 pemberkasan", {"tahap-1"}),
        ("SPDP ke korwas", {"spdp"}),
        ("penghentian sp3", {"sp3"}),
        ("TAK deportasi", {"tak"}),
        ("tindakan administratif keimigrasian", {"tak"}),
        ("saksi tak hadir", set()),  # "tak" = not
        ("penerjemah bahasa mandarin", set()),
        ("P-21 setelah dua kali P-19", {"p-21", "p-19"}),
    ],
)
def test_stage_codes_in(query, stages):
    assert stage_codes_in(query) == stages


# --- data file ---------------------------------------------------------------------------
def test_data_entries_are_described_and_compile():
    d = load_data()
    assert d.exceptions["penyidikan"] == "sidik"
    assert {"kitas", "bali", "rudenim"} <= d.protected
    for rule in d.codes:
        assert rule.description and (rule.replace or rule.add)
    assert {r.stage for r in d.codes if r.stage} >= {"p-21", "p-19", "tahap-1", "tahap-2"}


def test_data_exceptions_have_reasons():
    import yaml

    raw = yaml.safe_load(analysis.DATA_FILE.read_text(encoding="utf-8"))
    assert all(e.get("why") for e in raw["exceptions"])
    assert all(e.get("why") for e in raw["protected"])


def test_duplicate_exception_is_rejected(tmp_path):
    bad = tmp_path / "d.yaml"
    bad.write_text("exceptions:\n  - {stem: a, words: [x], why: w}\n  - {stem: b, words: [x], why: w}\n")
    with pytest.raises(ValueError, match="listed twice"):
        load_data(bad)


# --- glossary -----------------------------------------------------------------------------
ROWS = [
    ("WNA", ["warga negara asing", "orang asing"]),
    ("Kalbar", ["Kalimantan Barat"]),
    ("TKA", ["tenaga kerja asing"]),
    ("JPU", ["jaksa penuntut umum", "penuntut umum"]),
    ("Kanim", ["kantor imigrasi"]),
    ("Imigrasi", ["keimigrasian"]),
    ("Kemenkumham", ["Kementerian Hukum dan HAM"]),
    ("Imipas", ["Kementerian Imigrasi dan Pemasyarakatan", "Kemenkumham"]),
]


@pytest.fixture
def glossary():
    return Glossary(ROWS)


def test_glossary_example_from_brief():
    g = Glossary([("WNA", ["warga negara asing", "orang asing"]), ("Kalbar", ["Kalimantan Barat"])])
    assert g.expansions("wna overstay di kalimantan barat") == [
        ("wna", ["warga negara asing", "orang asing"]),
        ("kalimantan barat", ["kalbar"]),
    ]


def test_glossary_is_symmetric(glossary):
    assert glossary.expansions("warga negara asing") == [("warga negara asing", ["wna", "orang asing"])]
    assert glossary.expansions("ORANG ASING") == [("orang asing", ["wna", "warga negara asing"])]
    assert glossary.expansions("Kalbar") == [("kalbar", ["kalimantan barat"])]


def test_glossary_longest_match_without_overlap(glossary):
    # "jaksa penuntut umum" beats "penuntut umum"; "kantor imigrasi" beats "imigrasi"
    assert glossary.expansions("petunjuk Jaksa Penuntut Umum ke kantor imigrasi") == [
        ("jaksa penuntut umum", ["jpu", "penuntut umum"]),
        ("kantor imigrasi", ["kanim"]),
    ]
    assert glossary.expansions("imigrasi") == [("imigrasi", ["keimigrasian"])]


def test_glossary_longest_wins_at_same_start_and_across_positions():
    g = Glossary([("tenaga kerja", ["pekerja"]), ("TKA", ["tenaga kerja asing"])])
    assert g.expansions("Tenaga Kerja Asing ilegal") == [("tenaga kerja asing", ["tka"])]
    g = Glossary([("Kanim", ["kantor imigrasi"]), ("imigrasi kelas I", ["imigrasi kelas satu"])])
    assert g.expansions("kantor imigrasi kelas I") == [
        ("imigrasi kelas i", ["imigrasi kelas satu"])
    ]


def test_glossary_whole_words_only(glossary):
    assert glossary.expansions("tkai jpum wnai kanimnya") == []
    assert glossary.expansions("TKA, JPU!") == [
        ("tka", ["tenaga kerja asing"]),
        ("jpu", ["jaksa penuntut umum", "penuntut umum"]),
    ]


def test_glossary_phrase_in_several_rows_gets_union(glossary):
    assert glossary.expansions("kemenkumham") == [
        ("kemenkumham", ["kementerian hukum dan ham", "imipas", "kementerian imigrasi dan pemasyarakatan"])
    ]


def test_glossary_repeated_and_empty(glossary):
    assert [m for m, _ in glossary.expansions("wna dan wna")] == ["wna", "wna"]
    assert glossary.expansions("") == []
    assert Glossary([]).expansions("wna") == []


def test_glossary_tolerates_sloppy_rows():
    g = Glossary([("TKA", "tenaga kerja asing"), ("  ", ["x"]), ("sama", ["SAMA"])])
    assert g.expansions("tka sama") == [("tka", ["tenaga kerja asing"])]
    assert len(g) == 2


def test_module_has_no_django_dependency():
    source = analysis.__file__
    text = open(source, encoding="utf-8").read()
    assert not re.search(r"^\s*(from|import)\s+(django|wagtail)", text, re.M)


def test_everyday_lowercase_word_is_not_taken_for_an_acronym():
    glossary = Glossary([("TAK", ["tindakan administratif keimigrasian"])])
    assert glossary.expansions("saksi tak hadir") == []
    assert glossary.expansions("TAK deportasi") == [("tak", ["tindakan administratif keimigrasian"])]
