"""The local Elasticsearch lifecycle (devtools/localnode/) with a real node.

The node runs on port 9250 in its own temporary directory, so it never meets the
developer's node on 9200. The distribution comes from Maven's cache (~/.m2), so after
the first run no network is needed. About 15 s: one cold start, one stop.
"""
import http.server
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from devtools import localnode

pytestmark = pytest.mark.integration

PORT = 9250


def _port_open(port):
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Output(list):
    """Collects what the functions print, and echoes it for `pytest -s`."""

    def __call__(self, text):
        self.append(text)
        print(text, end="", flush=True)

    @property
    def text(self):
        return "".join(self)


@pytest.fixture(scope="module")
def node():
    if _port_open(PORT):
        pytest.fail(f"Port {PORT} is in use; the lifecycle test needs it free.")
    # Not pytest's tmp_path: as root the node runs as "nobody", who cannot enter it.
    workdir = Path(tempfile.mkdtemp(prefix="lintas-es-test-"))
    workdir.chmod(0o755)
    node = localnode.LocalNode(workdir / "es", port=PORT)
    yield node
    localnode.stop(node, write=lambda text: None)
    shutil.rmtree(workdir, ignore_errors=True)


def test_lifecycle(node):
    environ = dict(os.environ)

    out = Output()
    began = time.monotonic()
    first = localnode.start(node, environ, out)
    cold_start = time.monotonic() - began
    print(f"\ncold start (fetch from Maven cache, unzip, boot, health): {cold_start:.1f} s")
    assert first.started
    assert first.health in ("green", "yellow")
    assert first.version.startswith("8.19.")
    assert first.pid and first.pid == int(node.pid_file.read_text())
    assert f"Elasticsearch {first.version} is running" in out.text
    health = json.loads(_get(f"{node.url}/_cluster/health"))
    assert health["status"] in ("green", "yellow")
    assert health["cluster_name"] == localnode.CLUSTER_NAME
    modules = json.loads(_get(f"{node.url}/_nodes?filter_path=nodes.*.version,nodes.*.modules.name"))
    print("_cat/plugins:", repr(_get(f"{node.url}/_cat/plugins")))
    print("_nodes:", json.dumps(modules))
    names = {m["name"] for n in modules["nodes"].values() for m in n["modules"]}
    assert "transport-netty4" in names

    # Starting again is harmless: same process, nothing launched.
    out = Output()
    again = localnode.start(node, environ, out)
    assert not again.started
    assert again.pid == first.pid
    assert "already running" in out.text

    out = Output()
    assert localnode.status(node, out) == localnode.EXIT_OK
    assert "running" in out.text and "not running" not in out.text
    assert str(node.data_dir) in out.text and str(node.log_file) in out.text

    out = Output()
    stopped = localnode.stop(node, out)
    assert stopped.answering == "nothing"
    assert not _port_open(PORT)
    assert not node.pid_file.exists()
    assert "stopped" in out.text

    # Stopping again is harmless too.
    out = Output()
    localnode.stop(node, out)
    assert "nothing to stop" in out.text

    out = Output()
    assert localnode.status(node, out) == localnode.EXIT_NOT_RUNNING
    assert "not running" in out.text


def _one_sentence(message):
    return "\n" not in message and message.endswith(".") and message.count(". ") == 0


def test_missing_java_gives_one_sentence(tmp_path):
    empty_home = tmp_path / "jdk"
    empty_home.mkdir()
    environ = {"PATH": str(tmp_path), "JAVA_HOME": str(empty_home)}
    with pytest.raises(localnode.LocalNodeError) as error:
        localnode.find_java(environ)
    message = error.value.message
    assert message.startswith("Java 17 or newer is needed to run the local Elasticsearch")
    assert "apt-get install openjdk-17-jre-headless" in message
    assert _one_sentence(message)


def test_too_old_java_is_named(tmp_path):
    fake = tmp_path / "java"
    fake.write_text("#!/bin/sh\necho '    java.specification.version = 11' >&2\n")
    fake.chmod(0o755)
    with pytest.raises(localnode.LocalNodeError) as error:
        localnode.find_java({"PATH": str(tmp_path)})
    assert "Java 11" in error.value.message
    assert _one_sentence(error.value.message)


def test_missing_maven_gives_one_sentence(tmp_path):
    with pytest.raises(localnode.LocalNodeError) as error:
        localnode.find_maven({"PATH": str(tmp_path)})
    assert "apt-get install maven" in error.value.message
    assert _one_sentence(error.value.message)


class _NotElasticsearch(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_port_taken_by_something_else(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _NotElasticsearch)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        other = localnode.LocalNode(tmp_path / "es", port=server.server_address[1])
        with pytest.raises(localnode.LocalNodeError) as error:
            localnode.start(other, dict(os.environ), write=lambda text: None)
        assert "not Elasticsearch" in error.value.message
        assert localnode.status(other, write=lambda text: None) == localnode.EXIT_FAILED
    finally:
        server.shutdown()
        server.server_close()
    assert not (tmp_path / "es" / "dist").exists()  # nothing fetched or started


def test_status_when_nothing_runs(tmp_path):
    idle = localnode.LocalNode(tmp_path / "es", port=_free_port())
    out = Output()
    assert localnode.status(idle, out) == localnode.EXIT_NOT_RUNNING
    assert "not running" in out.text
