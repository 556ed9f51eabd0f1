from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from elastic_transport import TransportError as ConnectionProblem
from elasticsearch import TransportError

from search import indexing, outbox, reconcile


class Command(BaseCommand):
    help = ("Manage the search index: rebuild (new index + alias swap), reconcile (repair drift), "
            "status (queue, dead letters, indexes), retry (dead letters back into the queue).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "reconcile", "status", "retry"])
        parser.add_argument("ids", nargs="*", type=int, help="retry: outbox row ids (default: every dead letter)")

    def handle(self, action, ids, **options):
        try:
            if action == "retry":
                return self.do_retry(ids)
            getattr(self, f"do_{action}")()
        except (TransportError, ConnectionProblem) as error:
            raise CommandError(f"Elasticsearch is not reachable or refused the request: {error}") from error

    def _progress(self, done, total):
        self.stdout.write(f"\r  {done}/{total} dokumen", ending="")
        if done == total:
            self.stdout.write("")
        self.stdout.flush()

    def do_rebuild(self):
        self.stdout.write("Membangun ulang indeks…")
        report = indexing.rebuild(progress=self._progress)
        self.stdout.write(self.style.SUCCESS(f"Alias {indexing.alias_name()} -> {report.name}"))
        self.stdout.write(f"{report.indexed} dokumen diindeks, {len(report.skipped)} dilewati.")
        self._print_failures(report.skipped, "dilewati")
        if report.kept:
            self.stdout.write(f"Indeks lama disimpan selama masa tenggang: {', '.join(report.kept)}")
        if report.pruned:
            self.stdout.write(f"Indeks lama dihapus: {', '.join(report.pruned)}")
        self._print_report(report.reconcile)

    def do_reconcile(self):
        self.stdout.write("Mencocokkan indeks dengan basis data…")
        self._print_report(reconcile.reconcile(progress=self._progress))

    def _print_failures(self, failures, label):
        for page_id, error in sorted(failures.items()):
            self.stdout.write(self.style.WARNING(f"  halaman {page_id} {label}: {error[:300]}"))

    def _print_report(self, report):
        self.stdout.write(f"{report.checked} dokumen diperiksa.")
        if not report.changed:
            self.stdout.write("Indeks sesuai dengan basis data; tidak ada yang diperbaiki.")
            return
        for label, ids in (("ditambahkan", report.added), ("dihapus", report.removed), ("diperbarui", report.refreshed)):
            if ids:
                self.stdout.write(f"{len(ids)} dokumen {label}: {', '.join(map(str, ids))}")
        if report.failed:
            self.stdout.write(f"{len(report.failed)} dokumen gagal dibangun atau ditolak (dikeluarkan dari indeks, "
                              "masuk antrean):")
            self._print_failures(report.failed, "gagal")

    def do_status(self):
        # The queue first: it lives in the database and is worth seeing when the cluster is away.
        queue = outbox.stats()
        self.stdout.write(f"Antrean pembaruan indeks: {queue['queue_length']}")
        self.stdout.write(f"Umur entri tertua: {queue['oldest_pending_seconds']} detik")
        self.stdout.write(f"Surat mati (dead letters): {queue['dead_letters']}")
        for row in outbox.dead_letters():
            when = timezone.localtime(row.dead_at)
            self.stdout.write(self.style.ERROR(
                f"  #{row.id} halaman {row.page_id} ({row.failures} kegagalan, sejak {when:%Y-%m-%d %H:%M}): "
                f"{row.last_error[:300]}"))
        if queue["dead_letters"]:
            self.stdout.write("Perbaiki halamannya lalu terbitkan ulang, atau: manage.py search_index retry [id ...]")

        state = indexing.status()
        self.stdout.write(f"Alias:              {state['alias']} -> {', '.join(state['indices']) or '(belum ada)'}")
        self.stdout.write(f"Dokumen di indeks:  {state['documents_in_index']}")
        self.stdout.write(f"Dokumen di basis data (terbit): {state['documents_in_database']}")
        self.stdout.write(f"Versi pembangun dokumen: {state['build_version']}")
        other = state["documents_built_by_other_code"]
        if other:
            versions = ", ".join(f"{v}: {n}" for v, n in sorted(state["build_versions"].items()))
            self.stdout.write(self.style.WARNING(
                f"{other} dokumen dibangun oleh kode atau data analisis lain ({versions}); "
                "jalankan `search_index reconcile`."))
        else:
            self.stdout.write("Semua dokumen dibangun oleh kode ini.")
        for name, retired_at in state["retired"]:
            self.stdout.write(f"Indeks lama (masa tenggang sejak {retired_at:%Y-%m-%d %H:%M:%S}): {name}")
        for name, _ in state["orphans"]:
            self.stdout.write(self.style.WARNING(f"Indeks tanpa alias (rebuild yang terputus?): {name}"))

    def do_retry(self, ids):
        count = outbox.retry(ids or None)
        self.stdout.write(f"{count} surat mati dikembalikan ke antrean.")
