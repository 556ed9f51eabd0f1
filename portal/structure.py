"""The site tree and who may do what in it: a home page, one section per Kanwil, and per
Kanwil three groups (staff, editors, reviewers) with page permissions, a review workflow and
a document collection of its own. Idempotent, so it runs on every demo load, after adding a
Kanwil, and (through a data migration) on existing installations."""
from django.contrib.auth.models import Permission
from django.db import transaction
from wagtail.models import (
    Collection, GroupApprovalTask, GroupCollectionPermission, GroupPagePermission, Page, Site, Workflow,
    WorkflowPage, WorkflowTask,
)

from lessons.access import rules as access
from lessons.models import Kanwil

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
    ensure_document_collection(kanwil, groups)
    _ensure_workflow(page, kanwil, groups["reviewer"])
    return page


def collection_name(kanwil):
    return str(kanwil)  # "Kanwil Kalbar", like its section page


def kanwil_collection(kanwil):
    """The Kanwil's own document collection (a child of the root collection), created on first use."""
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=collection_name(kanwil)).first()
    return collection or root.add_child(instance=Collection(name=collection_name(kanwil)))


def ensure_document_collection(kanwil, groups=None):
    """Attachments are as separate as the pages: a Kanwil's editors and reviewers add, change
    and choose documents in their own collection only. Permissions on any other collection
    (the root one of earlier versions, which every Kanwil shared) are taken away."""
    groups = groups or access.kanwil_groups(kanwil)
    collection = kanwil_collection(kanwil)
    wanted = [_permission(codename, "wagtaildocs") for codename in DOCUMENT_PERMISSIONS]
    for role in PAGE_PERMISSIONS:
        group = groups[role]
        GroupCollectionPermission.objects.filter(
            group=group, permission__content_type__app_label="wagtaildocs").exclude(collection=collection).delete()
        for permission in wanted:
            GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)
    return collection


def adopt_documents():
    """Documents left in the root collection move to the collection of the Kanwil whose pages
    use them (or, unused, of the Kanwil whose editor uploaded them); documents used by
    several Kanwil, or by none and uploaded by an administrator, stay where they are."""
    from wagtail.documents import get_document_model

    from lessons.models import Attachment

    root = Collection.get_first_root_node()
    sections = list(KanwilPage.objects.select_related("kanwil"))
    moved = 0
    for document in get_document_model().objects.filter(collection=root).select_related("uploaded_by_user"):
        paths = Attachment.objects.filter(document=document).values_list("page__path", flat=True)
        kanwil = {section.kanwil for section in sections for path in paths if path.startswith(section.path)}
        if not paths and document.uploaded_by_user is not None:
            kanwil = _uploader_kanwil(document.uploaded_by_user)
        if len(kanwil) == 1:
            document.collection = kanwil_collection(kanwil.pop())
            document.save(update_fields=["collection"])
            moved += 1
    return moved


def _uploader_kanwil(user):
    names = {access.group_name(kanwil, role): kanwil for kanwil in Kanwil.objects.all() for role in PAGE_PERMISSIONS}
    return {names[name] for name in user.groups.values_list("name", flat=True) if name in names}


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
    adopt_documents()
    return home
