"""Elasticsearch really stopped: publishing still succeeds, and everything published
during the outage is searchable within 30 s of the node coming back. Uses its own node
(own port and directory) so the shared test node keeps serving the other tests."""
import datetime
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

import pytest
from django.http import QueryDict

from devtools import localnode
from lessons.models import LessonLearned
from portal.models import KanwilPage
from search import indexing, outbox
from search import params as search_params
from search import service
from search.models import PendingIndexUpdate
from tests.integration.waiting import drain_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_node(settings):
    workdir = Path(tempfile.mkdtemp(prefix="lintas-outage-"))
    workdir.chmod(0o755)  # as root the node runs as "nobody"
    node = localnode.LocalNode(workdir / "es", version=settings.ES_LOCAL_VERSION, port=free_port())
    settings.ELASTICSEARCH_URL = node.url
    settings.SEARCH_INDEX_ALIAS = "lintas-outage"
    yield node
    localnode.stop(node, write=lambda text: None)
    shutil.rmtree(workdir, ignore_errors=True)


def test_fifty_publications_while_elasticsearch_is_stopped_are_searchable_after_restart(own_node, users):
    quiet = dict(write=lambda text: None)
    localnode.start(own_node, dict(os.environ), **quiet)
    indexing.ensure_index()
    localnode.stop(own_node, **quiet)
    PendingIndexUpdate.objects.all().delete()

    section = KanwilPage.objects.get(kanwil__code="kepri")
    published = []
    for number in range(50):
        page = LessonLearned(title=f"Pemadaman gerhana {number}", summary="Diterbitkan saat mesin pencari mati.",
                             date=datetime.date(2025, 6, 1), author_kanwil=section.kanwil)
        section.add_child(instance=page)
        page.save_revision().publish()  # must not fail although the node is down
        published.append(page.id)
        outbox.drain()  # the worker keeps trying; every attempt fails and backs off
    assert PendingIndexUpdate.objects.filter(page_id__in=published).count() == 50
    assert PendingIndexUpdate.objects.filter(attempts__gt=0).exists()

    restart_began = time.monotonic()
    localnode.start(own_node, dict(os.environ), **quiet)
    restarted = time.monotonic()  # the node answers again; from here the 30 s count
    params, _ = search_params.parse(QueryDict("q=pemadaman gerhana"), strict=True)
    found = set()

    def all_searchable():
        nonlocal found
        outcome = service.run(params, users["admin"], page_size=100)
        found = {hit.id for hit in outcome.hits} if not outcome.unavailable else set()
        return found == set(published)

    drain_until(all_searchable, timeout=30, what="all 50 pages searchable")
    elapsed = time.monotonic() - restarted
    print(f"\nnode restart took {restarted - restart_began:.1f} s; {len(found)}/50 searchable {elapsed:.1f} s after it")
    assert found == set(published) and elapsed <= 30, f"{len(found)}/50 searchable after {elapsed:.1f} s"
    assert PendingIndexUpdate.objects.count() == 0
