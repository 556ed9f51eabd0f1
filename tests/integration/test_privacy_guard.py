"""The privacy guard against the real database and Wagtail's own admin views: a lesson with
personal data goes live only with a reviewer's override, which lands in the audit log."""
import json
import uuid
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.models import PageLogEntry, Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from lessons.privacy import guard as privacy_guard
from lessons.models import LessonLearned
from lessons.privacy.guard import PrivacyPublicationBlocked
from portal.models import KanwilPage

pytestmark = pytest.mark.django_db

PASSPORT_TEXT = "Tersangka menunjukkan paspor A1234567 saat diperiksa di Entikong."
CLEAN_TEXT = "Tersangka menunjukkan paspor yang masa berlakunya habis saat diperiksa di Entikong."


def make_lesson(user, situation=PASSPORT_TEXT, body="Penerjemah tersumpah didatangkan dari Pontianak."):
    section = KanwilPage.objects.get(kanwil__code="kalbar")
    page = LessonLearned(
        title="Pelajaran uji privasi", slug=f"uji-privasi-{uuid.uuid4().hex[:8]}", live=False,
        summary="Ringkasan tanpa data pribadi.", situation=situation, body=[("markdown", body)],
        author_kanwil=section.kanwil,
    )
    section.add_child(instance=page)
    page.save_revision(user=user)
    return LessonLearned.objects.get(pk=page.pk)


def edit_form(page, **changes):
    """POST data for Wagtail's page editor, built from the page's latest revision."""
    page = page.get_latest_revision_as_object()
    data = {
        "title": page.title, "slug": page.slug, "date": "", "summary": page.summary,
        "situation": page.situation, "action_taken": page.action_taken, "result": page.result,
        "recommendation": page.recommendation, "p19_returns": "", "days_spdp_to_p21": "",
        "validation_status": page.validation_status,
        "body": stream_data(page.body),
        "attachments": inline_formset([]), "comments": inline_formset([]),
        "seo_title": "", "search_description": "", "go_live_at": "", "expire_at": "",
    }
    data.update(changes)
    return nested_form_data(data)


def stream_data(stream):
    """StreamField form data that keeps the block ids, as the editor's JavaScript posts it."""
    blocks = {str(number): {"type": block.block_type, "value": block.value, "id": block.id, "deleted": "",
                            "order": str(number)} for number, block in enumerate(stream)}
    return {**blocks, "count": str(len(blocks))}


def edit(client, page, **changes):
    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), edit_form(page, **changes))
    page.refresh_from_db()  # latest_revision moved on
    return response


def message_texts(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def submit_for_review(client, editor, page):
    client.force_login(editor)
    response = edit(client, page, **{"action-submit": "1"})
    assert response.status_code == 302, response.content[:500]
    page.refresh_from_db()
    assert page.workflow_in_progress
    return page


def approve_in_editor(client, reviewer, page, **changes):
    client.force_login(reviewer)
    return edit(client, page, **{"action-workflow-action": "1", "workflow-action-name": "approve",
                                 "workflow-action-extra-data": "{}"}, **changes)


@pytest.fixture
def people(users):
    return users["editor-kalbar"], users["reviewer-kalbar"], users["admin"]


def test_findings_name_the_field_and_mask_the_data(people):
    editor, _, _ = people
    page = make_lesson(editor, body="Penjamin bisa dihubungi di 0812 3456 7890.")
    findings = privacy_guard.page_findings(page)
    described = [finding.describe() for finding in findings]
    assert [f.kind for f in findings] == ["paspor", "telepon"]
    assert described[0].startswith("Situasi: nomor paspor") and "A12***67" in described[0]
    assert described[1].startswith("Isi: nomor telepon") and "081* **** **90" in described[1]
    assert not any("1234567" in line or "3456" in line for line in described)


def test_publishing_from_code_is_refused_and_nothing_goes_live(people):
    editor, _, admin = people
    page = make_lesson(editor)
    with pytest.raises(PrivacyPublicationBlocked) as refused:
        page.get_latest_revision().publish(user=admin)
    assert refused.value.page_id == page.pk and "Situasi" in refused.value.findings[0].label
    page.refresh_from_db()
    assert not page.live and page.live_revision is None


def test_scheduling_is_refused_too(people):
    editor, _, admin = people
    page = make_lesson(editor)
    page.go_live_at = timezone.now() + timedelta(days=1)
    revision = page.save_revision(user=admin)
    with pytest.raises(PrivacyPublicationBlocked):
        revision.publish(user=admin)
    revision.refresh_from_db()
    assert revision.approved_go_live_at is None


def test_publish_button_keeps_the_draft_and_lists_the_findings(client, people):
    editor, _, admin = people
    page = make_lesson(editor)
    client.force_login(admin)
    response = edit(client, page, situation=PASSPORT_TEXT + " Catatan baru.", **{"action-publish": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    text = message_texts(response)
    assert "belum dapat diterbitkan" in text and "Situasi" in text and "A12***67" in text
    assert "A1234567" not in text
    page.refresh_from_db()
    assert not page.live
    assert "Catatan baru." in page.get_latest_revision_as_object().situation  # the edit is kept
    # The editor sees the findings on the edit page too.
    page_html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "data-privacy-findings" in page_html and "A12***67" in page_html


def test_approval_without_override_is_refused_in_the_editor_and_on_the_dashboard(client, people):
    editor, reviewer, _ = people
    page = submit_for_review(client, editor, make_lesson(editor))

    response = approve_in_editor(client, reviewer, page)
    assert response.status_code == 302 and "belum dapat diterbitkan" in message_texts(response)
    page.refresh_from_db()
    assert not page.live and page.workflow_in_progress  # the approval was rolled back

    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert "A12***67" in message_texts(response)

    response = client.post(url, {"comment": "setuju"}, headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 200
    assert json.loads(response.content)["redirect"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    page.refresh_from_db()
    assert not page.live and page.workflow_in_progress


def test_direct_publish_action_is_refused(people):
    """The page editor and the admin API run the publish action themselves, not Page.publish()."""
    editor, _, admin = people
    page = make_lesson(editor)
    with pytest.raises(PrivacyPublicationBlocked):
        PublishPageRevisionAction(page.get_latest_revision(), user=admin).execute()
    page.refresh_from_db()
    assert not page.live


def test_bulk_publish_is_refused_with_the_message(client, people):
    editor, _, admin = people
    clean = make_lesson(editor, situation=CLEAN_TEXT)
    page = make_lesson(editor)
    client.force_login(admin)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    response = client.post(f"{url}?id={clean.pk}&id={page.pk}&next=/admin/", {"include_descendants": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert "A12***67" in message_texts(response)
    clean.refresh_from_db()
    page.refresh_from_db()
    assert not page.live and not clean.live  # all or nothing: the bulk action is one transaction


def test_editors_cannot_override(client, people):
    editor, _, _ = people
    page = make_lesson(editor)
    client.force_login(editor)
    response = edit(client, page, privacy_override="on")
    assert response.status_code == 302
    latest = page.get_latest_revision_as_object()
    assert latest.privacy_override is False and latest.privacy_override_by is None
    # Nor from code: a revision saved by someone who may not override carries none.
    latest.privacy_override = True
    latest.save_revision(user=editor)
    assert not privacy_guard.override_covers(latest, privacy_guard.page_findings(latest))


def test_reviewer_override_publishes_and_is_audited(client, people):
    editor, reviewer, _ = people
    page = submit_for_review(client, editor, make_lesson(editor))

    # Ticking the override is an edit: with WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT the
    # new revision (carrying the override) needs its own approval before it goes live.
    response = approve_in_editor(client, reviewer, page, privacy_override="on")
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live and page.workflow_in_progress
    task_state = page.current_workflow_task_state
    assert task_state.revision.as_object().privacy_override_by == reviewer
    response = client.post(reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and not page.workflow_in_progress and page.privacy_override_by == reviewer

    entry = PageLogEntry.objects.get(page=page, action="lintas.privacy_override")
    assert entry.user == reviewer and entry.revision_id == page.live_revision_id
    assert entry.data["reviewer"] == "reviewer-kalbar" and entry.data["override_valid"] is True
    assert entry.data["findings"][0]["label"] == "Situasi"
    assert "A12***67" in entry.data["findings"][0]["excerpt"]
    assert "A1234567" not in json.dumps(entry.data)
    assert "Situasi" in entry.message  # the registered formatter reads the findings
    history = client.get(reverse("wagtailadmin_pages:history", args=[page.pk]))
    assert history.status_code == 200
    assert "Diterbitkan dengan 1 temuan privasi atas izin reviewer reviewer-kalbar" in history.content.decode()


def test_any_later_edit_needs_a_new_override(client, people):
    editor, reviewer, admin = people
    page = make_lesson(editor)
    client.force_login(reviewer)
    assert edit(client, page, privacy_override="on").status_code == 302  # reviewer's draft, overridden
    assert page.get_latest_revision_as_object().privacy_override_by == reviewer

    client.force_login(editor)
    assert edit(client, page, summary="Ringkasan diperbaiki.").status_code == 302
    with pytest.raises(PrivacyPublicationBlocked):
        page.get_latest_revision().publish(user=admin)

    # A reviewer's override covers the data it saw, not data added afterwards, even when the
    # override fields are carried along into a revision written without save_revision().
    overridden = page.get_latest_revision_as_object()
    overridden.privacy_override = True
    overridden.save_revision(user=reviewer)
    page.refresh_from_db()
    changed = page.get_latest_revision_as_object()
    assert changed.privacy_override_by == reviewer and changed.privacy_override_digest
    changed.situation += " Nomor kontak 0812 3456 7890."
    forged = Revision.objects.create(
        content_object=changed, base_content_type=changed.get_base_content_type(),
        content=changed.serializable_data(), user=editor, object_str=str(changed))
    with pytest.raises(PrivacyPublicationBlocked) as refused:
        forged.publish(user=admin)
    assert [f.kind for f in refused.value.findings] == ["paspor", "telepon"]


def test_reviewer_of_another_kanwil_may_not_override(people, users):
    editor, reviewer, admin = people
    page = make_lesson(editor)
    assert privacy_guard.user_may_override(reviewer, page)
    assert privacy_guard.user_may_override(admin, page)
    assert not privacy_guard.user_may_override(users["reviewer-sumsel"], page)
    assert not privacy_guard.user_may_override(editor, page)


def test_clean_lesson_is_approved_and_published_normally(client, people):
    editor, reviewer, _ = people
    page = submit_for_review(client, editor, make_lesson(editor, situation=CLEAN_TEXT))
    response = approve_in_editor(client, reviewer, page)
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and not page.workflow_in_progress
    assert not PageLogEntry.objects.filter(page=page, action="lintas.privacy_override").exists()
    page_html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "data-privacy-findings" not in page_html


def test_refusal_reads_like_a_validation_error_per_field(people):
    """Importers and the admin API report it as they report any validation error."""
    editor, _, admin = people
    page = make_lesson(editor)
    with pytest.raises(PrivacyPublicationBlocked) as refused:
        page.get_latest_revision().publish(user=admin)
    errors = refused.value.message_dict
    assert "belum dapat diterbitkan" in errors["__all__"][0]
    assert errors["situation"] == [
        "Situasi: nomor paspor Tersangka menunjukkan paspor A12***67 saat diperiksa di Entikong."]
    assert str(refused.value).splitlines()[1].startswith("Situasi: nomor paspor")


def create_lesson(client, user, situation, **extra):
    section = KanwilPage.objects.get(kanwil__code="kalbar")
    slug = f"uji-baru-{uuid.uuid4().hex[:8]}"
    client.force_login(user)
    data = nested_form_data({
        "title": "Pelajaran baru", "slug": slug, "date": "", "summary": "", "situation": situation,
        "action_taken": "", "result": "", "recommendation": "", "p19_returns": "", "days_spdp_to_p21": "",
        "validation_status": "belum-divalidasi", "body": stream_data([]),
        "attachments": inline_formset([]), "comments": inline_formset([]),
        "seo_title": "", "search_description": "", "go_live_at": "", "expire_at": "", "action-publish": "1",
        **extra,
    })
    response = client.post(reverse("wagtailadmin_pages:add", args=["lessons", "lessonlearned", section.pk]), data)
    return response, LessonLearned.objects.get(slug=slug)


def test_creating_with_publish_keeps_a_draft(client, people):
    _, reviewer, _ = people
    response, page = create_lesson(client, reviewer, "Kontak penjamin: penjamin@contoh.co.id")
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert "alamat e-mail" in message_texts(response) and "penjamin@contoh.co.id" not in message_texts(response)
    assert not page.live  # Wagtail inserts the new page as live before publishing; not with findings


def test_creating_with_override_publishes(client, people):
    _, reviewer, _ = people
    response, page = create_lesson(client, reviewer, "Kontak penjamin: penjamin@contoh.co.id",
                                   privacy_override="on")
    assert response.status_code == 302
    assert page.live and page.privacy_override_by == reviewer
    assert PageLogEntry.objects.filter(page=page, action="lintas.privacy_override", user=reviewer).exists()


def test_only_the_kanwil_reviewers_see_the_override(client, people):
    editor, reviewer, _ = people
    page = make_lesson(editor)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    client.force_login(reviewer)
    html = client.get(edit_url).content.decode()
    assert "data-privacy-findings" in html and 'name="privacy_override"' in html
    client.force_login(editor)
    html = client.get(edit_url).content.decode()
    assert "data-privacy-findings" in html and 'name="privacy_override"' not in html
    assert "Hanya reviewer Kanwil ini" in html
