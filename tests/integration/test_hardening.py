"""Hardening: login throttling on both logins (django-axes), the Content-Security-Policy
header on every HTML page, and production settings that pass `check --deploy`."""
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
from wagtail.models import Page

from lessons.models import DOCUMENT_MODELS

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

PASSWORD = "lintas-demo"
# (login URL, a user who may use it, where a successful login goes)
LOGINS = [("/masuk/", "staf-kalbar", "/"), ("/admin/login/", "admin", "/admin/")]
ATTACKS = 30
LOCKED_TEXT = "Terlalu banyak percobaan masuk"


def attempt(client, url, username, password, address="10.1.1.1", **extra):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def logged_in_as(client):
    from django.contrib.auth import get_user

    class Probe:  # get_user only needs .session
        session = client.session

    user = get_user(Probe())
    return user.username if user.is_authenticated else None


def hammer(client, url, username, address="10.1.1.1", **extra):
    """ATTACKS wrong passwords; returns the status codes, in order."""
    return [attempt(client, url, username, f"salah-{n}", address, **extra).status_code for n in range(ATTACKS)]


@pytest.mark.parametrize("url, username, home", LOGINS)
def test_thirty_wrong_passwords_lock_out_even_the_right_one(client, url, username, home):
    limit = settings.AXES_FAILURE_LIMIT
    codes = hammer(client, url, username)
    # Wrong passwords are re-shown with the form until the limit; the limit-th failure and
    # every later attempt get the lockout page.
    assert codes == [200] * (limit - 1) + [429] * (ATTACKS - limit + 1)

    response = attempt(client, url, username, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_TEXT in html
    assert f"setelah {limit} kali gagal masuk" in html
    assert f"{int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)} menit" in html
    assert "Content-Security-Policy" in response.headers
    assert logged_in_as(client) is None
    assert client.get(home).status_code == 302  # still sent to a login page


@pytest.mark.parametrize("url, username, home", LOGINS)
def test_lockout_is_per_username_and_address(client, url, username, home):
    hammer(client, url, username)
    # The same user from another machine logs in.
    response = attempt(client, url, username, PASSWORD, address="10.2.2.2")
    assert response.status_code == 302 and response["Location"] == home
    assert logged_in_as(client) == username
    client.logout()
    # Another user from the locked machine logs in.
    other = "staf-sumsel" if username != "staf-sumsel" else "staf-kalbar"
    response = attempt(client, "/masuk/", other, PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(client) == other
    client.logout()
    # The locked pair stays locked.
    assert attempt(client, url, username, PASSWORD).status_code == 429


def test_the_two_logins_share_one_count(client):
    """Failures on the portal login count for the admin login too: one door, one lock."""
    hammer(client, "/masuk/", "admin")
    assert attempt(client, "/admin/login/", "admin", PASSWORD).status_code == 429


@pytest.mark.parametrize("url, username, home", LOGINS)
def test_lock_ends_after_the_cool_off(client, url, username, home):
    hammer(client, url, username)
    assert attempt(client, url, username, PASSWORD).status_code == 429
    # Let the cool-off pass: age every recorded attempt beyond it.
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    assert AccessAttempt.objects.filter(username=username).update(attempt_time=past) == 1
    response = attempt(client, url, username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == home
    assert logged_in_as(client) == username


def test_an_admin_reset_unlocks(client):
    from axes.utils import reset

    hammer(client, "/masuk/", "staf-kalbar")
    assert reset(username="staf-kalbar") == 1
    assert attempt(client, "/masuk/", "staf-kalbar", PASSWORD).status_code == 302


def test_success_resets_the_count(client):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(3):  # three rounds of limit-1 failures never lock, as each ends in a success
        for n in range(limit - 1):
            assert attempt(client, "/masuk/", "staf-kalbar", f"salah-{n}").status_code == 200
        assert attempt(client, "/masuk/", "staf-kalbar", PASSWORD).status_code == 302
        client.logout()


def test_cool_off_and_limit_are_settings(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=90)
    codes = [attempt(client, "/masuk/", "staf-kalbar", "salah").status_code for _ in range(3)]
    assert codes == [200, 429, 429]
    html = attempt(client, "/masuk/", "staf-kalbar", PASSWORD).content.decode()
    assert "setelah 2 kali gagal masuk" in html and "90 menit" in html


def test_lockout_page_in_english(client):
    hammer(client, "/masuk/", "staf-kalbar")
    client.cookies["django_language"] = "en"
    html = attempt(client, "/masuk/", "staf-kalbar", PASSWORD).content.decode()
    assert "Too many sign-in attempts" in html
    assert f"after {settings.AXES_FAILURE_LIMIT} failed sign-in attempts" in html


def test_forged_forwarded_for_does_not_dodge_the_lock(client):
    """Without a trusted proxy, X-Forwarded-For is the client's word and is ignored."""
    assert settings.LINTAS_TRUSTED_PROXY_COUNT == 0
    codes = [attempt(client, "/masuk/", "staf-kalbar", "salah", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
             for n in range(ATTACKS)]
    assert codes.count(429) == ATTACKS - settings.AXES_FAILURE_LIMIT + 1
    response = attempt(client, "/masuk/", "staf-kalbar", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.250")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, settings):
    settings.LINTAS_TRUSTED_PROXY_COUNT = 1
    proxy = "10.9.9.9"
    # The proxy appends the real client; anything the client put in front is ignored.
    hammer(client, "/masuk/", "staf-kalbar", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1")
    locked = attempt(client, "/masuk/", "staf-kalbar", PASSWORD, address=proxy,
                     HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.1")
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}
    # Another officer behind the same proxy is not locked out.
    response = attempt(client, "/masuk/", "staf-kalbar", PASSWORD, address=proxy,
                       HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 302


def test_client_address_rules(rf, settings):
    from portal.throttle import client_ip

    def ip(forwarded=None, remote="10.0.0.1"):
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        return client_ip(rf.post("/masuk/", REMOTE_ADDR=remote, **extra))

    settings.LINTAS_TRUSTED_PROXY_COUNT = 0
    assert ip("1.2.3.4") == "10.0.0.1"
    settings.LINTAS_TRUSTED_PROXY_COUNT = 2
    assert ip("6.6.6.6, 1.2.3.4, 10.0.0.5") == "1.2.3.4"  # client, then the outer proxy
    assert ip("10.0.0.5") == "10.0.0.1"  # fewer hops than proxies: not through them
    assert ip("not-an-ip, 10.0.0.5") == "10.0.0.1"
    assert ip("") == "10.0.0.1"


# --- Content-Security-Policy -------------------------------------------------------------

def crawl(client, starts, limit):
    """GET pages reachable by links from `starts` (same site, no downloads), up to `limit`."""
    import re

    seen, queue, responses = set(), list(starts), []
    while queue and len(responses) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        responses.append((url, response))
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)"', response.content.decode()):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc in ("", "testserver") and not parts.path.startswith(("/static/", "/dokumen/", "/keluar")):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return responses


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict_reader_policy(url, response):
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"], url
    assert directives["script-src"] == ["'self'"], url
    assert directives["style-src"] == ["'self'"], url
    assert directives["img-src"] == ["'self'", "data:"], url
    assert directives["object-src"] == ["'none'"], url
    assert directives["frame-ancestors"] == ["'none'"], url
    assert directives["form-action"] == ["'self'"], url
    assert directives["base-uri"] == ["'self'"], url


def test_every_html_page_has_the_policy(client, demo_index):
    anonymous = [(url, client.get(url)) for url in ("/masuk/", "/admin/login/", "/", "/cari/?q=wna")]
    client.login(username="staf-kalbar", password=PASSWORD)
    document = next(page for page in Page.objects.live().public().specific() if isinstance(page, DOCUMENT_MODELS))
    reader = crawl(client, ["/", "/cari/?q=penerjemah", document.url, "/tidak-ada/"], limit=100)
    client.logout()
    client.login(username="admin", password=PASSWORD)
    admin = crawl(client, ["/admin/", f"/admin/pages/{document.pk}/edit/", "/admin/snippets/",
                           "/admin/documents/multiple/add/"], limit=40)

    html = [(url, r) for url, r in anonymous + reader + admin if "text/html" in r.get("Content-Type", "")]
    print(f"\nCSP header checked on {len(html)} HTML responses")
    assert len(html) > 120
    assert {r.status_code for _, r in html} >= {200, 404}
    missing = [url for url, r in html if "Content-Security-Policy" not in r.headers]
    assert not missing, missing
    for url, response in html:
        if url.startswith("/admin/"):
            directives = csp_directives(response)
            assert directives["script-src"] == ["'self'", "'unsafe-inline'"], url
            assert directives["style-src"] == ["'self'"], url
            assert directives["frame-ancestors"] == ["'self'"], url
            assert directives["object-src"] == ["'none'"], url
        else:
            assert_strict_reader_policy(url, response)


def test_lockout_page_has_the_strict_policy(client):
    hammer(client, "/masuk/", "staf-kalbar")
    assert_strict_reader_policy("lockout", attempt(client, "/masuk/", "staf-kalbar", PASSWORD))


def test_no_inline_script_or_style_in_project_templates():
    import re

    offenders = []
    for path in (settings.BASE_DIR / "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", text):
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert not offenders, offenders


# --- Production settings -------------------------------------------------------------------

def run_manage(tmp_path, *args, drop=(), **env):
    """manage.py under the production settings with only the given variables set."""
    base = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),  # the default state directory lives under it
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "lintas.kanwil.example",
        "ELASTICSEARCH_URL": "http://127.0.0.1:9200",
    }
    base.update(env)
    for name in drop:
        base.pop(name)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=base,
                          capture_output=True, text=True, timeout=300)


def test_deploy_check_passes_with_only_the_required_variables(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "ELASTICSEARCH_URL"])
def test_production_refuses_to_start_without_a_required_variable(tmp_path, missing):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", drop=[missing])
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_deploy_check_fails_on_a_weak_secret_or_switched_off_https(tmp_path):
    weak = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY="short")
    assert weak.returncode != 0 and "security.W009" in weak.stderr
    plain = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECURE_SSL_REDIRECT="false",
                       DJANGO_SECURE_HSTS_SECONDS="0")
    assert plain.returncode != 0 and "security.W008" in plain.stderr and "security.W004" in plain.stderr


PROBE = """
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="lintas.kanwil.example")
print("probe proxy-header", settings.SECURE_PROXY_SSL_HEADER)
print("probe healthz", client.get("/healthz").status_code)
home = client.get("/")
print("probe home", home.status_code, home.get("Location"))
secure = client.get("/healthz", secure=True)
print("probe hsts", secure.get("Strict-Transport-Security"))
forwarded = client.get("/masuk/", HTTP_X_FORWARDED_PROTO="https")
print("probe forwarded", forwarded.status_code)
"""


@pytest.fixture(scope="module")
def migrated_home(tmp_path_factory):
    """A production-settings home whose database is migrated once (the health probe counts
    the index queue, so it needs the tables)."""
    home = tmp_path_factory.mktemp("production-home")
    result = run_manage(home, "migrate", "--noinput")
    assert result.returncode == 0, result.stdout + result.stderr
    return home


def probe(home, **env):
    result = run_manage(home, "shell", "-c", PROBE, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    # `shell` also prints its own notes; keep the probe's lines.
    return dict(line.split(" ", 2)[1:] for line in result.stdout.splitlines() if line.startswith("probe "))


def test_https_is_enforced_but_health_probe_is_plain_http(migrated_home):
    seen = probe(migrated_home)
    assert seen["proxy-header"] == "None"  # a TLS proxy is configured, not assumed
    assert seen["healthz"] == "200"
    assert seen["home"] == "301 https://lintas.kanwil.example/"
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["forwarded"] == "301"  # a client cannot claim HTTPS with a header


def test_a_declared_tls_proxy_is_trusted(migrated_home):
    seen = probe(migrated_home, DJANGO_TLS_PROXY_HEADER="X-Forwarded-Proto", DJANGO_SECURE_HSTS_SECONDS="3600",
                 DJANGO_SECURE_HSTS_PRELOAD="false")
    assert seen["proxy-header"] == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert seen["forwarded"] == "200"
    assert seen["hsts"] == "max-age=3600; includeSubDomains"


def test_proxy_that_redirects_itself_can_switch_the_redirect_off(migrated_home):
    seen = probe(migrated_home, DJANGO_SECURE_SSL_REDIRECT="false")
    assert seen["home"].startswith("302 /masuk/")
