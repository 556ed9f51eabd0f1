"""The site shell: the home page and one section page per regional office."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from lessons.access.rules import document_queryset, hidden_paths, without_paths


class HomePage(Page):
    intro = models.TextField(_("pengantar"), blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["portal.KanwilPage"]
    max_count = 1
    content_panels = Page.content_panels + [FieldPanel("intro")]
    latest_count = 8

    class Meta:
        verbose_name = _("beranda")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from portal import page_cache

        context["kanwil_links"] = page_cache.get("kanwil-links", lambda: [
            {"url": page.url, "name": page.kanwil.name, "short_name": page.kanwil.short_name}
            for page in KanwilPage.objects.child_of(self).live().select_related("kanwil").order_by("kanwil__name")])
        from portal.browsing import case_path  # the search service needs every app's models loaded
        from portal.experience import fetch_cards

        # The newest readable ids, then their cards as the Kanwil page fetches them (one query
        # per document type, long fields left out, roles for all cards at once).
        hidden = hidden_paths(request.user)
        newest = list(without_paths(document_queryset(), hidden).order_by("-first_published_at", "-id")
                      .values_list("id", "content_type_id")[: self.latest_count])
        cards = fetch_cards(newest, hidden)
        context["latest_documents"] = [cards[page_id] for page_id, _type in newest if page_id in cards]

        context["case_path"] = case_path(request.user)
        return context


class KanwilPage(Page):
    kanwil = models.OneToOneField(
        "lessons.Kanwil", verbose_name=_("kanwil"), on_delete=models.PROTECT, related_name="page"
    )
    intro = models.TextField(_("pengantar"), blank=True)

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["lessons.StudiTiruReport", "lessons.LessonLearned", "lessons.ProceduralGuide"]
    content_panels = Page.content_panels + [FieldPanel("kanwil"), FieldPanel("intro")]

    class Meta:
        verbose_name = _("halaman kanwil")
        verbose_name_plural = _("halaman kanwil")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from portal.experience import kanwil_experience  # needs every app's models loaded

        context["experience"] = kanwil_experience(self, request.user, request.GET)
        return context
