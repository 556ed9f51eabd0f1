"""manage.py import_markdown PATH... [--publish] [--user USERNAME]"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lessons.markdown.importing import import_path, markdown_files


class Command(BaseCommand):
    help = ("Impor berkas Markdown (berkas atau folder) sebagai dokumen. Bawaannya draf untuk ditinjau; "
            "--publish langsung menerbitkan.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="berkas .md atau folder berisi berkas .md")
        parser.add_argument("--publish", action="store_true", help="terbitkan langsung, bukan draf")
        parser.add_argument("--user", metavar="USERNAME",
                            help="impor atas nama pengguna ini, dengan hak aksesnya (tambah, ubah, terbitkan)")

    def handle(self, *args, paths, publish, user, **options):
        author = None
        if user:
            author = get_user_model().objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"Pengguna '{user}' tidak ditemukan.")
        files = markdown_files(paths)
        if not files:
            raise CommandError("Tidak ada berkas Markdown di " + ", ".join(paths))
        counts, failed = {}, 0
        for number, path in enumerate(files, start=1):
            # Acting as a user means acting within that user's page permissions.
            result = import_path(path, publish=publish, user=author, check_permissions=author is not None)
            if result.ok:
                counts[result.status] = counts.get(result.status, 0) + 1
                line = self.style.SUCCESS(f"ok ({result.status})")
            else:
                failed += 1
                line = self.style.ERROR("GAGAL: " + "; ".join(map(str, result.problems)))
            self.stdout.write(f"[{number}/{len(files)}] {path.name}: {line}")
        summary = ", ".join(f"{count} {status}" for status, count in counts.items())
        state = "diterbitkan" if publish else "draf"
        self.stdout.write(f"Selesai ({state}): {summary or '0 berhasil'}, {failed} gagal.")
        if failed:
            raise CommandError(f"{failed} dari {len(files)} berkas gagal diimpor.")
