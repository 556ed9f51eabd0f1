"""Asking a URL what answers there, and whether our process still runs."""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from pathlib import Path

from .node import LocalNode, NodeState


# --------------------------------------------------------------------------- HTTP probes


def _request(url: str, path: str, timeout: float, api_key: str = "") -> tuple[int, dict, dict]:
    """GET url+path; returns (status, headers, json body). Raises OSError when unreachable."""
    parts = urllib.parse.urlsplit(url)
    headers = {"Accept": "application/json"}
    netloc = parts.netloc
    if parts.username is not None:
        creds = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + b64encode(creds.encode()).decode()
        netloc = netloc.rpartition("@")[2]
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    base = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    request = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, head, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        status, head, raw = exc.code, dict(exc.headers or {}), exc.read()
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        body = None
    return status, head, body if isinstance(body, dict) else {}


def public_url(url: str) -> str:
    """`url` without credentials, for messages."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def probe(url: str, timeout: float = 3.0, api_key: str = "") -> NodeState:
    """Ask `url` for its cluster health (GET /_cluster/health) and, if it is
    Elasticsearch, for its version and process id."""
    state = NodeState(url=public_url(url))
    try:
        status, headers, body = _request(url, "/_cluster/health", timeout, api_key)
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            state.detail = "connection refused"
        else:
            state.answering, state.detail = "other", f"no usable answer ({reason})"
        return state
    except ConnectionRefusedError:
        state.detail = "connection refused"
        return state
    except (OSError, ValueError) as exc:  # reset, timeout, not HTTP at all
        state.answering, state.detail = "other", f"no usable answer ({exc})"
        return state
    product = {k.lower(): v for k, v in headers.items()}.get("x-elastic-product", "")
    if product != "Elasticsearch" and "cluster_name" not in body:
        state.answering, state.detail = "other", f"HTTP {status}, not Elasticsearch"
        return state
    state.answering = "elasticsearch"
    state.health = body.get("status")
    state.cluster_name = body.get("cluster_name")
    if status in (401, 403):
        state.detail = f"HTTP {status}: credentials refused"
        return state
    if status != 200:
        state.detail = f"HTTP {status}"
    with contextlib.suppress(OSError, ValueError):
        _, _, info = _request(
            url, "/_nodes/_local/process?filter_path=nodes.*.version,nodes.*.process.id",
            timeout, api_key,
        )
        for node in (info.get("nodes") or {}).values():
            state.version = node.get("version")
            state.node_pid = (node.get("process") or {}).get("id")
            break
    return state


# --------------------------------------------------------------------------- processes


def _alive(pid: int) -> bool:
    """True if `pid` is a live (not zombie) Elasticsearch process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, belongs to someone else
    proc = Path(f"/proc/{pid}")
    if proc.exists():
        with contextlib.suppress(OSError):
            if proc.joinpath("stat").read_text().rpartition(")")[2].split()[0] == "Z":
                return False
        with contextlib.suppress(OSError):
            if b"elasticsearch" not in proc.joinpath("cmdline").read_bytes():
                return False  # the pid was reused by something else
    return True


def _read_pid(node: LocalNode) -> int | None:
    """The pid from the pid file if that process is alive; a stale pid file is removed."""
    try:
        pid = int(node.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if _alive(pid):
        return pid
    with contextlib.suppress(OSError):
        node.pid_file.unlink()
    return None


def state_of(node: LocalNode, timeout: float = 3.0) -> NodeState:
    state = probe(node.url, timeout=timeout)
    state.pid = _read_pid(node)
    return state


@contextlib.contextmanager
def _lock(node: LocalNode):
    """Serialise start/stop for one directory (e.g. `make run` and `make test` at once)."""
    node.directory.mkdir(parents=True, exist_ok=True)
    with open(node.directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
