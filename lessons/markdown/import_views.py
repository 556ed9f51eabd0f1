"""Wagtail admin: upload Markdown files and import each as a draft in its own Kanwil."""
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lessons.content.taxonomy import Kanwil

from .importing import ImportResult, import_file, read_limited
from .parsing import Problem

EXTENSIONS = (".md", ".markdown", ".txt")
MAX_FILES = 50


def importable_kanwil_pages(user):
    """Kanwil sections where the user may add documents (Wagtail page permissions decide).
    Each section is reached from its Kanwil (Kanwil.page), so this app needs no page model
    of the site's own."""
    sections = [kanwil.page for kanwil in Kanwil.objects.filter(page__isnull=False).select_related("page")]
    return [page for page in sections if page.permissions_for_user(user).can_add_subpage()]


def user_can_import(user):
    return user.is_active and (user.is_superuser or bool(importable_kanwil_pages(user)))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        if not files:
            raise forms.ValidationError(_("Pilih setidaknya satu berkas Markdown."), code="required")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Paling banyak %(count)s berkas sekali unggah.") % {"count": MAX_FILES})
        return files  # each file is checked (and reported) on its own, never the batch


class ImportForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("Berkas Markdown"),
        help_text=gettext_lazy("Satu atau beberapa berkas .md dengan front matter. Setiap berkas menjadi draf "
                               "di Kanwil yang tertulis pada front matter-nya."),
        widget=MultipleFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )


@dataclass
class Row:
    """One uploaded file's outcome, as shown in the result table."""

    name: str
    result: ImportResult
    edit_url: str = ""


def import_upload(uploaded, user):
    """Import one uploaded file as a draft; size and type are checked before reading it."""
    limit = settings.MARKDOWN_MAX_BYTES
    if not uploaded.name.lower().endswith(EXTENSIONS):
        problem = Problem(_("bukan berkas Markdown; unggah berkas berakhiran .md"))
        return ImportResult(uploaded.name, problems=[problem])
    raw = b"" if uploaded.size > limit else read_limited(uploaded, limit)
    if uploaded.size > limit or len(raw) > limit:
        problem = Problem(_("berkas berukuran %(size)s; batasnya %(limit)s")
                          % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)})
        return ImportResult(uploaded.name, problems=[problem])
    return import_file(uploaded.name, raw, publish=False, user=user, check_permissions=True)


class MarkdownImportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "lessons/admin/import_markdown.html"
    page_title = gettext_lazy("Impor Markdown")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not user_can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportForm())
        context["kanwil_pages"] = importable_kanwil_pages(self.request.user)
        context["max_bytes"] = settings.MARKDOWN_MAX_BYTES
        return context

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        rows = []
        for uploaded in form.cleaned_data["files"]:
            result = import_upload(uploaded, request.user)
            edit_url = reverse("wagtailadmin_pages:edit", args=[result.page.id]) if result.ok else ""
            rows.append(Row(uploaded.name, result, edit_url))
        failed = sum(not row.result.ok for row in rows)
        if failed:
            messages.warning(request, _("%(ok)s berkas diimpor sebagai draf, %(failed)s gagal.")
                             % {"ok": len(rows) - failed, "failed": failed})
        else:
            messages.success(request, _("%(ok)s berkas diimpor sebagai draf. Buka draf untuk memeriksa lalu "
                                        "mengirimkannya ke peninjau.") % {"ok": len(rows)})
        return self.render_to_response(self.get_context_data(form=ImportForm(), rows=rows))
