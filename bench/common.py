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


def session_cookie(username="admin"):
    """A logged-in session for `username`, made directly in the session store (the login
    form is throttled, and a benchmark measures searches, not logins)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}


def start_gunicorn(workers=3, port=8765, threads=1):
    """gunicorn with the production settings on this state directory and alias; returns
    (process, base URL). HTTPS enforcement is off: the benchmark speaks plain HTTP locally.
    threads > 1 runs the gthread worker (requests wait on Elasticsearch and the database,
    so threads overlap those waits without the memory of more processes)."""
    import signal
    import subprocess
    import time
    import urllib.error
    import urllib.request

    from django.conf import settings

    # The same secret as this process, so the sessions made here (session_cookie) are valid there.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.production", "DJANGO_SECRET_KEY": settings.SECRET_KEY,
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "ELASTICSEARCH_URL": os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200"),
           "DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SECURE_COOKIES": "0", "DJANGO_SECURE_HSTS_SECONDS": "0",
           "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "portal.wsgi", "--workers", str(workers),
                                *(["--threads", str(threads)] if threads > 1 else []), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    # A TERM to the benchmark must still stop its gunicorn (the callers stop it in `finally`).
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(143))
    for _ in range(120):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} (port {port} in use?)")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            return process, url
        except urllib.error.HTTPError:  # answering at all is enough (503 = queue not drained)
            return process, url
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")
