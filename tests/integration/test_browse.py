"""Ways in by stage and obstacle: the case path on the home page and the landing pages,
read through the real index (demo content) with the reader's access applied."""
import re

import pytest
from django.utils import translation

from lessons.access.rules import visible_documents
from lessons.content.taxonomy import Obstacle, Stage
from portal import browsing

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _expected_counts(user, field):
    """Documents the user may read per stage or obstacle code, from the database."""
    counts = {}
    for page in visible_documents(user):
        for item in getattr(page.specific, field).all():
            counts[item.code] = counts.get(item.code, 0) + 1
    return counts


@pytest.mark.parametrize("username", ["staf-kalbar", "staf-sumsel", "admin"])
def test_case_path_counts_are_what_the_reader_may_read(demo_index, users, username):
    user = users[username]
    found = browsing.case_path(user)
    assert not found["unavailable"]
    path = [entry.item.code for entry in found["path"]]
    assert path == ["pengawasan", "penyelidikan", "spdp", "pemeriksaan", "tahap-1", "p-19", "p-21", "tahap-2",
                    "persidangan", "putusan"]
    assert [entry.item.code for entry in found["exits"]] == ["sp3", "tak"]
    stages = {entry.item.code: entry.count for entry in found["path"] + found["exits"]}
    assert stages == {code: _expected_counts(user, "stages").get(code, 0) for code in Stage.objects.codes()}
    obstacles = {entry.item.code: entry.count for entry in found["obstacles"]}
    assert obstacles == {code: _expected_counts(user, "obstacles").get(code, 0) for code in Obstacle.objects.codes()}
    assert all(count > 0 for count in stages.values())


def test_home_page_draws_the_path_with_counts(client, demo_index, users):
    client.force_login(users["staf-kalbar"])
    html = client.get("/").content.decode()
    steps = re.findall(r'<li class="case-step" data-code="([\w-]+)"', html)
    assert steps[0] == "pengawasan" and steps[-1] == "putusan" and "sp3" not in steps
    assert re.findall(r'<li class="case-exit" data-code="([\w-]+)"', html) == ["sp3", "tak"]
    assert 'href="/tahapan/p-19/"' in html and 'href="/kendala/bahasa-penerjemah/"' in html


def test_stage_page_lists_guides_first_and_links_into_the_search(client, demo_index, users):
    client.force_login(users["staf-kalbar"])
    response = client.get("/tahapan/p-19/")
    assert response.status_code == 200
    html = response.content.decode()
    stage = Stage.objects.get(code="p-19")
    assert stage.name in html and stage.description[:40] in html
    groups = re.findall(r'<section class="landing-group" data-type="([\w-]+)"', html)
    assert groups and groups[0] == "panduan" and groups == [t for t in browsing.TYPE_ORDER if t in groups]
    assert 'href="/cari/?stage=p-19"' in html
    assert re.search(r'href="/cari/\?stage=p-19&amp;obstacle=[\w-]+"', html)  # obstacles met at this stage
    assert re.search(r'href="/cari/\?stage=p-19&amp;kanwil=[\w-]+"', html)  # Kanwil with most experience
    landing = browsing.landing(users["staf-kalbar"], "stage", stage)
    counts = [entry.count for entry in landing.related]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    assert [n for _, n, _ in landing.kanwil] == sorted((n for _, n, _ in landing.kanwil), reverse=True)
    titles = {hit.title for group in landing.groups for hit in group.hits}
    visible = {p.title for p in visible_documents(users["staf-kalbar"]) if stage in p.specific.stages.all()}
    assert titles == visible or (titles < visible and len(titles) >= browsing.PER_TYPE)


def test_obstacle_page_shows_where_it_bites_in_english_too(client, demo_index, users):
    client.force_login(users["staf-kalbar"])
    obstacle = Obstacle.objects.get(code="bahasa-penerjemah")
    html = client.get("/kendala/bahasa-penerjemah/").content.decode()
    assert obstacle.name in html and obstacle.description[:40] in html
    assert re.search(r'href="/cari/\?obstacle=bahasa-penerjemah&amp;stage=[\w-]+"', html)
    client.cookies["django_language"] = "en"
    html = client.get("/kendala/bahasa-penerjemah/").content.decode()
    assert obstacle.name_en in html and obstacle.description_en[:40] in html
    assert "Kanwil with the most experience" in html
    with translation.override("en"):
        assert obstacle.description_label == obstacle.description_en


@pytest.mark.parametrize("url", ["/tahapan/tidak-ada/", "/kendala/tidak-ada/", "/tahapan/P%2019/",
                                 "/kendala/%00/", "/tahapan/" + "a" * 500 + "/"])
def test_unknown_code_is_the_sites_404(client, demo_index, users, url):
    client.force_login(users["staf-kalbar"])
    response = client.get(url)
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_stage_page_without_the_search_engine_still_answers(client, demo_index, users, settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    client.force_login(users["staf-kalbar"])
    response = client.get("/tahapan/p-21/")
    assert response.status_code == 200
    assert "Mesin pencari sedang tidak dapat dihubungi" in response.content.decode()
    assert client.get("/").status_code == 200
