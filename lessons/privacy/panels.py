"""The privacy guard's panel in the page editor."""
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from . import guard as privacy_guard


class PrivacyReviewPanel(FieldPanel):
    """Personal data found in the page as loaded (field + masked excerpt), and for the
    Kanwil's reviewers the checkbox that lets it go live anyway. Hidden when nothing is found."""

    def __init__(self, field_name="privacy_override", **kwargs):
        kwargs.setdefault("disable_comments", True)
        super().__init__(field_name, **kwargs)

    class BoundPanel(FieldPanel.BoundPanel):
        template_name = "lessons/panels/privacy_review.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.heading = _("Temuan privasi")
            self.findings = privacy_guard.page_findings(self.instance) if self.instance is not None else []

        def id_for_label(self):
            return ""  # the heading names the section; the checkbox has its own label

        def may_override(self):
            user = getattr(self.request, "user", None)
            return privacy_guard.user_may_override(user, self.instance, getattr(self.form, "parent_page", None))

        def is_shown(self):
            return bool(self.findings) and super().is_shown()

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            reviewer = self.instance.privacy_override_by if privacy_guard.override_covers(
                self.instance, self.findings) else None
            context.update(
                findings=privacy_guard.listed(self.findings),
                message=privacy_guard.blocked_message(self.instance.title or "", self.findings),
                may_override=self.may_override(),
                overridden_by=reviewer,
            )
            return context
