"""English next to Indonesian: pages follow the chosen language, and the committed English
catalogue (locale/en/LC_MESSAGES/django.po and its compiled .mo) is complete."""
import ast
import gettext
import re
from html import unescape

import pytest
from django.conf import settings
from django.utils import translation

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CATALOGUE = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
FACET_TITLES = {
    "id": ["Tahapan", "Kendala", "Kanwil", "Jenis dokumen", "Tahun", "Ketentuan hukum"],
    "en": ["Stage", "Obstacle", "Kanwil", "Document type", "Year", "Legal provision"],
}
SORT_LABELS = {"id": ["Paling relevan", "Terbaru", "Terlama"], "en": ["Most relevant", "Newest", "Oldest"]}


@pytest.fixture(autouse=True)
def restore_language():
    """LocaleMiddleware activates the request's language in this thread and never resets it:
    give the following tests back the language they started with."""
    before = translation.get_language()
    yield
    if before:
        translation.activate(before)
    else:
        translation.deactivate_all()


def choose_language(client, code, next_url="/masuk/"):
    """What the ID / EN buttons in the header do."""
    response = client.post("/i18n/setlang/", {"language": code, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == code


def page_text(response):
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_login_page_is_indonesian_by_default_and_english_when_chosen(client):
    html = page_text(client.get("/masuk/"))
    assert '<html lang="id">' in html
    assert "Masuk ke Lintas Kanwil" in html and "Kata sandi" in html
    assert "Log in to Lintas Kanwil" not in html

    choose_language(client, "en")
    html = page_text(client.get("/masuk/"))
    assert '<html lang="en">' in html
    assert "Log in to Lintas Kanwil" in html and "Username" in html and "Password" in html
    assert "Masuk ke Lintas Kanwil" not in html and "Kata sandi" not in html

    choose_language(client, "id")
    assert "Masuk ke Lintas Kanwil" in page_text(client.get("/masuk/"))


def test_wrong_password_message_follows_the_language(client):
    choose_language(client, "en")
    html = page_text(client.post("/masuk/", {"username": "staf-kalbar", "password": "salah"}))
    assert "Incorrect username or password." in html


def test_home_page_follows_the_language(client):
    assert client.login(username="staf-kalbar", password="lintas-demo")
    assert "Dokumen terbaru" in page_text(client.get("/"))
    choose_language(client, "en", next_url="/")
    html = page_text(client.get("/"))
    assert "Latest documents" in html and "Log out" in html and "Dokumen terbaru" not in html


@pytest.mark.parametrize("language", ["id", "en"])
def test_search_page_facets_and_sort_in_the_chosen_language(client, demo_index, language):
    assert client.login(username="staf-kalbar", password="lintas-demo")
    if language != settings.LANGUAGE_CODE:
        choose_language(client, language, next_url="/cari/?q=penerjemah")
    html = page_text(client.get("/cari/", {"q": "penerjemah"}))
    other = "id" if language == "en" else "en"

    headings = re.findall(r'<section class="facet"[^>]*>\s*<h2>(.*?)</h2>', html)
    assert headings == FACET_TITLES[language]
    sort = re.search(r'<nav class="sort" aria-label="([^"]*)">(.*?)</nav>', html, re.S)
    assert sort, "no sort links: is the search node answering?"
    assert sort.group(1) == ("Sort" if language == "en" else "Urutkan")
    sort_labels = re.findall(r">([^<>·]+)</(?:a|strong)>", sort.group(2))
    assert [label.strip() for label in sort_labels] == SORT_LABELS[language]
    assert not set(SORT_LABELS[other]) & set(sort_labels)
    total = re.search(r'<p class="total">(.*?)</p>', html).group(1)
    assert re.fullmatch(r"\d+ documents" if language == "en" else r"\d+ dokumen", total)


def read_po(path):
    """A small .po reader (no polib needed): entries as dicts of msgctxt, msgid, msgid_plural,
    msgstr / msgstr[n] and flags; obsolete (#~) entries are skipped."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:  # comments open the next entry
                finish()
                entry = None
            entry = entry or {"flags": set()}
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            continue
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if match:
            key = match.group(1)
            if key in ("msgctxt", "msgid") and entry is not None and "msgid" in entry:
                finish()
                entry = None
            entry = entry or {"flags": set()}
            entry[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
        else:
            raise AssertionError(f"{path}: cannot read line {raw!r}")
    finish()
    return entries


def placeholders(text):
    return sorted(re.findall(r"%(?:\(\w+\))?[sdif]", text))


def test_english_catalogue_is_complete_and_compiled():
    entries = read_po(CATALOGUE)
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "Language: en" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"]
    assert len(messages) > 200

    problems = []
    for entry in messages:
        msgid = entry["msgid"]
        if "fuzzy" in entry["flags"]:
            problems.append(("fuzzy", msgid))
        if "msgid_plural" in entry:
            forms = [entry.get(f"msgstr[{n}]", "") for n in range(2)]
            pairs = [(msgid, forms[0]), (entry["msgid_plural"], forms[1])]
        else:
            pairs = [(msgid, entry.get("msgstr", ""))]
        for source, translated in pairs:
            if not translated.strip():
                problems.append(("untranslated", source))
            elif placeholders(source) != placeholders(translated):
                problems.append(("placeholders differ", source, translated))
    assert not problems, problems

    # The committed .mo is what Django reads: it must hold exactly these translations.
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages:
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            got = [compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], n) if context
                   else compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
            expected = [entry["msgstr[0]"], entry["msgstr[1]"]]
        else:
            got = compiled.pgettext(context, entry["msgid"]) if context else compiled.gettext(entry["msgid"])
            expected = entry["msgstr"]
        if got != expected:
            stale.append(entry["msgid"])
    assert not stale, f"django.mo is older than django.po; run compilemessages -l en: {stale[:5]}"


def test_stage_and_obstacle_names_follow_the_language(client, demo_index):
    from lessons.models import StudiTiruReport
    from lessons.models import Stage

    stage = Stage.objects.get(code="p-19")
    assert stage.name_en and stage.name_en != stage.name
    client.login(username="staf-kalbar", password="lintas-demo")
    client.cookies["django_language"] = "en"
    page = client.get("/cari/?stage=p-19").content.decode()
    assert stage.name_en in page
    client.cookies["django_language"] = "id"
    report = next(r for r in StudiTiruReport.objects.live().public() if len(r.follow_up))
    html = client.get(report.url).content.decode()
    assert stage.name in client.get("/cari/?stage=p-19").content.decode()
    assert any(label in html for label in ("Selesai", "Berjalan", "Belum dimulai"))
