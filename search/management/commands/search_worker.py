from django.core.management.base import BaseCommand

from search.outbox import new_worker_id, run_worker


class Command(BaseCommand):
    help = ("Apply queued index updates to Elasticsearch, retrying with back-off while it is away. "
            "Several workers may run at once: each claims its own rows.")

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=0.25, help="seconds between checks when idle")

    def handle(self, poll, **options):
        worker = new_worker_id()
        self.stdout.write(f"Pekerja indeks {worker} berjalan (Ctrl-C untuk berhenti).")
        try:
            run_worker(poll_seconds=poll, worker=worker,
                       report=lambda n: self.stdout.write(f"{n} pembaruan indeks diterapkan"))
        except KeyboardInterrupt:
            pass
