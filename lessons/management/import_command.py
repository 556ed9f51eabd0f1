"""What import_markdown and import_archive share: the PATH/--publish/--user options, the
acting user, and the wording of failures and of the closing summary. Kept outside
commands/ so Django does not list it as a command."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lessons import planner_statistics


class ImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="berkas .md atau folder berisi berkas .md")
        parser.add_argument("--publish", action="store_true", help="terbitkan langsung, bukan draf")
        parser.add_argument("--user", metavar="USERNAME",
                            help="impor atas nama pengguna ini, dengan hak aksesnya (tambah, ubah, terbitkan)")

    @staticmethod
    def author(username):
        """The user named by --user, or None when the import acts as no one in particular."""
        if not username:
            return None
        author = get_user_model().objects.filter(username=username).first()
        if author is None:
            raise CommandError(f"Pengguna '{username}' tidak ditemukan.")
        return author

    @staticmethod
    def no_files(paths):
        return CommandError("Tidak ada berkas Markdown di " + ", ".join(paths))

    def failure(self, result):
        return self.style.ERROR("GAGAL: " + "; ".join(map(str, result.problems)))

    @staticmethod
    def finished():
        """After the files: the tables have grown, so the planner's statistics are renewed."""
        planner_statistics.refresh()

    @staticmethod
    def outcome(publish, counts, failed):
        """'Selesai (state): 3 created, 1 updated, 2 gagal' (each command ends it its own way)."""
        summary = ", ".join(f"{count} {status}" for status, count in counts.items())
        state = "diterbitkan" if publish else "draf"
        return f"Selesai ({state}): {summary or '0 berhasil'}, {failed} gagal"
