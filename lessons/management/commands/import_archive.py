"""manage.py import_archive PATH... [--publish] [--user USERNAME] [--batch-size N] [--errors FILE]

Bulk import of an archive of Markdown files (see lessons/markdown/bulk_import.py): the same checks as
import_markdown, batched transactions, a progress line, and a per-file error report."""
import json
import sys

from django.core.management.base import CommandError

from lessons.management.import_command import ImportCommand
from lessons.markdown.bulk_import import DEFAULT_BATCH_SIZE, import_archive

PROGRESS_EVERY = 50  # files between progress lines when only failures are listed


class Command(ImportCommand):
    help = ("Impor arsip berkas Markdown dalam jumlah besar (migrasi arsip), dengan pemeriksaan yang sama "
            "seperti import_markdown. Setiap berkas yang gagal dicantumkan beserta alasannya.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                            help=f"berkas per transaksi (bawaan {DEFAULT_BATCH_SIZE})")
        parser.add_argument("--errors", metavar="FILE",
                            help="tulis daftar berkas yang gagal beserta masalahnya ke berkas JSON Lines ini")
        parser.add_argument("--verbose-files", action="store_true", help="satu baris untuk setiap berkas, bukan hanya yang gagal")

    def handle(self, *args, paths, publish, user, batch_size, errors, verbose_files, **options):
        if batch_size < 1:
            raise CommandError("--batch-size harus paling sedikit 1.")
        author = self.author(user)
        error_file = open(errors, "w", encoding="utf-8") if errors else None  # noqa: SIM115 - closed below
        interactive = sys.stderr.isatty()

        def on_file(number, total, path, result):
            if not result.ok:
                self.stdout.write(f"[{number}/{total}] {path}: " + self.failure(result))
                if error_file:
                    error_file.write(json.dumps({"file": str(path), "problems": [str(p) for p in result.problems]},
                                                ensure_ascii=False) + "\n")
            elif verbose_files:
                self.stdout.write(f"[{number}/{total}] {path.name}: " + self.style.SUCCESS(f"ok ({result.status})"))
            if number % PROGRESS_EVERY == 0 or number == total:
                line = f"{number}/{total} berkas diproses"
                if interactive:
                    self.stderr.write("\r" + line, ending="")
                else:
                    self.stderr.write(line)

        try:
            report = import_archive(paths, publish=publish, user=author, batch_size=batch_size, on_file=on_file)
        finally:
            if error_file:
                error_file.close()
        if interactive:
            self.stderr.write("")
        if not report.total:
            raise self.no_files(paths)
        self.finished()
        self.stdout.write(self.outcome(publish, report.counts, len(report.failures))
                          + f", {report.seconds:.1f} detik ({report.rate:.1f} berkas/detik).")
        if report.failures:
            raise CommandError(f"{len(report.failures)} dari {report.total} berkas gagal diimpor"
                               + (f"; daftarnya di {errors}." if errors else "."))
