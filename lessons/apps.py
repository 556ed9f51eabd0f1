from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = _("Konten kasus")

    def ready(self):
        from . import signals
        from .access import audit
        from .content import reference_cache  # noqa: F401 - connects its signals

        signals.connect()
        audit.connect()
