"""Editable reference data (snippets): the facets officers search by."""
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index
from wagtail.snippets.models import register_snippet

code_field_help = _("Kode kanonik: huruf kecil ASCII dan tanda hubung; dipakai di URL, API dan Markdown.")


class CodedQuerySet(models.QuerySet):
    def codes(self):
        return set(self.values_list("code", flat=True))


class FacetTerm(index.Indexed, models.Model):
    """What a procedural stage and an obstacle share: a canonical code, a name in both
    languages and a description. Abstract: each keeps its own table."""

    code = models.SlugField(_("kode"), max_length=40, unique=True, help_text=code_field_help)
    name = models.CharField(_("nama"), max_length=120)
    name_en = models.CharField(_("nama (Inggris)"), max_length=120, blank=True)
    description = models.TextField(_("keterangan"), blank=True)
    description_en = models.TextField(_("keterangan (Inggris)"), blank=True)

    objects = CodedQuerySet.as_manager()
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.FilterField("code")]

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def label(self):
        """Display name in the reader's language: the English name when English is active."""
        return self.name_en if self.name_en and get_language() == "en" else self.name

    @property
    def description_label(self):
        """The description in the reader's language; Indonesian when no English one is set."""
        return self.description_en if self.description_en and get_language() == "en" else self.description

    @property
    def description_language(self):
        return "en" if self.description_en and get_language() == "en" else "id"


@register_snippet
class Stage(FacetTerm):
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("name_en"), FieldPanel("order"), FieldPanel("description"),
              FieldPanel("description_en")]

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("tahapan")
        verbose_name_plural = _("tahapan")


@register_snippet
class Obstacle(FacetTerm):
    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("name_en"), FieldPanel("description"),
              FieldPanel("description_en")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("kendala")
        verbose_name_plural = _("kendala")


@register_snippet
class LegalProvision(index.Indexed, models.Model):
    code = models.SlugField(_("kode"), max_length=40, unique=True, help_text=code_field_help)
    law = models.CharField(_("undang-undang"), max_length=200)
    article = models.CharField(_("pasal"), max_length=60)
    title = models.CharField(_("judul singkat"), max_length=200, blank=True)
    summary = models.TextField(_("ringkasan"), blank=True)

    objects = CodedQuerySet.as_manager()
    panels = [FieldPanel("code"), FieldPanel("law"), FieldPanel("article"), FieldPanel("title"), FieldPanel("summary")]
    search_fields = [index.SearchField("article"), index.SearchField("title"), index.AutocompleteField("article")]

    class Meta:
        ordering = ["code"]
        verbose_name = _("ketentuan hukum")
        verbose_name_plural = _("ketentuan hukum")

    def __str__(self):
        return f"{self.article} {self.title}".strip()


@register_snippet
class Kanwil(index.Indexed, models.Model):
    code = models.SlugField(_("kode"), max_length=40, unique=True, help_text=code_field_help)
    short_name = models.CharField(_("nama singkat"), max_length=60)
    name = models.CharField(_("nama provinsi"), max_length=120)

    objects = CodedQuerySet.as_manager()
    panels = [FieldPanel("code"), FieldPanel("short_name"), FieldPanel("name")]
    search_fields = [index.SearchField("name"), index.SearchField("short_name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("kanwil")
        verbose_name_plural = _("kanwil")

    def __str__(self):
        return f"Kanwil {self.short_name}"


@register_snippet
class GlossaryTerm(index.Indexed, models.Model):
    term = models.CharField(_("istilah"), max_length=120, unique=True)
    expansions = models.TextField(
        _("padanan"), help_text=_("Satu padanan per baris; pencarian memperlakukan istilah dan padanannya sebagai sama.")
    )
    description = models.TextField(_("keterangan"), blank=True)

    panels = [FieldPanel("term"), FieldPanel("expansions"), FieldPanel("description")]
    search_fields = [index.SearchField("term"), index.SearchField("expansions"), index.AutocompleteField("term")]

    class Meta:
        ordering = ["term"]
        verbose_name = _("istilah glosarium")
        verbose_name_plural = _("glosarium")

    def __str__(self):
        return self.term

    @property
    def expansion_list(self):
        return [line.strip() for line in self.expansions.splitlines() if line.strip()]
