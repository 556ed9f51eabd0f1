"""The site tree and who may do what in it: a home page, one section per Kanwil, and per
Kanwil three groups (staff, editors, reviewers) with page permissions and a review workflow.
Idempotent, so it runs on every demo load and after adding a Kanwil."""
from django.contrib.auth.models import Permission
from django.db import transaction
from wagtail.models import (
    Collection, GroupApprovalTask, GroupCollectionPermission, GroupPagePermission, Page, Site, Workflow,
    WorkflowPage, WorkflowTask,
)

from lessons import access
from lessons.taxonomy import Kanwil

from .models import HomePage, KanwilPage

# Editors draft and submit; only reviewers publish (through the workflow's approval).
PAGE_PERMISSIONS = {
    "editor": ["add_page", "change_page"],
    "reviewer": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
DOCUMENT_PERMISSIONS = ["add_document", "change_document", "choose_document"]
ADMIN_PERMISSIONS = [("wagtailadmin", "access_admin")]
GLOSSARY_PERMISSIONS = ["add_glossaryterm", "change_glossaryterm", "view_glossaryterm"]


def ensure_home():
    """The single HomePage, as the root of the default Site."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        for welcome in root.get_children().exact_type(Page):
            welcome.delete()  # Wagtail's placeholder "Welcome" page
        home = root.add_child(instance=HomePage(title="Lintas Kanwil", slug="beranda"))
        home.save_revision().publish()
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost",
                                                                  "port": 80, "site_name": "Lintas Kanwil"})
    return home


def _permission(codename, app_label=None):
    query = Permission.objects.filter(codename=codename)
    return query.get(content_type__app_label=app_label) if app_label else query.get()


def ensure_kanwil_section(home, kanwil):
    page = KanwilPage.objects.filter(kanwil=kanwil).first()
    if page is None:
        page = home.add_child(instance=KanwilPage(title=f"Kanwil {kanwil.short_name}", slug=kanwil.code, kanwil=kanwil))
        page.save_revision().publish()
    groups = access.kanwil_groups(kanwil)
    for role, codenames in PAGE_PERMISSIONS.items():
        group = groups[role]
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=_permission(codename, "wagtailcore"))
        group.permissions.add(_permission("access_admin", "wagtailadmin"))
        group.permissions.add(*(_permission(c, "lessons") for c in GLOSSARY_PERMISSIONS))
        root_collection = Collection.get_first_root_node()
        for codename in DOCUMENT_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=_permission(codename, "wagtaildocs"))
    _ensure_workflow(page, kanwil, groups["reviewer"])
    return page


def _ensure_workflow(page, kanwil, reviewers):
    task, _ = GroupApprovalTask.objects.get_or_create(name=f"Persetujuan reviewer {kanwil.short_name}")
    task.groups.set([reviewers])
    workflow, _ = Workflow.objects.get_or_create(name=f"Review {kanwil.short_name}")
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})


@transaction.atomic
def ensure_structure(progress=None):
    home = ensure_home()
    for kanwil in Kanwil.objects.all():
        ensure_kanwil_section(home, kanwil)
        if progress:
            progress(kanwil)
    return home
