"""manage.py import_markdown PATH... [--publish] [--user USERNAME]"""
from django.core.management.base import CommandError

from lessons.management.import_command import ImportCommand
from lessons.markdown.importing import import_path, markdown_files


class Command(ImportCommand):
    help = ("Impor berkas Markdown (berkas atau folder) sebagai dokumen. Bawaannya draf untuk ditinjau; "
            "--publish langsung menerbitkan.")

    def handle(self, *args, paths, publish, user, **options):
        author = self.author(user)
        files = markdown_files(paths)
        if not files:
            raise self.no_files(paths)
        counts, failed = {}, 0
        for number, path in enumerate(files, start=1):
            # Acting as a user means acting within that user's page permissions.
            result = import_path(path, publish=publish, user=author, check_permissions=author is not None)
            if result.ok:
                counts[result.status] = counts.get(result.status, 0) + 1
                line = self.style.SUCCESS(f"ok ({result.status})")
            else:
                failed += 1
                line = self.failure(result)
            self.stdout.write(f"[{number}/{len(files)}] {path.name}: {line}")
        self.finished()
        self.stdout.write(self.outcome(publish, counts, failed) + ".")
        if failed:
            raise CommandError(f"{failed} dari {len(files)} berkas gagal diimpor.")
