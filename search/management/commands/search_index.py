from django.core.management.base import BaseCommand, CommandError
from elasticsearch import TransportError
from elastic_transport import TransportError as ConnectionProblem

from search import indexing, outbox


class Command(BaseCommand):
    help = "Manage the search index: rebuild (new index + alias swap), reconcile (repair drift), status."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "reconcile", "status"])

    def handle(self, action, **options):
        try:
            getattr(self, f"do_{action}")()
        except (TransportError, ConnectionProblem) as error:
            raise CommandError(f"Elasticsearch is not reachable or refused the request: {error}") from error

    def _progress(self, done, total):
        self.stdout.write(f"\r  {done}/{total} dokumen", ending="")
        if done == total:
            self.stdout.write("")

    def do_rebuild(self):
        self.stdout.write("Membangun ulang indeks…")
        name, report = indexing.rebuild(progress=self._progress)
        self.stdout.write(self.style.SUCCESS(f"Alias {indexing.alias_name()} -> {name}"))
        self._print_report(report)

    def do_reconcile(self):
        self._print_report(indexing.reconcile())

    def _print_report(self, report):
        if not report.changed:
            self.stdout.write("Indeks sesuai dengan basis data; tidak ada yang diperbaiki.")
            return
        for label, ids in (("ditambahkan", report.added), ("dihapus", report.removed), ("diperbarui", report.refreshed)):
            if ids:
                self.stdout.write(f"{len(ids)} dokumen {label}: {', '.join(map(str, ids))}")

    def do_status(self):
        state = indexing.status()
        self.stdout.write(f"Alias:              {state['alias']} -> {', '.join(state['indices']) or '(belum ada)'}")
        self.stdout.write(f"Dokumen di indeks:  {state['documents_in_index']}")
        self.stdout.write(f"Dokumen di basis data (terbit): {state['documents_in_database']}")
        self.stdout.write(f"Antrean pembaruan indeks: {outbox.pending_count()}")
