"""Set-up shared by the benchmarks: a throwaway database and index alias with the demo
content, so the developer's own data is never touched."""
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(alias, prepare=True):
    """Django on a throwaway state directory and index alias (both overridable through
    LINTAS_STATE_DIR and SEARCH_INDEX_ALIAS, e.g. to reuse a corpus loaded by corpus.py).
    With prepare=False nothing is loaded or built: the state directory must hold a corpus."""
    os.environ.setdefault("LINTAS_STATE_DIR", tempfile.mkdtemp(prefix="lintas-bench-"))
    os.environ.setdefault("SEARCH_INDEX_ALIAS", alias)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()
    if not prepare:
        return
    from django.core.management import call_command

    from portal.demo import load_demo
    from search import indexing

    print("Preparing: migrate, load demo content, build index …", file=sys.stderr)
    call_command("migrate", verbosity=0)
    load_demo(report=lambda line: print("  " + line, file=sys.stderr) if line.startswith("Dokumen") else None)
    indexing.rebuild(progress=lambda done, total: print(f"\r  indexed {done}/{total}", end="", file=sys.stderr))
    print(file=sys.stderr)
