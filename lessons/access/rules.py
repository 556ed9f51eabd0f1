"""Who may see which document. Wagtail page privacy (group restrictions) is the source of
truth; listings, page serving, attachment downloads and the search index all derive from it.

Wagtail's "password" privacy option is switched off (WAGTAIL_PRIVATE_PAGE_OPTIONS): a shared
password cannot tell one Kanwil's officers from another's. A password restriction that still
exists (made before, or through code) therefore counts as a group restriction allowing no
group: nobody but superusers reads the page, on every surface."""
from django.contrib.auth.models import Group
from django.db.models import Q
from django.db.models.functions import Substr
from django.db.models.lookups import In
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


PASSWORD = PageViewRestriction.PASSWORD
NOBODY = "nobody"  # access token no reader holds


def group_restrictions():
    """Every restriction that limits who reads a page: group ones, and password ones (which
    allow no group; see above). 'Logged-in users only' limits nobody on this intranet."""
    return PageViewRestriction.objects.filter(
        restriction_type__in=[PageViewRestriction.GROUPS, PASSWORD]).select_related("page")


def allowed_group_ids(restriction):
    if restriction.restriction_type == PASSWORD:
        return set()
    return {group.id for group in restriction.groups.all()}


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
        group_ids = allowed_group_ids(restriction)
        allowed = group_ids if allowed is None else allowed & group_ids
    return [f"group:{group_id}" for group_id in sorted(allowed)] or [NOBODY]


def access_tokens_for_user(user):
    """Tokens a reader holds; None means unrestricted (superusers)."""
    if user.is_superuser:
        return None
    return [PUBLIC] + [f"group:{group_id}" for group_id in user.groups.values_list("id", flat=True)]


def visible_pages(user, queryset):
    """Narrow a page queryset to what the user may read, with one path__startswith per hidden
    path: the form Wagtail's search backends read, so the result can still be searched
    (search.fallback). Listings use without_paths (the same rule, cheaper per row)."""
    hidden = Q()
    for path in hidden_paths(user):
        hidden |= Q(path__startswith=path)  # the page and its descendants
    # One exclude for all (one per restriction cloned the whole query each time).
    return queryset.exclude(hidden) if hidden else queryset


def hidden_paths(user):
    """Tree paths of the restrictions the user does not pass, sorted: each hides its page
    and every page below it. Empty for superusers, who read everything. Two readers with
    the same hidden paths read the same pages, so it can key what is cached per reader."""
    if user.is_superuser:
        return ()
    user_groups = set(user.groups.values_list("id", flat=True)) if user.is_authenticated else set()
    return tuple(sorted({path for path, group_ids in _restricted_paths() if not user_groups & group_ids}))


def without_paths(queryset, paths):
    """The queryset without the pages at or below any of `paths` (tree paths).

    A page is below a path when its own path starts with it, i.e. when its first
    len(path) characters equal it. So the test is one IN per length of hidden path (a
    tree depth) instead of one LIKE per path: each row costs a lookup in a set of
    constants however many restrictions there are (LIKE compared every pattern, on every
    candidate row: 34 of them on every document of a Kanwil at 100k), and an equality
    reads the same under any database collation."""
    by_length = {}
    for path in paths:
        by_length.setdefault(len(path), []).append(path)
    hidden = Q()
    for length, group in sorted(by_length.items()):
        hidden |= Q(In(Substr("path", 1, length), group))
    return queryset.exclude(hidden) if hidden else queryset


def _restricted_paths():
    """[(tree path, ids of the groups allowed)] of every group or password restriction, in
    one query (restrictions joined to their groups; a password one allows no group)."""
    found = {}
    rows = group_restrictions().values_list("id", "page__path", "restriction_type", "groups__id")
    for restriction_id, path, kind, group_id in rows:
        groups = found.setdefault(restriction_id, (path, set()))[1]
        if group_id is not None and kind != PASSWORD:
            groups.add(group_id)
    return list(found.values())


def document_queryset():
    from lessons.models import DOCUMENT_MODELS

    return Page.objects.live().type(*DOCUMENT_MODELS)


def visible_documents(user):
    """Live documents the user may read, newest first, as specific pages, with the Kanwil
    their cards show fetched per query rather than per card."""
    return (without_paths(document_queryset(), hidden_paths(user)).specific()
            .prefetch_related("author_kanwil", for_specific_subqueries=True).order_by("-first_published_at"))


def served_restrictions(page):
    """The view restrictions on the page and its ancestors, read once per page object: the
    serving hooks each ask while one request serves it (the object lives for that request)."""
    if "_served_restrictions" not in page.__dict__:
        page._served_restrictions = list(page.get_view_restrictions())
    return page._served_restrictions


def password_protected(page):
    """Whether a password restriction sits on the page or one of its ancestors."""
    return any(restriction.restriction_type == PASSWORD for restriction in served_restrictions(page))


# --- attachment files --------------------------------------------------------------------

def _attached_in_revision(content, document_id):
    return any(row.get("document") == document_id for row in (content or {}).get("attachments") or [])


def _editable_pages_attaching(user, document):
    """Pages the user may edit that carry the file in their stored rows (a draft, an
    unpublished or scheduled page) or in their latest revision (a file added in a draft)."""
    from wagtail.permission_policies.pages import PagePermissionPolicy

    from lessons.models import Attachment

    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    stored = set(Attachment.objects.filter(document=document).values_list("page_id", flat=True))
    found = editable.filter(id__in=stored)
    if found.exists():
        return True
    drafts = editable.filter(latest_revision__isnull=False).exclude(id__in=stored).filter(
        Q(has_unpublished_changes=True) | Q(live=False))
    return any(_attached_in_revision(content, document.pk)
               for content in drafts.values_list("latest_revision__content", flat=True))


def may_download(user, document):
    """A reader gets an attachment's file only when the file belongs to the live version
    of a live page they may read. Those who may edit a page carrying it in any version
    (its Kanwil's editors and reviewers) get it too, to review drafts; so does whoever
    uploaded it. Anyone else: the file does not exist."""
    from lessons.models import Attachment

    if user.is_superuser:
        return True
    if not user.is_authenticated:
        return False
    # For a live page the stored attachment rows are those of its live revision: drafts
    # and scheduled revisions keep theirs inside the revision until published.
    live = Page.objects.live().filter(id__in=Attachment.objects.filter(document=document).values("page_id"))
    if visible_pages(user, live).exists():
        return True
    if document.uploaded_by_user_id == user.pk:
        return True
    return _editable_pages_attaching(user, document)
