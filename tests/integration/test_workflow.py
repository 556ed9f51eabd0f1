"""Review workflow per Kanwil, exercised through Wagtail's own admin views: editors draft
and submit, reviewers of the same Kanwil approve or send back with a comment, nobody edits
another Kanwil's pages, revisions compare and roll back, and publishing can be scheduled."""
import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Revision, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, querydict_from_html, streamfield

from lessons.models import DOCUMENT_MODELS, LessonLearned
from portal.models import KanwilPage

pytestmark = pytest.mark.django_db

FORM_ID = "page-edit-form"


def form_data(response, source=None, **changes):
    """What a browser would post back from an admin page form: the rendered fields, plus the
    body StreamField and the comments formset (both built by JavaScript in a browser)."""
    assert response.status_code == 200, response.status_code
    data = querydict_from_html(response.content.decode(), form_id=FORM_ID)
    for key in list(data):  # browsers drop the newline Django puts after <textarea>
        data.setlist(key, [v[1:] if v.startswith("\n") else v for v in data.getlist(key)])
    body = [(block.block_type, block.value) for block in source.body] if source is not None else []
    for key, value in nested_form_data({"body": streamfield(body), "comments": inline_formset([])}).items():
        data.setdefault(key, value)
    for key, value in changes.items():
        data[key] = value
    return data


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.id])


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=["lessons", "lessonlearned", parent.id])


def kanwil_page(code):
    return KanwilPage.objects.get(kanwil__code=code)


def login(client, users, name):
    client.force_login(users[name])
    return client


def create_draft(client, users, title="Pelajaran uji alur tinjauan", slug="pelajaran-uji-alur", **extra):
    """editor-kalbar creates a lesson in Kalbar through the admin's add form."""
    login(client, users, "editor-kalbar")
    parent = kanwil_page("kalbar")
    data = form_data(client.get(add_url(parent)), title=title, slug=slug,
                     situation="Juru bahasa belum disumpah.", **extra)
    response = client.post(add_url(parent), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return LessonLearned.objects.get(slug=slug)


def edit(client, page, **changes):
    page = page.specific
    response = client.get(edit_url(page))
    return client.post(edit_url(page), form_data(response, page.get_latest_revision_as_object(), **changes))


def workflow_action(client, page, action, comment=""):
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.id, action, task_state.id])
    return client.post(url, {"comment": comment})


def test_editor_drafts_and_submits_and_the_kanwil_reviewer_approves(client, users):
    page = create_draft(client, users)
    assert not page.live and page.owner == users["editor-kalbar"]
    assert page.author_kanwil.code == "kalbar"

    edit_page = client.get(edit_url(page)).content.decode()
    assert 'name="action-submit"' in edit_page
    assert 'name="action-publish"' not in edit_page  # no publish button for editors

    response = edit(client, page, **{"action-submit": "1"})
    assert response.status_code == 302
    page.refresh_from_db()
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "Review Kalbar"
    assert page.current_workflow_task.name == "Persetujuan reviewer Kalbar"
    assert not page.live

    login(client, users, "reviewer-kalbar")
    assert workflow_action(client, page, "approve", "Sudah sesuai.").status_code in (200, 302)
    page.refresh_from_db()
    assert page.live and not page.has_unpublished_changes
    assert page.live_revision.user == users["editor-kalbar"]
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED


def test_reviewer_sends_back_with_a_comment_and_the_editor_resubmits(client, users):
    page = create_draft(client, users)
    edit(client, page, **{"action-submit": "1"})
    page.refresh_from_db()

    login(client, users, "reviewer-kalbar")
    workflow_action(client, page, "reject", "Lampirkan berita acara sumpah.")
    page.refresh_from_db()
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES and not page.live
    task_state = state.current_task_state
    assert task_state.status == task_state.STATUS_REJECTED
    assert task_state.get_comment() == "Lampirkan berita acara sumpah."

    login(client, users, "editor-kalbar")
    history = client.get(reverse("wagtailadmin_pages:workflow_history_detail", args=[page.id, state.id]))
    assert "Lampirkan berita acara sumpah." in history.content.decode()  # the editor sees why
    edit(client, page, situation="Berita acara sumpah dilampirkan.", **{"action-submit": "1"})
    page.refresh_from_db()
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS

    login(client, users, "reviewer-kalbar")
    workflow_action(client, page, "approve")
    page.refresh_from_db()
    assert page.live and page.specific.situation == "Berita acara sumpah dilampirkan."


@pytest.mark.parametrize("outsider", ["reviewer-sumsel", "editor-kalbar", "staf-kalbar"])
def test_only_reviewers_of_the_same_kanwil_can_approve(client, users, outsider):
    page = create_draft(client, users)
    edit(client, page, **{"action-submit": "1"})
    page.refresh_from_db()

    login(client, users, outsider)
    response = workflow_action(client, page, "approve")
    assert response.status_code in (302, 403)
    page.refresh_from_db()
    assert not page.live
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_editor_cannot_publish_directly(client, users):
    page = create_draft(client, users)
    response = edit(client, page, title="Diterbitkan diam-diam", **{"action-publish": "1"})
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert not page.live  # saved as a draft at most, never published

    published = LessonLearned.objects.live().filter(author_kanwil__code="kalbar").first()
    before = published.title
    edit(client, published, title="Diubah tanpa tinjauan", **{"action-publish": "1"})
    published.refresh_from_db()
    assert published.title == before and published.has_unpublished_changes
    assert client.post(reverse("wagtailadmin_pages:unpublish", args=[published.id])).status_code in (302, 403)
    published.refresh_from_db()
    assert published.live


def test_editor_cannot_touch_another_kanwils_pages(client, users):
    sumsel_page = Page.objects.live().descendant_of(kanwil_page("sumsel")).type(*DOCUMENT_MODELS).first().specific
    title = sumsel_page.title
    revisions = sumsel_page.revisions.count()
    login(client, users, "editor-kalbar")

    assert client.get(edit_url(sumsel_page)).status_code in (302, 403)
    own = client.get(edit_url(LessonLearned.objects.filter(author_kanwil__code="kalbar").first()))
    post_data = form_data(own, title="Dibajak dari Kalbar")  # a well-formed form, aimed at Sumsel
    assert client.post(edit_url(sumsel_page), post_data).status_code in (302, 403)
    sumsel_page.refresh_from_db()
    assert sumsel_page.title == title and sumsel_page.revisions.count() == revisions

    sumsel = kanwil_page("sumsel")
    assert client.get(add_url(sumsel)).status_code in (302, 403)
    post_data.update({"title": "Titipan", "slug": "titipan-dari-kalbar"})
    assert client.post(add_url(sumsel), post_data).status_code in (302, 403)
    assert not LessonLearned.objects.filter(slug="titipan-dari-kalbar").exists()
    for name in ("delete", "unpublish", "move"):
        url = reverse(f"wagtailadmin_pages:{name}", args=[sumsel_page.id])
        assert client.post(url).status_code in (302, 403), name
    sumsel_page.refresh_from_db()
    assert sumsel_page.live


def test_staff_have_no_admin_access(client, users):
    page = LessonLearned.objects.live().filter(author_kanwil__code="kalbar").first()
    login(client, users, "staf-kalbar")
    for url in (edit_url(page), reverse("wagtailadmin_home"), add_url(kanwil_page("kalbar"))):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert response.status_code == 403 or response["Location"].startswith(reverse("wagtailadmin_login"))
    assert client.get(page.url).status_code == 200  # reading stays open to them


def test_revisions_can_be_compared_and_rolled_back(client, users):
    page = create_draft(client, users, title="Versi pertama")
    first = page.latest_revision
    edit(client, page, title="Versi kedua", situation="Isi yang keliru.")
    page.refresh_from_db()
    second = page.latest_revision
    assert second.id != first.id and page.title == "Versi kedua"

    compare = client.get(reverse("wagtailadmin_pages:revisions_compare", args=[page.id, first.id, second.id]))
    html = compare.content.decode()
    assert compare.status_code == 200
    assert 'Versi <span class="deletion">pertama</span><span class="addition">kedua</span>' in html
    assert '<span class="addition">Isi yang keliru.</span>' in html

    revert = client.get(reverse("wagtailadmin_pages:revisions_revert", args=[page.id, first.id]))
    data = form_data(revert, first.as_object())
    assert data["title"] == "Versi pertama"
    assert client.post(edit_url(page), data).status_code == 302
    page.refresh_from_db()
    rolled_back = page.get_latest_revision_as_object()
    assert rolled_back.title == "Versi pertama" and rolled_back.situation == "Juru bahasa belum disumpah."
    assert page.revisions.count() == 3  # the rollback is itself a new revision; history stays


def test_publication_can_be_scheduled_and_happens_via_publish_scheduled(client, users, monkeypatch):
    go_live = timezone.localtime() + datetime.timedelta(days=2)
    page = create_draft(client, users)
    edit(client, page, go_live_at=go_live.strftime("%Y-%m-%d %H:%M"), **{"action-submit": "1"})
    page.refresh_from_db()

    login(client, users, "reviewer-kalbar")
    workflow_action(client, page, "approve")
    page.refresh_from_db()
    assert not page.live  # approved, but waiting for its time
    scheduled = Revision.page_revisions.get(object_id=str(page.id), approved_go_live_at__isnull=False)
    assert abs(scheduled.approved_go_live_at - go_live) < datetime.timedelta(minutes=1)

    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live  # not before its time

    # The time comes: the clock (only the clock) moves past the approved moment.
    later = go_live + datetime.timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live and page.live_revision_id == scheduled.id


def test_structure_gives_each_kanwil_its_own_groups_permissions_and_workflow():
    """The data the rules above rest on, for a Kanwil beyond the two demo ones."""
    from wagtail.models import GroupPagePermission

    section = kanwil_page("bali")
    perms = {(p.group.name, p.permission.codename) for p in GroupPagePermission.objects.filter(page=section)}
    assert ("Bali · Editor", "add_page") in perms and ("Bali · Editor", "change_page") in perms
    assert ("Bali · Editor", "publish_page") not in perms
    assert ("Bali · Reviewer", "publish_page") in perms
    assert not any(name == "Bali · Staf" for name, _ in perms)
    workflow = section.get_workflow()
    assert workflow.name == "Review Bali" and workflow.active
    [task] = [t.specific for t in workflow.tasks]
    assert [g.name for g in task.groups.all()] == ["Bali · Reviewer"]
