from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import load_demo


class Command(BaseCommand):
    help = "Load taxonomy, site structure, demo users and demo documents (idempotent; local use only)."

    def handle(self, *args, **options):
        if not settings.DEMO_CONTENT_ALLOWED:
            raise CommandError("Demo users and content are disabled here (LINTAS_DEMO_CONTENT=0).")
        failures = load_demo(report=self.stdout.write)
        if failures:
            raise CommandError(f"{len(failures)} demo file(s) could not be loaded; see above.")
