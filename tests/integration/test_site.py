"""The site shell: intranet login on every URL, where each page type may live, the
taxonomy seed, and a demo load that is repeatable."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.models import Page, Revision

from lessons.models import (
    DOCUMENT_MODELS, GlossaryTerm, Kanwil, LegalProvision, LessonLearned, Obstacle, ProceduralGuide, Stage, StudiTiruReport,
)
from portal.models import HomePage, KanwilPage

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

OPEN = {"/masuk/", "/admin/login/", "/healthz", "/i18n/setlang/"}


def concrete_urls():
    """One real URL per route of the project, with sample ids filled in, plus every page."""
    urls = {"/", "/cari/", "/cari/?q=wna", "/api/v1/search/", "/api/v1/suggest/?q=pe", "/api/v1/openapi.json",
            "/admin/", "/admin/pages/", "/admin/snippets/", "/dokumen/1/x.pdf", "/tidak-ada/",
            "/tahapan/tidak-ada/", "/kendala/tidak-ada/"}
    urls |= {f"/tahapan/{code}/" for code in Stage.objects.codes()}
    urls |= {f"/kendala/{code}/" for code in Obstacle.objects.codes()}
    urls |= {page.url for page in Page.objects.live().specific() if page.url}
    return sorted(urls)


def test_every_url_requires_login(client):
    urls = concrete_urls()
    assert len(urls) > 80  # home, 38 Kanwil sections, 48 documents, search, API, admin
    for url in urls:
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(("/masuk/", "/admin/login/")), (url, response["Location"])


def test_login_page_and_open_paths_need_no_login(client):
    assert client.get("/masuk/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_viewer_sees_home_with_kanwil_and_latest_documents(client):
    assert client.login(username="staf-kalbar", password="lintas-demo")
    response = client.get("/")
    assert response.status_code == 200
    assert len(response.context["kanwil_links"]) == 38
    latest = list(response.context["latest_documents"])
    assert latest and all(isinstance(doc, DOCUMENT_MODELS) for doc in latest)
    html = response.content.decode()
    assert "Kalimantan Barat" in html and latest[0].title in html


def test_pages_can_only_be_created_where_they_belong():
    home = HomePage.objects.get()
    section = KanwilPage.objects.first()
    root = Page.get_first_root_node()
    assert HomePage.can_create_at(root) is False  # only one home page
    assert KanwilPage.can_create_at(home) and not KanwilPage.can_create_at(section)
    for model in DOCUMENT_MODELS:
        assert model.can_create_at(section)
        assert not model.can_create_at(home) and not model.can_create_at(root)
        assert model.allowed_subpage_models() == []
    assert set(KanwilPage.allowed_subpage_models()) == set(DOCUMENT_MODELS)
    assert HomePage.allowed_subpage_models() == [KanwilPage]


def test_taxonomy_is_seeded_with_the_canonical_codes():
    assert list(Stage.objects.values_list("code", flat=True)) == [
        "pengawasan", "penyelidikan", "spdp", "pemeriksaan", "tahap-1", "p-19", "p-21", "tahap-2",
        "persidangan", "putusan", "sp3", "tak"]
    assert Obstacle.objects.codes() == {
        "bahasa-penerjemah", "koordinasi-kejaksaan", "koordinasi-korwas", "keterangan-ahli", "alat-bukti",
        "penahanan", "anggaran", "identitas", "perwakilan-asing", "penjamin", "saksi", "sdm-ppns",
        "data-sistem", "perbatasan"}
    assert LegalProvision.objects.codes() >= {f"pasal-{n}" for n in (75, 78, 119, 120, 122, 123, 126)}
    assert Kanwil.objects.count() == 38 and {"sumsel", "kalbar", "papua-barat-daya"} <= Kanwil.objects.codes()
    wna = GlossaryTerm.objects.get(term__iexact="WNA")
    assert any("warga negara asing" in e.lower() for e in wna.expansion_list)


def snapshot():
    pages = Page.objects.type(*DOCUMENT_MODELS).specific()
    return sorted(
        (p.slug, p.get_parent().slug, p.title, p.summary, p.live, p.type_code,
         tuple(sorted(s.code for s in p.stages.all())), tuple(sorted(o.code for o in p.obstacles.all())))
        for p in pages
    )


def test_loading_the_demo_twice_gives_the_same_content():
    from portal.demo import load_demo

    before, revisions = snapshot(), Revision.objects.count()
    assert not load_demo(report=lambda line: None)
    assert snapshot() == before
    assert Revision.objects.count() == revisions  # unchanged files add no revisions
    assert len(before) >= 40
    types = {row[5] for row in before}
    assert types == {"studi-tiru", "pelajaran", "panduan"}
    assert StudiTiruReport.objects.filter(slug="studi-tiru-sumsel-ke-kalbar-p21", host_kanwil__code="kalbar").exists()
    assert LessonLearned.objects.exists() and ProceduralGuide.objects.exists()


def test_demo_content_covers_every_stage_and_obstacle_twice():
    pages = list(Page.objects.type(*DOCUMENT_MODELS).specific())
    for code in Stage.objects.codes():
        assert sum(code in {s.code for s in p.stages.all()} for p in pages) >= 2, code
    for code in Obstacle.objects.codes():
        assert sum(code in {o.code for o in p.obstacles.all()} for p in pages) >= 2, code
    assert len({p.author_kanwil_id for p in pages}) >= 8


def test_unknown_page_is_a_friendly_404(client):
    client.login(username="staf-kalbar", password="lintas-demo")
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_restricted_document_is_not_found_for_other_kanwil_and_readable_for_its_own(client, users):
    from django.contrib.auth import get_user_model
    from wagtail.models import PageViewRestriction

    restriction = PageViewRestriction.objects.filter(restriction_type="groups").first()
    page = restriction.page.specific
    client.force_login(users["staf-sumsel"])
    assert client.get(page.url).status_code == 404
    insider = get_user_model().objects.create(username="insider")
    insider.groups.set([restriction.groups.first()])
    client.force_login(insider)
    response = client.get(page.url)
    assert response.status_code == 200 and page.title in response.content.decode()


def test_indonesian_first_even_when_the_browser_asks_for_english(client):
    assert "Masuk ke Lintas Kanwil" in client.get("/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
