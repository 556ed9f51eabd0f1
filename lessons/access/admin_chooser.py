"""Wagtail's page chooser, held to lessons.access.admin_scope: its lists are narrowed by the
`construct_page_chooser_queryset` hook (lessons/wagtail_hooks/admin_scope.py); these views
close the doors the hook does not reach. Browsing into a page the user may not list is
"not found", "chosen" answers only name listable pages, and every title shown is the one the
user may see (the live title of a page they cannot edit, never a newer draft's).

Mounted in front of Wagtail's own chooser URLs (see lessons/access/admin_urls.py)."""
import copy

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from wagtail.admin.views import chooser
from wagtail.models import Page

from . import admin_scope


def masked(page, editable_ids):
    """The page as a user who cannot edit it may see it: its draft title is the live one.
    A copy, so nothing of it can be saved back."""
    if page is None or page.pk in editable_ids or page.draft_title == page.title:
        return page
    page = copy.copy(page)
    page.draft_title = page.title
    return page


class _Scoped:
    """Mixed into Wagtail's chooser columns: each cell renders the masked page."""

    editable_ids = frozenset()


class TitleColumn(_Scoped, chooser.PageTitleColumn):
    def get_value(self, instance):
        return masked(instance, self.editable_ids).get_admin_display_title()

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["page"] = masked(instance, self.editable_ids)
        return context


class ParentColumn(_Scoped, chooser.ParentPageColumn):
    def get_value(self, instance):
        return masked(instance.get_parent(), self.editable_ids)


class NavigateColumn(_Scoped, chooser.PageNavigateToChildrenColumn):
    def get_value(self, instance):
        return masked(instance, self.editable_ids)


SCOPED_COLUMNS = {
    chooser.PageTitleColumn: TitleColumn,
    chooser.ParentPageColumn: ParentColumn,
    chooser.PageNavigateToChildrenColumn: NavigateColumn,
}


class ScopedColumnsMixin:
    @property
    def columns(self):
        editable_ids = frozenset(admin_scope.editable_pages(self.request.user).values_list("pk", flat=True)) \
            if not self.request.user.is_superuser else _Everything()
        columns = super().columns
        for column in columns:
            scoped = SCOPED_COLUMNS.get(type(column))
            if scoped is not None:
                # Same column, same constructor arguments; only the cell rendering differs.
                column.__class__ = scoped
                column.editable_ids = editable_ids
        return columns


class _Everything:
    def __contains__(self, item):
        return True


class BrowseView(ScopedColumnsMixin, chooser.BrowseView):
    def get(self, request, parent_page_id=None):
        if parent_page_id is not None:
            parent = get_object_or_404(Page, id=parent_page_id)
            if not admin_scope.may_list(request.user, parent):
                raise Http404
        return super().get(request, parent_page_id)


class SearchView(ScopedColumnsMixin, chooser.SearchView):
    pass


class ChosenMultipleView(chooser.ChosenMultipleView):
    def get(self, request):
        pks = [pk for pk in request.GET.getlist("id") if pk.isascii() and pk.isdigit()]
        pages = admin_scope.chooser_pages(request.user, Page.objects.filter(pk__in=pks))
        editable_ids = set(admin_scope.editable_pages(request.user).filter(pk__in=pks).values_list("pk", flat=True))
        result = []
        for page in pages.specific():
            shown = page if request.user.is_superuser else masked(page, editable_ids)
            result.append({
                "id": page.pk,
                "parentId": page.get_parent().pk,
                "adminTitle": shown.get_admin_display_title(),
                "editUrl": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                "url": page.url,
            })
        return self.render_chosen_response(result)
