"""Demo content for local use: taxonomy, site tree, demo users and the Markdown documents in
fixtures/content/. Loading twice leaves the same content (files are keyed by Kanwil + slug)."""
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from lessons import planner_statistics
from lessons.access import rules as access
from lessons.markdown.importing import import_file, markdown_files
from lessons.content.seeding import seed_taxonomy
from lessons.models import Kanwil

from .structure import ensure_structure

CONTENT_DIR = Path(settings.BASE_DIR) / "fixtures" / "content"
DEMO_PASSWORD = "lintas-demo"
DEMO_KANWIL = ("kalbar", "sumsel")
DEMO_ROLES = ("staf", "editor", "reviewer")


def demo_usernames():
    return ["admin"] + [f"{role}-{code}" for code in DEMO_KANWIL for role in DEMO_ROLES]


def ensure_demo_users():
    User = get_user_model()
    admin, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@localhost"})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    for code in DEMO_KANWIL:
        kanwil = Kanwil.objects.get(code=code)
        groups = access.kanwil_groups(kanwil)
        for role in DEMO_ROLES:
            user, _ = User.objects.get_or_create(username=f"{role}-{code}")
            user.first_name = f"{access.ROLES[role]} {kanwil.short_name}"
            user.set_password(DEMO_PASSWORD)
            user.save()
            # Editors and reviewers read like staff too.
            user.groups.set([groups["staf"], groups[role]])


def load_demo(report=print, content_dir=CONTENT_DIR):
    counts = seed_taxonomy()
    report("Taksonomi: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
    ensure_structure()
    report(f"Struktur situs: {Kanwil.objects.count()} halaman Kanwil")
    ensure_demo_users()
    report(f"Pengguna demo: {', '.join(demo_usernames())} (kata sandi: {DEMO_PASSWORD})")
    files = markdown_files([content_dir])
    created = updated = unchanged = 0
    failures = []
    for number, path in enumerate(files, start=1):
        result = import_file(path.name, path.read_bytes(), publish=True)
        if not result.ok:
            failures.append(result)
        elif result.unchanged:
            unchanged += 1
        elif result.created:
            created += 1
        else:
            updated += 1
        report(f"[{number}/{len(files)}] {path.name}: " + ("; ".join(map(str, result.problems)) or "ok"))
    report(f"Dokumen: {created} baru, {updated} diperbarui, {unchanged} tidak berubah, {len(failures)} gagal")
    planner_statistics.refresh()
    return failures
