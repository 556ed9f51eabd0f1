"""Wagtail admin: the search index's dead letters, for administrators, with a retry action."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.models import Page

from . import outbox


def user_can_see(user):
    return user.is_active and user.is_superuser


class DeadLettersView(TemplateView):
    """GET lists dead letters; POST (with CSRF) puts them back in the queue."""

    template_name = "search/admin/dead_letters.html"
    page_title = gettext_lazy("Antrean indeks pencarian")

    def dispatch(self, request, *args, **kwargs):
        if not user_can_see(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        rows = list(outbox.dead_letters()[:500])
        titles = dict(Page.objects.filter(id__in={r.page_id for r in rows}).values_list("id", "title"))
        for row in rows:
            row.page_title = titles.get(row.page_id, "")
        return {**super().get_context_data(**kwargs), "rows": rows, "stats": outbox.stats(),
                "page_title": self.page_title, "header_title": self.page_title, "header_icon": "warning"}

    def post(self, request):
        ids = [int(i) for i in request.POST.getlist("row") if i.isdigit()]
        count = outbox.retry(ids if ids else None) if ids or request.POST.get("all") else 0
        messages.success(request, _("%(count)s entri dikembalikan ke antrean indeks.") % {"count": count})
        return redirect("search_dead_letters")
