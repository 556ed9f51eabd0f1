"""The Wagtail admin keeps each Kanwil's titles and files to itself (issue 7, holes 4 and 5),
and the audit log names who changed a page's privacy (with the groups) and its attachments.

The matrix: each demo editor and reviewer of Kalbar and Sumsel, through the real admin
views (Django test client, real database), against the other Kanwil's pages in every state
(restricted, draft, unpublished, scheduled, a newer draft with a secret title) and their
attachments, on every admin surface that lists or names pages or documents. A surface
leaks when a secret title appears anywhere in its answer. Controls on the same surfaces
(the other Kanwil's public page, one's own draft and files) make sure an empty answer
cannot pass for a safe one."""
import datetime
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.log_actions import registry as log_registry
from wagtail.models import Collection, Page, PageLogEntry, PageViewRestriction

from lessons.access import audit

from lessons.access import rules as access
from lessons.models import DOCUMENT_MODELS, Attachment, LessonLearned
from portal import structure
from portal.models import HomePage, KanwilPage

pytestmark = pytest.mark.django_db

Document = get_document_model()
KANWIL = ("kalbar", "sumsel")
ROLES = ("editor", "reviewer")
SECRET_STATES = ("restricted", "draft", "unpublished", "scheduled")


def other(code):
    return KANWIL[1 - KANWIL.index(code)]


class Content:
    """One Kanwil's test pages and documents, every title carrying the run's token."""

    def __init__(self, code, token, admin):
        self.code, self.token = code, token
        self.section = KanwilPage.objects.get(kanwil__code=code)
        self.kanwil = self.section.kanwil
        self.collection = structure.kanwil_collection(self.kanwil)
        self.documents = {}
        self.pages = {}
        for state in ("public", *SECRET_STATES, "newerdraft"):
            self.documents[state] = self._document(state)
        self.pages["public"] = self._published("public")
        restricted = self._published("restricted")
        restriction = PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.set(access.kanwil_groups(self.kanwil).values())
        self.pages["restricted"] = restricted
        self.pages["draft"] = self._page("draft")
        self.pages["draft"].save_revision(user=admin)
        unpublished = self._published("unpublished")
        unpublished.unpublish(user=admin)
        self.pages["unpublished"] = unpublished
        scheduled = self._page("scheduled")
        scheduled.go_live_at = timezone.now() + datetime.timedelta(days=3)
        scheduled.save_revision(user=admin).publish(user=admin)
        self.pages["scheduled"] = LessonLearned.objects.get(pk=scheduled.pk)
        assert not self.pages["scheduled"].live
        # Live under an innocent title; the newer draft renames it and adds a file.
        newer = self._page("newerdraft", title=self.title("livetitle"), attached=False)
        newer.save_revision(user=admin).publish(user=admin)
        draft = LessonLearned.objects.get(pk=newer.pk).get_latest_revision_as_object()
        draft.title = self.title("drafttitle")
        draft.attachments = [Attachment(document=self.documents["newerdraft"])]
        draft.save_revision(user=admin)
        self.pages["newerdraft"] = LessonLearned.objects.get(pk=newer.pk)
        assert self.pages["newerdraft"].title == self.title("livetitle")

    def marker(self, what):
        return f"x{self.code}{what}{self.token}"

    def title(self, what):
        return f"Uji {self.token} {self.marker(what)}"

    def _document(self, state):
        name = f"{self.code}-{state}.txt"
        document = Document(title=self.title(f"doc{state}"), collection=self.collection,
                            file=ContentFile(f"Lampiran uji {state}.".encode(), name=name))
        document._set_document_file_metadata()
        document.save()
        return document

    def _page(self, state, title=None, attached=True):
        page = LessonLearned(title=title or self.title(state), slug=f"adm-{self.code}-{state}-{self.token}",
                             author_kanwil=self.kanwil, situation="Uji akses admin.", live=False)
        if attached:
            page.attachments = [Attachment(document=self.documents[state])]
        self.section.add_child(instance=page)
        return page

    def _published(self, state):
        page = self._page(state)
        page.save_revision().publish()
        return LessonLearned.objects.get(pk=page.pk)

    @property
    def secret_markers(self):
        """What an outsider must never see: secret pages' titles, the newer draft's title and
        every file title (the collection is the Kanwil's own)."""
        return [self.marker(state) for state in SECRET_STATES] + [self.marker("drafttitle")] + [
            self.marker(f"doc{state}") for state in self.documents]

    @property
    def secret_pages(self):
        return [self.pages[state] for state in (*SECRET_STATES, "newerdraft")]

    def delete_files(self):
        for document in self.documents.values():
            document.file.delete(save=False)


@pytest.fixture
def content(users):
    token = "t" + uuid.uuid4().hex[:10]
    built = {code: Content(code, token, users["admin"]) for code in KANWIL}
    yield built
    for item in built.values():
        item.delete_files()


class Matrix:
    def __init__(self):
        self.checks = 0
        self.leaks = []
        self.missing = []

    @staticmethod
    def text(response):
        body = response.content.decode("utf-8", errors="replace") if not response.streaming else ""
        return body + " " + response.get("Location", "")

    def hidden(self, who, surface, response, markers):
        assert response.status_code < 500, (who, surface, response.status_code)
        body = self.text(response)
        for marker in markers:
            self.checks += 1
            if marker in body:
                self.leaks.append((who, surface, marker))

    def shown(self, who, surface, response, markers):
        """Controls: what the user may see must be there, or the surface proves nothing."""
        assert response.status_code == 200, (who, surface, response.status_code)
        body = self.text(response)
        for marker in markers:
            self.checks += 1
            if marker not in body:
                self.missing.append((who, surface, marker))


def page_surfaces(own, foreign, home):
    """(name, url, controls that must show) for surfaces naming pages."""
    token = own.token
    search = {"q": token}
    yield "chooser browse root", reverse("wagtailadmin_choose_page"), []
    yield "chooser browse home", reverse("wagtailadmin_choose_page_child", args=[home.pk]), []
    yield "chooser browse other section", reverse("wagtailadmin_choose_page_child", args=[foreign.section.pk]), [
        foreign.marker("public"), foreign.marker("livetitle")]
    yield "chooser browse other section (lessons only, multiple)", reverse(
        "wagtailadmin_choose_page_child", args=[foreign.section.pk]) + "?page_type=lessons.lessonlearned&multiple=1", [
        foreign.marker("public")]
    yield "chooser browse own section", reverse("wagtailadmin_choose_page_child", args=[own.section.pk]), [
        own.marker("draft"), own.marker("drafttitle")]
    yield "chooser search", reverse("wagtailadmin_choose_page_search") + f"?q={token}", [
        foreign.marker("public"), foreign.marker("livetitle"), own.marker("draft"), own.marker("scheduled")]
    yield "chooser search (lessons only)", reverse("wagtailadmin_choose_page_search") + \
        f"?q={token}&page_type=lessons.lessonlearned", [foreign.marker("public")]
    for page in foreign.secret_pages:
        yield f"chooser browse into {page.slug}", reverse("wagtailadmin_choose_page_child", args=[page.pk]), []
    ids = "&".join(f"id={page.pk}" for page in [foreign.pages["public"], *foreign.secret_pages])
    yield "chooser chosen-multiple", reverse("wagtailadmin_choose_page_chosen_multiple") + f"?{ids}", [
        foreign.marker("public"), foreign.marker("livetitle")]
    yield "explorer", reverse("wagtailadmin_explore_root"), []
    yield "explorer own section", reverse("wagtailadmin_explore", args=[own.section.pk]), [own.marker("draft")]
    yield "explorer other section", reverse("wagtailadmin_explore", args=[foreign.section.pk]), []
    yield "admin page search", reverse("wagtailadmin_pages:search") + f"?q={token}", [own.marker("draft")]
    yield "admin API search", "/admin/api/main/pages/?" + f"search={token}", []
    yield "admin API other section", f"/admin/api/main/pages/?child_of={foreign.section.pk}&for_explorer=1", []
    yield "dashboard", reverse("wagtailadmin_home"), []
    yield "site history report", reverse("wagtailadmin_reports:site_history"), []
    yield "locked pages report", reverse("wagtailadmin_reports:locked_pages"), []
    yield "aging pages report", reverse("wagtailadmin_reports:aging_pages"), []
    yield "workflow report", reverse("wagtailadmin_reports:workflow"), []
    yield "workflow tasks report", reverse("wagtailadmin_reports:workflow_tasks"), []
    for page in foreign.secret_pages:
        for name in ("edit", "history", "usage", "revisions_index", "workflow_history"):
            yield f"{name} of {page.slug}", reverse(f"wagtailadmin_pages:{name}", args=[page.pk]), []
        yield f"admin API detail {page.slug}", f"/admin/api/main/pages/{page.pk}/", []
        yield f"explore into {page.slug}", reverse("wagtailadmin_explore", args=[page.pk]), []


def document_surfaces(own, foreign):
    token = own.token
    yield "documents listing", reverse("wagtaildocs:index"), [own.marker("docdraft"), own.marker("docpublic")]
    yield "documents listing search", reverse("wagtaildocs:index_results") + f"?q={token}", [own.marker("docdraft")]
    yield "documents listing, other collection", reverse("wagtaildocs:index") + \
        f"?collection_id={foreign.collection.pk}", []
    yield "document chooser", reverse("wagtaildocs_chooser:choose"), [own.marker("docnewerdraft")]
    yield "document chooser search", reverse("wagtaildocs_chooser:choose_results") + f"?q={token}", [
        own.marker("docscheduled")]
    yield "document chooser, other collection", reverse("wagtaildocs_chooser:choose") + \
        f"?collection_id={foreign.collection.pk}", []
    yield "admin documents API", "/admin/api/main/documents/?limit=100", []
    yield "admin documents API search", f"/admin/api/main/documents/?search={token}", [
        own.marker("docpublic"), own.marker("docrestricted")]
    ids = "&".join(f"id={document.pk}" for document in foreign.documents.values())
    yield "document chooser chosen-multiple", reverse("wagtaildocs_chooser:chosen_multiple") + f"?{ids}", []
    for document in foreign.documents.values():
        yield f"document edit {document.pk}", reverse("wagtaildocs:edit", args=[document.pk]), []
        yield f"document usage {document.pk}", reverse("wagtaildocs:document_usage", args=[document.pk]), []
        yield f"document chosen {document.pk}", reverse("wagtaildocs_chooser:chosen", args=[document.pk]), []
        yield f"document delete {document.pk}", reverse("wagtaildocs:delete", args=[document.pk]), []
        yield f"admin documents API detail {document.pk}", f"/admin/api/main/documents/{document.pk}/", []


def test_no_admin_surface_shows_another_kanwils_titles_or_files(client, users, content, capsys):
    matrix = Matrix()
    home = HomePage.objects.get()
    for code in KANWIL:
        own, foreign = content[code], content[other(code)]
        for role in ROLES:
            who = f"{role}-{code}"
            client.force_login(users[who])
            for surface, url, controls in [*page_surfaces(own, foreign, home), *document_surfaces(own, foreign)]:
                response = client.get(url, HTTP_ACCEPT="text/html,application/json")
                matrix.hidden(who, surface, response, foreign.secret_markers)
                if controls:
                    matrix.shown(who, surface, response, controls)
    with capsys.disabled():
        print(f"\nadmin access: {matrix.checks} checks, {len(matrix.leaks)} leaks")
    assert not matrix.leaks, matrix.leaks[:20]
    assert not matrix.missing, matrix.missing[:20]


# --- collections --------------------------------------------------------------------------------

def test_each_kanwil_has_its_own_collection_and_nothing_on_the_root(users):
    from wagtail.models import GroupCollectionPermission

    root = Collection.get_first_root_node()
    kanwil_groups = [group for kanwil in KanwilPage.objects.select_related("kanwil")
                     for group in access.kanwil_groups(kanwil.kanwil).values()]
    assert not GroupCollectionPermission.objects.filter(collection=root, group__in=kanwil_groups).exists()
    for code in KANWIL:
        kanwil = KanwilPage.objects.get(kanwil__code=code).kanwil
        collection = structure.kanwil_collection(kanwil)
        assert collection.get_parent() == root and collection.name == f"Kanwil {kanwil.short_name}"
        perms = {(p.group.name, p.permission.codename) for p in GroupCollectionPermission.objects.filter(
            collection=collection)}
        for role in ("Editor", "Reviewer"):
            for codename in structure.DOCUMENT_PERMISSIONS:
                assert (f"{kanwil.short_name} · {role}", codename) in perms
        assert {name.split(" · ")[0] for name, _ in perms} == {kanwil.short_name}


def test_uploads_land_in_the_uploaders_collection_and_structure_adopts_old_root_documents(client, users):
    client.force_login(users["editor-sumsel"])
    response = client.post(reverse("wagtaildocs:add"), {
        "title": "unggahan-sumsel.txt", "file": SimpleUploadedFile("unggahan-sumsel.txt", b"Catatan Sumsel."),
        "collection": Collection.get_first_root_node().pk, "tags": ""})
    assert response.status_code == 302
    uploaded = Document.objects.get(title="unggahan-sumsel.txt")
    assert uploaded.collection.name == "Kanwil Sumsel"

    # A document left on the root by an earlier version, used by a Kalbar page.
    page = LessonLearned.objects.live().filter(author_kanwil__code="kalbar").first()
    old = Document(title="lama-di-root.txt", collection=Collection.get_first_root_node(),
                   file=ContentFile(b"Berkas lama.", name="lama-di-root.txt"))
    old._set_document_file_metadata()
    old.save()
    Attachment.objects.create(page=page, document=old)
    try:
        structure.ensure_structure()
        old.refresh_from_db()
        assert old.collection.name == "Kanwil Kalbar"
    finally:
        for document in (uploaded, old):
            document.file.delete(save=False)


# --- replacing a file ---------------------------------------------------------------------------

@pytest.fixture
def live_attachment(users):
    """A Kalbar lesson, live, carrying a text file of the Kalbar collection."""
    kanwil = KanwilPage.objects.get(kanwil__code="kalbar").kanwil
    document = Document(title="Notulen uji ganti", collection=structure.kanwil_collection(kanwil),
                        file=ContentFile(b"Notulen rapat versi pertama.", name="notulen-uji.txt"))
    document._set_document_file_metadata()
    document.save()
    page = LessonLearned.objects.live().filter(author_kanwil__code="kalbar").first()
    draft = page.get_latest_revision_as_object()
    draft.attachments = [*draft.attachments.all(), Attachment(document=document)]
    draft.save_revision(user=users["admin"]).publish(user=users["admin"])
    yield LessonLearned.objects.get(pk=page.pk), document
    document.refresh_from_db()
    document.file.delete(save=False)


def replace(client, document, name, data):
    return client.post(reverse("wagtaildocs:edit", args=[document.pk]), {
        "title": document.title, "file": SimpleUploadedFile(name, data), "tags": ""})


def stored_text(document):
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        return handle.read()


def errors(response):
    return " ".join(str(e) for e in response.context["form"].errors.get("file", [])).replace("\xa0", " ")


def test_another_kanwils_editor_cannot_replace_a_file(client, users, live_attachment):
    page, document = live_attachment
    for who in ("editor-sumsel", "reviewer-sumsel"):
        client.force_login(users[who])
        response = replace(client, document, "dibajak.txt", b"Diganti dari Sumsel.")
        assert response.status_code in (302, 403), who
        assert stored_text(document) == b"Notulen rapat versi pertama."
    assert not PageLogEntry.objects.filter(page=page, action=audit.ATTACHMENT_REPLACED).exists()


def test_editor_without_publish_rights_cannot_replace_a_live_pages_file(client, users, live_attachment):
    page, document = live_attachment
    # The administrator also attached it to a restricted Sumsel page: refused, but not named.
    sumsel_page = Page.objects.live().type(*DOCUMENT_MODELS).descendant_of(
        KanwilPage.objects.get(kanwil__code="sumsel")).first().specific
    draft = sumsel_page.get_latest_revision_as_object()
    draft.attachments = [*draft.attachments.all(), Attachment(document=document)]
    draft.save_revision(user=users["admin"]).publish(user=users["admin"])
    restriction = PageViewRestriction.objects.create(page=sumsel_page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([access.kanwil_groups(sumsel_page.author_kanwil)["staf"]])

    client.force_login(users["editor-kalbar"])
    response = replace(client, document, "notulen-uji.txt", b"Notulen versi kedua, belum ditinjau.")
    assert response.status_code == 200
    message = errors(response)
    assert "sudah terbit" in message and f"“{page.title}”" in message and "draf" in message
    assert "1 dokumen lain" in message and sumsel_page.title not in message
    assert stored_text(document) == b"Notulen rapat versi pertama."
    attachment = page.attachments.get(document=document)
    assert attachment.extracted_text == "Notulen rapat versi pertama."
    assert not PageLogEntry.objects.filter(page=page, action=audit.ATTACHMENT_REPLACED).exists()


def test_replacement_with_personal_data_is_refused_even_for_the_reviewer(client, users, live_attachment):
    page, document = live_attachment
    client.force_login(users["reviewer-kalbar"])
    response = replace(client, document, "notulen-uji.txt", b"Tersangka berpaspor A1234567 hadir.")
    assert response.status_code == 200
    message = errors(response)
    assert "data pribadi" in message and "nomor paspor" in message and "A12***67" in message
    assert "A1234567" not in message
    assert stored_text(document) == b"Notulen rapat versi pertama."


def test_reviewer_replaces_a_live_file_and_each_page_records_it(client, users, live_attachment):
    page, document = live_attachment
    client.force_login(users["reviewer-kalbar"])
    response = replace(client, document, "notulen-revisi.txt", b"Notulen rapat versi kedua.")
    assert response.status_code == 302, errors(response)
    assert stored_text(document) == b"Notulen rapat versi kedua."
    assert page.attachments.get(document=document).extracted_text == "Notulen rapat versi kedua."
    entry = PageLogEntry.objects.get(page=page, action=audit.ATTACHMENT_REPLACED)
    assert entry.user == users["reviewer-kalbar"]
    assert entry.data["old_file"] == "notulen-uji.txt" and entry.data["document"]["file"].startswith("notulen-revisi")
    message = log_registry.get_formatter(entry).format_message(entry)
    assert message.startswith("Berkas lampiran “Notulen uji ganti” diganti: notulen-uji.txt → notulen-revisi")


def test_editor_may_replace_a_file_used_only_by_drafts(client, users):
    kanwil = KanwilPage.objects.get(kanwil__code="kalbar").kanwil
    document = Document(title="Draf saja", collection=structure.kanwil_collection(kanwil),
                        file=ContentFile(b"Versi satu.", name="draf-saja.txt"))
    document._set_document_file_metadata()
    document.save()
    section = KanwilPage.objects.get(kanwil=kanwil)
    page = section.add_child(instance=LessonLearned(
        title="Draf dengan lampiran", slug=f"draf-lampiran-{uuid.uuid4().hex[:6]}", author_kanwil=kanwil, live=False,
        attachments=[Attachment(document=document)]))
    page.save_revision(user=users["editor-kalbar"])
    try:
        client.force_login(users["editor-kalbar"])
        response = replace(client, document, "draf-saja.txt", b"Versi dua.")
        assert response.status_code == 302
        assert stored_text(document) == b"Versi dua."
        assert PageLogEntry.objects.get(page=page, action=audit.ATTACHMENT_REPLACED).user == users["editor-kalbar"]
    finally:
        document.refresh_from_db()
        document.file.delete(save=False)


# --- audit log: privacy and attachments ---------------------------------------------------------

def set_privacy(client, page, restriction_type, groups=()):
    return client.post(reverse("wagtailadmin_pages:set_privacy", args=[page.pk]), {
        "restriction_type": restriction_type, "password": "", "groups": [group.pk for group in groups]})


def privacy_entries(page):
    return list(PageLogEntry.objects.filter(page=page, action=audit.PRIVACY_ACTION).order_by("timestamp", "pk"))


def message(entry):
    return str(log_registry.get_formatter(entry).format_message(entry))


def test_privacy_changes_are_logged_with_the_groups_named(client, users):
    page = LessonLearned.objects.live().filter(author_kanwil__code="kalbar").first()
    kalbar = access.kanwil_groups(page.author_kanwil)
    client.force_login(users["reviewer-kalbar"])

    assert set_privacy(client, page, "groups", [kalbar["staf"], kalbar["editor"]]).status_code == 200
    [created] = privacy_entries(page)
    assert created.user == users["reviewer-kalbar"]
    assert created.data["groups"] == ["Kalbar · Editor", "Kalbar · Staf"]
    assert message(created) == "Dibatasi untuk: Kalbar · Editor, Kalbar · Staf"

    set_privacy(client, page, "groups", [kalbar["reviewer"]])  # different groups: one new entry
    changed = privacy_entries(page)[1:]
    assert [message(e) for e in changed] == ["Dibatasi untuk: Kalbar · Reviewer"]
    assert changed[0].data["previous"]["groups"] == ["Kalbar · Editor", "Kalbar · Staf"]

    set_privacy(client, page, "groups", [kalbar["reviewer"]])  # saved unchanged: nothing new
    assert len(privacy_entries(page)) == 2

    set_privacy(client, page, "none")
    removed = privacy_entries(page)[-1]
    assert message(removed) == "Pembatasan dihapus: terbuka untuk semua pengguna yang masuk"
    assert removed.user == users["reviewer-kalbar"] and len(privacy_entries(page)) == 3

    history = client.get(reverse("wagtailadmin_pages:history", args=[page.pk])).content.decode()
    for text in ("Dibatasi untuk: Kalbar · Editor, Kalbar · Staf", "Dibatasi untuk: Kalbar · Reviewer",
                 "Pembatasan dihapus"):
        assert text in history


def test_privacy_set_in_code_is_logged_too(users):
    page = Page.objects.live().type(*DOCUMENT_MODELS).descendant_of(KanwilPage.objects.get(kanwil__code="sumsel")).first()
    page = page.specific
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([access.kanwil_groups(page.author_kanwil)["staf"]])
    assert [message(e) for e in privacy_entries(page)] == ["Dibatasi untuk: Sumsel · Staf"]
    restriction.delete()
    assert message(privacy_entries(page)[-1]).startswith("Pembatasan dihapus")


def test_attachment_changes_are_logged_on_the_page(users):
    kanwil = KanwilPage.objects.get(kanwil__code="kalbar").kanwil
    documents = []
    for name in ("lampiran-satu.txt", "lampiran-dua.txt"):
        document = Document(title=name, collection=structure.kanwil_collection(kanwil),
                            file=ContentFile(b"Isi lampiran.", name=name))
        document._set_document_file_metadata()
        document.save()
        documents.append(document)
    page = LessonLearned.objects.live().filter(author_kanwil__code="kalbar").first()
    editor = users["editor-kalbar"]
    try:
        draft = page.get_latest_revision_as_object()
        kept = list(draft.attachments.all())
        draft.attachments = [*kept, Attachment(document=documents[0]), Attachment(document=documents[1])]
        draft.save_revision(user=editor)
        [added] = PageLogEntry.objects.filter(page=page, action=audit.ATTACHMENT_ADDED)
        assert added.user == editor and added.revision_id is not None
        one, two = (f"“{d.title}” ({d.filename})" for d in documents)
        assert message(added) == f"Lampiran ditambahkan: {one}, {two}"

        draft = LessonLearned.objects.get(pk=page.pk).get_latest_revision_as_object()
        draft.attachments = [*kept, Attachment(document=documents[1])]
        draft.save_revision(user=editor)
        [removed] = PageLogEntry.objects.filter(page=page, action=audit.ATTACHMENT_REMOVED)
        assert message(removed) == f"Lampiran dihapus dari dokumen ini: {one}"

        draft.save_revision(user=editor)  # no change in attachments: nothing new
        assert PageLogEntry.objects.filter(page=page, action__startswith="lintas.attachment").count() == 2

        draft.save_revision(user=users["reviewer-kalbar"]).publish(user=users["reviewer-kalbar"])
        stored = documents[1].file
        documents[1].delete()
        stored.storage.delete(stored.name)
        gone = PageLogEntry.objects.filter(page=page, action=audit.ATTACHMENT_REMOVED).order_by("-pk").first()
        assert message(gone) == f"Lampiran dihapus karena berkasnya dihapus: {two}"
    finally:
        for document in documents:
            if Document.objects.filter(pk=document.pk).exists():
                document.file.delete(save=False)
