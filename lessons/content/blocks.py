"""StreamField blocks for the three kinds of documents."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from lessons.markdown import limits
from lessons.markdown.rendering import markdown_to_text, render_markdown


class MarkdownBlock(blocks.TextBlock):
    """Markdown source kept as written; rendered and sanitised on output."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Tulis dalam Markdown: judul (##), daftar, tabel, catatan kaki."))
        super().__init__(rows=12, **kwargs)

    @property
    def field(self):
        field = super().field
        field.widget = forms.Textarea(attrs={"rows": 14, "class": "lk-markdown", "spellcheck": "false"})
        return field

    def clean(self, value):
        # The same bounds as the import: past them the page would show plain text.
        value = super().clean(value)
        if problems := limits.markdown_problems(value or ""):
            raise ValidationError("; ".join(
                f"{_('baris %(line)s') % {'line': p.line}}: {p.message}" if p.line else p.message for p in problems))
        return value

    def render_basic(self, value, context=None):
        page = (context or {}).get("page")  # its other fields may hold the notes this text cites
        return mark_safe(render_markdown(value, getattr(page, "footnotes", None)))

    def get_searchable_content(self, value):
        return [markdown_to_text(value)]

    class Meta:
        icon = "code"
        label = _("Markdown")


class BodyBlock(blocks.StreamBlock):
    markdown = MarkdownBlock()
    rich_text = blocks.RichTextBlock(
        label=_("Teks berformat"), features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]
    )
    quote = blocks.BlockQuoteBlock(label=_("Kutipan"))


class TeamMemberBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Nama"))
    role = blocks.CharBlock(label=_("Jabatan"), required=False)

    class Meta:
        icon = "user"
        label = _("Anggota tim")


FOLLOW_UP_STATUS = [("belum", _("Belum dimulai")), ("berjalan", _("Berjalan")), ("selesai", _("Selesai"))]


class FollowUpBlock(blocks.StructBlock):
    action = blocks.CharBlock(label=_("Tindak lanjut"))
    owner = blocks.CharBlock(label=_("Penanggung jawab"), required=False)
    status = blocks.ChoiceBlock(choices=FOLLOW_UP_STATUS, default="belum", label=_("Status"))

    class Meta:
        icon = "tasks"
        label = _("Tindak lanjut")


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Langkah"))
    stage = SnippetChooserBlock("lessons.Stage", required=False, label=_("Tahapan"))
    description = MarkdownBlock(required=False, label=_("Uraian"))
    checklist = blocks.ListBlock(blocks.CharBlock(label=_("Butir")), label=_("Daftar periksa"), required=False)

    class Meta:
        icon = "list-ol"
        label = _("Langkah")
        template = "blocks/step_block.html"
