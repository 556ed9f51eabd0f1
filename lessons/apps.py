from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = _("Konten kasus")

    def ready(self):
        from . import audit, reference_cache, signals  # noqa: F401 - reference_cache connects its signals

        signals.connect()
        audit.connect()
