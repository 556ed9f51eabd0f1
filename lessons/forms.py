from wagtail.admin.forms import WagtailAdminPageForm


class DocumentPageForm(WagtailAdminPageForm):
    """A document always belongs to the Kanwil whose section it is created in."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        kanwil = getattr(getattr(parent_page, "specific", None), "kanwil", None)
        if kanwil is not None and not self.instance.author_kanwil_id:
            self.instance.author_kanwil = kanwil
