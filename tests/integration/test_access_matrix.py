"""Authorisation matrix over the READER surfaces: every role x every document state x every
surface, each check asking "does this surface show this secret to this role?" and
comparing the answer with one rule (access_world.Part.readable_by / downloadable_by).
A secret shown where the rule forbids it is a LEAK; one hidden where the rule allows it
is a MISS (so the matrix cannot pass by showing nothing). Both fail the test.

Admin surfaces (page and document choosers, listings, the admin APIs, the Markdown import
screens) are covered in tests/integration/test_admin_access.py (another module).

Adding a surface: write one function `surface(probe, part) -> (text, kinds)` below and
list it in SURFACES. `probe` answers requests for one role (cached); `kinds` names the
secrets (title, body, attachment) the surface can show at all; the matrix checks each."""
import html
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from search import outbox

from . import access_world
from .access_world import Role

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


class Probe:
    """One role's client, with responses cached (several surfaces read one answer)."""

    def __init__(self, role, user, world):
        self.role, self.world = role, world
        self.client = Client()
        if user is not None:
            self.client.force_login(user)
        self._cache = {}

    def get(self, url, **params):
        key = (url, tuple(sorted(params.items())))
        if key not in self._cache:
            response = self.client.get(url, params)
            assert response.status_code < 500, (self.role.name, url, params, response.status_code)
            self._cache[key] = response
        return self._cache[key]

    def text(self, url, **params):
        response = self.get(url, **params)
        if response.status_code != 200:
            return ""  # a redirect to the login page, a 401 or a 404: nothing shown
        if getattr(response, "streaming", False):
            return b"".join(response.streaming_content).decode("utf-8", "replace")
        return response.content.decode("utf-8", "replace")

    def api(self, **params):
        text = self.text(reverse("api-search"), **params)
        return json.loads(text) if text else {"total": 0, "results": [], "facets": {}, "suggestion": None}


def _without(text, query):
    """The answer minus the echoed query (the search box, links carrying q=...)."""
    return text.replace(query, "") if query else text


def _shows_part(text, part, query):
    """Whether an answer to `query` shows the part's document: any of its other secrets
    (its slug is in its URL, its title in its card) appears."""
    rest = _without(text, query)
    return any(word in rest for word in part.secrets.values() if word != query)


def misspelt(word):
    """The word with its last letter changed: one edit away, found in no document."""
    return word[:-1] + ("q" if word[-1] != "q" else "x")


# --- surfaces ---------------------------------------------------------------------------------
# Each returns, per secret kind it can show, whether that secret is visible to the probe's role.

SEARCHABLE = ("title", "body", "attachment")


def search_page(probe, part):
    return {kind: _shows_part(probe.text(reverse("search"), q=part.secrets[kind]), part, part.secrets[kind])
            for kind in SEARCHABLE}


def api_results(probe, part):
    # The draft part shares its page id with the live part; its secrets are in no live
    # text, so a hit for one of them means the draft reached the index.
    return {kind: any(hit["id"] == part.page.pk for hit in probe.api(q=part.secrets[kind])["results"])
            for kind in SEARCHABLE}


def facet_counts(probe, part):
    def counted(q):
        facets = probe.api(q=q)["facets"]
        return sum(value["count"] for values in facets.values() for value in values) > 0
    return {kind: counted(part.secrets[kind]) for kind in SEARCHABLE}


def totals(probe, part):
    def total(q):
        page_total = re.search(r'<p class="total">(\d+)', probe.text(reverse("search"), q=q))
        return probe.api(q=q)["total"] + (int(page_total.group(1)) if page_total else 0)
    return {kind: total(part.secrets[kind]) > 0 for kind in SEARCHABLE}


def highlights(probe, part):
    def marked(word):
        return any(f"<mark>{word}</mark>" in fragment
                   for hit in probe.api(q=word)["results"] for fragment in hit["highlight"])
    return {kind: marked(part.secrets[kind]) for kind in ("body", "attachment")}


def suggestion(probe, part):
    """The API's spelling suggestion for a misspelt secret, alone and among public words
    (which find documents on their own). The search page shows the same outcome."""
    word = part.secrets["body"]
    typo = misspelt(word)
    return {"body": any(word in (probe.api(q=q)["suggestion"] or "") for q in (typo, f"{typo} perkara situasi"))}


def autocomplete(probe, part):
    word = part.secrets["title"]
    return {"title": word in probe.text(reverse("api-suggest"), q=word[:9])}


def related(probe, part):
    page = probe.text(probe.world.anchor.url)
    aside = re.search(r'<aside class="related".*?</aside>', page, re.S)
    return {"title": bool(aside) and part.secrets["title"] in aside.group(0)}


def kanwil_listing(probe, url, section="kanwil-experience"):
    """One section of a Kanwil page over every page of its pager (following its "next"
    links), as a list of the pages' section texts."""
    found, address = [], url
    while address and len(found) < 100:
        match = re.search(rf'<section class="{section}">.*?</section>', probe.text(address), re.S)
        if not match:
            break
        found.append(match.group(0))
        following = re.search(r'<a href="([^"]+)" rel="next"', match.group(0))
        address = url + html.unescape(following.group(1)) if following else None
    return found


def listings(probe, part):
    text = probe.text(probe.world.home.url)
    text += "".join("".join(kanwil_listing(probe, p.url)) for p in probe.world.kanwil_pages.values())
    return {"title": part.secrets["title"] in text}


def kanwil_experience(probe, part):
    """The experience listed on the page of the other Kanwil, which every world page names as
    the source of its practice: on any page of its pager."""
    other = next(page for code, page in probe.world.kanwil_pages.items() if code != part.kanwil)
    return {"title": any(part.secrets["title"] in section for section in kanwil_listing(probe, other.url))}


def page_url(probe, part):
    text = probe.text(part.page.url)
    return {kind: part.secrets[kind] in text for kind in ("title", "body")}


def attachment_url(probe, part):
    document = part.document
    text = probe.text(reverse("wagtaildocs_serve", args=[document.id, document.filename]))
    return {"attachment": part.secrets["attachment"] in text}


def stage_page(probe, part):
    """/tahapan/<code>/ lists the documents of the stage every world page has."""
    return {"title": part.secrets["title"] in probe.text(reverse("browse-stage", args=[probe.world.stage.code]))}


def obstacle_page(probe, part):
    """/kendala/<code>/ of the part's own obstacle: its documents, and the stages where the
    obstacle bites (the world's stage appears there only if the part is counted)."""
    text = probe.text(reverse("browse-obstacle", args=[part.obstacle.code]))
    bites = re.search(r'<section class="landing-related">.*?</section>', text, re.S)
    return {"title": part.secrets["title"] in text,
            "count": bool(bites) and f'data-code="{probe.world.stage.code}"' in bites.group(0)}


def case_path_counts(probe, part):
    """The home page's obstacle list: the count of the part's own obstacle."""
    count = re.search(rf'<span class="count" data-code="{re.escape(part.obstacle.code)}">(\d+)</span>',
                      probe.text(probe.world.home.url))
    return {"count": bool(count) and int(count.group(1)) > 0}


SURFACES = [search_page, api_results, facet_counts, totals, highlights, suggestion, autocomplete, related,
            listings, kanwil_experience, page_url, attachment_url, stage_page, obstacle_page, case_path_counts]
DOWNLOADS = {attachment_url}  # surfaces judged by Part.downloadable_by rather than readable_by


# --- the matrix -----------------------------------------------------------------------------

@pytest.fixture
def world(fresh_alias, users, monkeypatch):
    from search.models import PendingIndexUpdate

    # Kanwil pages paged by two cards, so the matrix walks several pages of each listing.
    monkeypatch.setattr("portal.experience.PAGE_SIZE", 2)
    monkeypatch.setattr("portal.experience.VISITS_PAGE_SIZE", 1)

    PendingIndexUpdate.objects.all().delete()  # only this world reaches the private index
    built = access_world.build(users["admin"])
    while outbox.drain():
        pass
    return built


def test_index_holds_exactly_the_live_world(world, es):
    """The matrix reads a real index: check it holds the live pages and nothing else."""
    from django.conf import settings

    es.indices.refresh(index=settings.SEARCH_INDEX_ALIAS)
    indexed = {int(hit["_id"]) for hit in es.search(index=settings.SEARCH_INDEX_ALIAS, size=100)["hits"]["hits"]}
    live = {part.page.pk for part in world.parts if part.live} | {world.anchor.pk}
    assert indexed == live


def test_access_matrix(world, users, capsys):
    checks, leaks, misses = 0, [], []
    for name in access_world.ROLES:
        role = Role(name)
        probe = Probe(role, None if role.anonymous else users[name], world)
        for part in world.parts:
            for surface in SURFACES:
                expected = part.downloadable_by(role) if surface in DOWNLOADS else part.readable_by(role)
                for kind, shown in surface(probe, part).items():
                    checks += 1
                    row = f"{name:16} {part.label:26} {surface.__name__:15} {kind}"
                    if shown and not expected:
                        leaks.append(row)
                    elif expected and not shown:
                        misses.append(row)
    with capsys.disabled():
        print(f"\naccess matrix: {checks} checks, {len(leaks)} leaks, {len(misses)} misses")
    assert not leaks, "LEAKS (shown against the rule):\n" + "\n".join(leaks)
    assert not misses, "MISSES (hidden against the rule):\n" + "\n".join(misses)
    assert checks > 1000


@pytest.mark.parametrize("cached", [False, True], ids=["uncached", "cached"])
def test_case_path_stage_count_is_what_each_role_may_read(world, users, cached, settings, monkeypatch, request):
    """Every world page has one stage: its count on the home page's path is the number of
    world pages the role may read (the anchor is public and live). Cached (portal.page_cache,
    as between requests outside a transaction), one role's counts never reach another's."""
    from portal import page_cache

    if cached:
        settings.REFERENCE_CACHE_SECONDS = 60
        monkeypatch.setattr(page_cache, "_in_transaction", lambda: False)
    page_cache.clear()
    request.addfinalizer(page_cache.clear)
    for name in access_world.ROLES:
        role = Role(name)
        probe = Probe(role, None if role.anonymous else users[name], world)
        expected = len({part.page.pk for part in world.parts if part.readable_by(role)})
        expected += 0 if role.anonymous else 1
        html = probe.text(world.home.url)
        step = re.search(rf'<li class="case-step" data-code="{world.stage.code}">.*?</li>', html, re.S)
        count = re.search(r'<span class="count" data-code="[\w-]+">(\d+)', step.group(0)) if step else None
        shown = int(count.group(1)) if count else 0
        assert shown == expected, (name, shown, expected)


def test_kanwil_pager_counts_only_what_each_role_may_read(world, users):
    """Every card of a Kanwil's experience on exactly one page of its pager, and the total
    the page announces is the number of those cards: a document the role may not read is
    neither listed nor counted."""
    for name in access_world.ROLES:
        role = Role(name)
        if role.anonymous:
            continue
        probe = Probe(role, users[name], world)
        for section_page in world.kanwil_pages.values():
            sections = kanwil_listing(probe, section_page.url)
            cards = [href for section in sections for href in re.findall(r'<h3><a href="([^"]+)"', section)]
            assert len(cards) == len(set(cards)), (name, section_page.url, cards)
            readable = {part.page.url for part in world.parts if part.readable_by(role)}
            world_urls = {part.page.url for part in world.parts}
            assert {url for url in cards if url in world_urls} <= readable, (name, cards)
            total = re.search(r'\((\d+) dokumen\)', sections[0])
            assert len(sections) == 1 or (total and int(total.group(1)) == len(cards)), (name, section_page.url)


# --- password privacy: off, and a password known to a reader opens nothing -------------------

def test_password_privacy_is_not_offered_and_a_known_password_opens_nothing(world, users, client):
    part = next(p for p in world.parts if p.password)
    restriction = part.page.get_view_restrictions().get()
    client.force_login(users["staf-kalbar"])
    # Wagtail's own form to enter the password: accepted, yet the page stays closed.
    client.post(reverse("wagtailcore_authenticate_with_password", args=[restriction.id, part.page.id]),
                {"password": restriction.password, "return_url": part.page.url})
    assert client.get(part.page.url).status_code == 404

    client.force_login(users["admin"])
    dialog = json.loads(client.get(reverse("wagtailadmin_pages:set_privacy", args=[world.anchor.id])).content)["html"]
    assert 'value="login"' in dialog and 'value="groups"' in dialog and 'value="password"' not in dialog
