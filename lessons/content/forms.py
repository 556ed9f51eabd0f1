from wagtail.admin.forms import WagtailAdminPageForm


class DocumentPageForm(WagtailAdminPageForm):
    """A document always belongs to the Kanwil whose section it is created in."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        kanwil = getattr(getattr(parent_page, "specific", None), "kanwil", None)
        if kanwil is not None and not self.instance.author_kanwil_id:
            self.instance.author_kanwil = kanwil
        self._limit_privacy_override(parent_page)

    def _limit_privacy_override(self, parent_page):
        """The override starts unticked on every edit, so a reviewer confirms each version;
        only the Kanwil's reviewers (and superusers) can tick it."""
        from lessons.privacy.guard import user_may_override

        field = self.fields.get("privacy_override")
        if field is None:
            return
        self.initial["privacy_override"] = False
        if not user_may_override(self.for_user, self.instance, parent_page):
            field.disabled = True
