from django.core.management.base import BaseCommand

from search.outbox import run_worker


class Command(BaseCommand):
    help = "Apply queued index updates to Elasticsearch, retrying with back-off while it is away."

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=0.25, help="seconds between checks when idle")

    def handle(self, poll, **options):
        self.stdout.write("Pekerja indeks berjalan (Ctrl-C untuk berhenti).")
        try:
            run_worker(poll_seconds=poll, report=lambda n: self.stdout.write(f"{n} pembaruan indeks diterapkan"))
        except KeyboardInterrupt:
            pass
