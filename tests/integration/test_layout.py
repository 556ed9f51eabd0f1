"""The boundaries between the packages: what production installs and imports, which app
may import which, and that the models still match their migrations after code moved."""
import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command
from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[2]
INSTALLED = ("portal", "lessons", "search")

# Runs in a fresh interpreter outside the source tree, so only the installed packages
# are importable, under the production settings; prints what it found as JSON.
PRODUCTION_IMPORTS = """
import importlib, importlib.util, json, pkgutil, sys
import django
django.setup()
from django.core.management import get_commands
imported = []
for top in %(packages)r:
    package = importlib.import_module(top)
    imported.append(top)
    for module in pkgutil.walk_packages(package.__path__, top + "."):
        importlib.import_module(module.name)
        imported.append(module.name)
print(json.dumps({
    "imported": imported,
    "devtools_loaded": sorted(m for m in sys.modules if m == "devtools" or m.startswith("devtools.")),
    "devtools_importable": importlib.util.find_spec("devtools") is not None,
    "commands": sorted(get_commands()),
}))
"""


def _imports(path):
    """Top-level names of every module a Python file imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def test_lessons_never_imports_portal():
    offenders = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "lessons").rglob("*.py")
                       if "portal" in set(_imports(path)))
    assert offenders == []


def test_search_never_imports_devtools():
    offenders = sorted(str(path.relative_to(ROOT)) for package in INSTALLED for path in (ROOT / package).rglob("*.py")
                       if "devtools" in set(_imports(path)))
    assert offenders == []


def test_the_installed_package_holds_every_app_package_and_no_devtools():
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    installed = set(find_packages(where=str(ROOT), include=include))
    on_disk = {".".join(init.parent.relative_to(ROOT).parts) for package in INSTALLED
               for init in (ROOT / package).rglob("__init__.py")}
    assert "lessons.markdown" in on_disk and "devtools" in set(find_packages(where=str(ROOT)))
    assert on_disk <= installed
    assert not {name for name in installed if name.split(".")[0] == "devtools"}


def test_production_imports_every_module_without_the_local_node(tmp_path):
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "layout-test-only",
        "DJANGO_ALLOWED_HOSTS": "portal.example",
        "ELASTICSEARCH_URL": "http://127.0.0.1:1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LINTAS_STATE_DIR": str(tmp_path),
    }
    script = PRODUCTION_IMPORTS % {"packages": INSTALLED}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=environ, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # The walk reached the moved modules, the migrations and the management commands.
    assert {"lessons.markdown.importing", "lessons.content.pages", "search.indexing", "lessons.migrations.0001_initial",
            "search.management.commands.search_index", "portal.wsgi"} <= set(found["imported"])
    assert found["devtools_loaded"] == []
    assert found["devtools_importable"] is False
    assert "elasticsearch" not in found["commands"] and "search_index" in found["commands"]


def test_dev_and_test_settings_provide_the_elasticsearch_command():
    from django.core.management import get_commands

    assert get_commands()["elasticsearch"] == "devtools"


@pytest.mark.django_db
def test_models_match_their_migrations():
    """makemigrations --check exits non-zero when a model change has no migration."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
