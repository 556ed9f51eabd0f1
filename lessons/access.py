"""Who may see which document. Wagtail page privacy (group restrictions) is the source of
truth; listings here and the search index both derive from it."""
from django.contrib.auth.models import Group
from wagtail.models import Page, PageViewRestriction

PUBLIC = "all"  # access token of documents every logged-in officer may read

ROLES = {
    "staf": "Staf",
    "editor": "Editor",
    "reviewer": "Reviewer",
}


def group_name(kanwil, role):
    """Display name of a Kanwil's group, e.g. 'Kalbar · Editor'."""
    return f"{kanwil.short_name} · {ROLES[role]}"


def kanwil_groups(kanwil):
    return {role: Group.objects.get_or_create(name=group_name(kanwil, role))[0] for role in ROLES}


def group_restrictions():
    return PageViewRestriction.objects.filter(restriction_type=PageViewRestriction.GROUPS).select_related("page")


def access_tokens_for_page(page, restrictions=None):
    """Tokens stored in the index: 'all', or one 'group:<id>' per group allowed by the
    nearest restrictions on the page or its ancestors (every restriction must be met)."""
    restrictions = group_restrictions() if restrictions is None else restrictions
    applying = [r for r in restrictions if page.path.startswith(r.page.path)]
    if not applying:
        return [PUBLIC]
    # A reader must pass every restriction on the way down; the groups allowed by all of
    # them are the only ones that surely do. Conservative, so nothing leaks.
    allowed = None
    for restriction in applying:
        group_ids = set(restriction.groups.values_list("id", flat=True))
        allowed = group_ids if allowed is None else allowed & group_ids
    return [f"group:{group_id}" for group_id in sorted(allowed)] or ["nobody"]


def access_tokens_for_user(user):
    """Tokens a reader holds; None means unrestricted (superusers)."""
    if user.is_superuser:
        return None
    return [PUBLIC] + [f"group:{group_id}" for group_id in user.groups.values_list("id", flat=True)]


def visible_pages(user, queryset):
    """Narrow a page queryset to what the user may read."""
    if user.is_superuser:
        return queryset
    user_groups = set(user.groups.values_list("id", flat=True)) if user.is_authenticated else set()
    for restriction in group_restrictions().prefetch_related("groups"):
        if not user_groups & {group.id for group in restriction.groups.all()}:
            queryset = queryset.not_descendant_of(restriction.page, inclusive=True)
    return queryset


def document_queryset():
    from .models import DOCUMENT_MODELS

    return Page.objects.live().type(*DOCUMENT_MODELS)


def visible_documents(user):
    """Live documents the user may read, newest first, as specific pages."""
    return visible_pages(user, document_queryset()).specific().order_by("-first_published_at")
