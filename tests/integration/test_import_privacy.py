"""A Markdown file's `restricted_to` and the live page's privacy (issue 7, hole 6): a draft
import by someone who may not publish leaves the live restriction alone; publishing the
draft (by a reviewer) applies it; importers who may publish change it at once."""
import pytest
from wagtail.models import PageViewRestriction

from lessons.access import rules as access
from lessons.markdown.importing import import_file
from lessons.models import Kanwil, LessonLearned

pytestmark = pytest.mark.django_db

LESSON = """---
type: pelajaran
title: Pelajaran uji privasi impor
kanwil: kalbar
date: 2024-10-01
stages: [p-19]
summary: Uji pembatasan akses dari front matter.
{restricted}---

## Situasi

{situation}
"""


def md(situation="Berkas dikembalikan.", restricted=()):
    line = f"restricted_to: [{', '.join(restricted)}]\n" if restricted else ""
    return LESSON.format(restricted=line, situation=situation).encode()


def do_import(raw, user, publish=False):
    result = import_file("pelajaran-uji-privasi-impor.md", raw, publish=publish, user=user,
                         check_permissions=user is not None)
    assert result.ok, [str(p) for p in result.problems]
    return LessonLearned.objects.get(pk=result.page.pk)


def allowed_groups(page):
    """None: public; else the set of group names the page's restriction allows."""
    restrictions = PageViewRestriction.objects.filter(page=page)
    if not restrictions.exists():
        return None
    return {group.name for r in restrictions for group in r.groups.all()}


def kalbar_groups():
    return {group.name for group in access.kanwil_groups(Kanwil.objects.get(code="kalbar")).values()}


def test_editor_draft_import_waits_for_publication(users):
    editor, reviewer = users["editor-kalbar"], users["reviewer-kalbar"]
    page = do_import(md(), user=None, publish=True)  # live and public
    assert page.live and allowed_groups(page) is None

    page = do_import(md("Berkas dikembalikan lagi.", restricted=["kalbar"]), user=editor)
    assert not page.permissions_for_user(editor).can_publish()
    assert allowed_groups(page) is None, "a draft import must not change the live page's privacy"
    assert access.access_tokens_for_page(page) == [access.PUBLIC]

    # The reviewer publishes the draft: now the file's restriction applies.
    page.get_latest_revision().publish(user=reviewer)
    assert allowed_groups(page) == kalbar_groups()

    # Applied once: a later publication does not bring back a restriction changed since.
    PageViewRestriction.objects.filter(page=page).delete()
    page = LessonLearned.objects.get(pk=page.pk)
    page.get_latest_revision_as_object().save_revision(user=reviewer).publish(user=reviewer)
    assert allowed_groups(page) is None


def test_editor_draft_import_cannot_open_a_restricted_page_either(users):
    editor, reviewer = users["editor-kalbar"], users["reviewer-kalbar"]
    page = do_import(md(restricted=["kalbar"]), user=None, publish=True)
    assert allowed_groups(page) == kalbar_groups()

    page = do_import(md("Sekarang untuk semua."), user=editor)  # no restricted_to: public
    assert allowed_groups(page) == kalbar_groups()
    page.get_latest_revision().publish(user=reviewer)
    assert allowed_groups(page) is None


def test_importer_who_may_publish_changes_privacy_at_once(users):
    reviewer = users["reviewer-kalbar"]
    page = do_import(md(), user=None, publish=True)
    page = do_import(md("Draf reviewer.", restricted=["kalbar"]), user=reviewer)
    assert page.permissions_for_user(reviewer).can_publish()
    assert allowed_groups(page) == kalbar_groups()


def test_command_line_draft_import_waits_too(users):
    page = do_import(md(), user=None, publish=True)
    do_import(md("Draf dari baris perintah.", restricted=["kalbar"]), user=None)
    assert allowed_groups(page) is None
