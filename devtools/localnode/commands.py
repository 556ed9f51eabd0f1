"""start, stop and status of the node; a check of a remote cluster."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from typing import Mapping

from .node import (
    EXIT_FAILED, EXIT_NOT_RUNNING, EXIT_OK, HOST, START_TIMEOUT, STOP_TIMEOUT, LocalNode, LocalNodeError, NodeState,
    Writer, _stdout,
)
from .prerequisites import _check_reachable, _service_account, find_java
from .probes import _alive, _lock, _read_pid, probe, public_url, state_of
from .install import _command, _failure, _log_offsets, _prepare, fetch_distribution


# --------------------------------------------------------------------------- commands


def _describe(node: LocalNode, state: NodeState) -> str:
    pid = state.pid or state.node_pid
    return (
        f"  URL:      {node.url}\n"
        f"  version:  {state.version or 'unknown'}\n"
        f"  health:   {state.health or 'unknown'}\n"
        f"  pid:      {pid if pid else 'unknown'}  ({node.pid_file})\n"
        f"  data:     {node.data_dir}\n"
        f"  log file: {node.log_file}\n"
    )


def _wait_healthy(
    node: LocalNode, deadline: float, write: Writer, launcher=None, offsets=None
) -> NodeState:
    """Poll until yellow/green; one dot a second. Raises LocalNodeError on failure."""
    started = time.monotonic()
    odd_answers = 0
    while True:
        state = state_of(node, timeout=2.0)
        if state.healthy:
            return state
        odd_answers = odd_answers + 1 if state.answering == "other" else 0
        if odd_answers >= 5:  # not a single slow answer: something else holds the port
            raise _failure(node, f"port {node.port} answers, but not as Elasticsearch ({state.detail})", offsets)
        if launcher is not None:
            code = launcher.poll()
            if code not in (None, 0):
                raise _failure(node, f"bin/elasticsearch exited with status {code}", offsets)
            if code == 0 and state.pid is None and state.answering == "nothing":
                # The launcher finished, yet there is no process: it died after detaching.
                if time.monotonic() - started > 5:
                    raise _failure(node, "the node exited right after starting", offsets)
        elif state.pid is None and state.answering == "nothing":
            raise _failure(node, "the node process is gone", offsets)
        if time.monotonic() > deadline:
            raise _failure(
                node, f"no green/yellow health within {int(deadline - started)} s "
                f"(health: {state.health or 'no answer'})", offsets,
            )
        write(".")
        time.sleep(1.0)


def start(
    node: LocalNode,
    environ: Mapping[str, str],
    write: Writer = _stdout,
    timeout: float = START_TIMEOUT,
) -> NodeState:
    """Start the node unless it already runs, and wait for green/yellow health.

    Harmless when the node already runs. Raises LocalNodeError (message for the terminal)
    when Java or Maven is missing, the port is taken by something else, or start-up fails.
    """
    with _lock(node):
        state = state_of(node)
        if state.answering == "other":
            raise LocalNodeError(
                f"Port {node.port} on {HOST} is taken by something that is not Elasticsearch "
                f"({state.detail}): stop it, or set ES_LOCAL_PORT to a free port."
            )
        deadline = time.monotonic() + timeout
        if state.answering == "elasticsearch" or state.pid is not None:
            if not state.healthy:
                write(f"Elasticsearch on {node.url} is starting; waiting for green/yellow health ")
                state = _wait_healthy(node, deadline, write)
                write("\n")
            if state.ours:
                write(f"Elasticsearch {state.version} is already running; nothing to do.\n")
            else:
                write(
                    f"An Elasticsearch node (cluster {state.cluster_name!r}, version "
                    f"{state.version}) already answers on {node.url}, but it was not started "
                    f"from {node.directory}; using it as it is.\n"
                )
            write(_describe(node, state))
            return state

        java = find_java(environ)
        account = _service_account()
        if account:
            _check_reachable(node.directory, *account)
        fetch_distribution(node, environ, write)
        _prepare(node, account)
        argv, env = _command(node, java, environ, account)
        began = time.monotonic()
        write(f"Starting Elasticsearch {node.version} on {node.url} (Java {java.version}) ")
        offsets = _log_offsets(node)
        offsets[node.launcher_log] = 0  # truncated below
        with open(node.launcher_log, "wb") as out:
            launcher = subprocess.Popen(
                argv, env=env, cwd=node.directory, stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            state = _wait_healthy(node, deadline, write, launcher, offsets)
        except LocalNodeError:
            write(" failed\n")
            _kill_quietly(node, launcher)
            raise
        with contextlib.suppress(subprocess.TimeoutExpired):
            launcher.wait(timeout=15)  # with -d it exits once the node is up
        state.started = True
        state.seconds = time.monotonic() - began
        if state.pid is None:
            state.pid = _read_pid(node)
        write(f" ready in {state.seconds:.1f} s\n")
        write(f"Elasticsearch {state.version} is running (health {state.health}).\n")
        write(_describe(node, state))
        return state


def _kill_quietly(node: LocalNode, launcher: subprocess.Popen) -> None:
    """After a failed start: leave no half-started node or launcher behind."""
    pid = _read_pid(node)
    for target in filter(None, (pid, launcher.pid if launcher.poll() is None else None)):
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        launcher.wait(timeout=10)
    with contextlib.suppress(OSError):
        node.pid_file.unlink()


def stop(node: LocalNode, write: Writer = _stdout, timeout: float = STOP_TIMEOUT) -> NodeState:
    """Stop the node from the pid file: SIGTERM, up to `timeout` s, then SIGKILL.

    Harmless when nothing runs. A node on the port that was not started from
    node.directory is left alone.
    """
    with _lock(node):
        pid = _read_pid(node)
        if pid is None:
            state = probe(node.url)
            if state.answering == "elasticsearch":
                write(
                    f"No Elasticsearch started from {node.directory} is running; the node "
                    f"answering on {node.url} was started elsewhere and is left alone.\n"
                )
            else:
                write(f"Elasticsearch is not running ({node.url}); nothing to stop.\n")
            return state
        write(f"Stopping Elasticsearch (pid {pid}) ")
        began = time.monotonic()
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        except PermissionError:
            raise LocalNodeError(
                f"Not allowed to stop Elasticsearch (pid {pid}); it belongs to another user."
            ) from None
        while _alive(pid) and time.monotonic() - began < timeout:
            write(".")
            time.sleep(0.5)
        if _alive(pid):
            write(f" still running after {timeout:.0f} s, killing it")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            kill_began = time.monotonic()
            while _alive(pid) and time.monotonic() - kill_began < 10:
                time.sleep(0.2)
        with contextlib.suppress(OSError):
            node.pid_file.unlink()
        if _alive(pid):
            raise LocalNodeError(f"Elasticsearch (pid {pid}) would not stop, even with SIGKILL.")
        write(f" stopped in {time.monotonic() - began:.1f} s.\n")
        state = probe(node.url)
        return state


def status(node: LocalNode, write: Writer = _stdout) -> int:
    """Print whether the node runs; returns 0 if healthy, 3 if not running, 1 otherwise."""
    state = state_of(node)
    dirs = f"  data:     {node.data_dir}\n  log file: {node.log_file}\n"
    if state.answering == "other":
        write(
            f"Elasticsearch: not running; port {node.port} is taken by something else "
            f"({state.detail}).\n{dirs}"
        )
        return EXIT_FAILED
    if state.answering == "nothing":
        if state.pid:
            write(f"Elasticsearch: starting (pid {state.pid}), not answering on {node.url} yet.\n{dirs}")
            return EXIT_FAILED
        write(f"Elasticsearch: not running (nothing answers on {node.url}).\n{dirs}")
        return EXIT_NOT_RUNNING
    where = "" if state.ours else f"; not started from {node.directory}"
    write(f"Elasticsearch: running (cluster {state.cluster_name!r}{where}).\n")
    write(_describe(node, state))
    return EXIT_OK if state.healthy else EXIT_FAILED


# --------------------------------------------------------------------------- remote cluster


def remote_check(url: str, api_key: str = "", write: Writer = _stdout, action: str = "start") -> int:
    """ELASTICSEARCH_URL is set: start nothing, only report that cluster's health.

    Returns 0 if healthy; otherwise 1 (3 for `status` when nothing answers).
    """
    shown = public_url(url)
    if action == "stop":
        write(f"ELASTICSEARCH_URL is set ({shown}); there is no local node to stop.\n")
        return EXIT_OK
    state = probe(url, timeout=10.0, api_key=api_key)
    if state.answering == "elasticsearch" and state.healthy:
        write(
            f"ELASTICSEARCH_URL is set, so no local node is started: {shown} answers "
            f"(cluster {state.cluster_name!r}, version {state.version or 'unknown'}, "
            f"health {state.health}).\n"
        )
        return EXIT_OK
    if state.answering == "elasticsearch":
        write(
            f"ELASTICSEARCH_URL is set ({shown}); the cluster answers but is not healthy "
            f"(health {state.health or 'unknown'}{', ' + state.detail if state.detail else ''}).\n"
        )
        return EXIT_FAILED
    write(
        f"ELASTICSEARCH_URL is set ({shown}), but no Elasticsearch answers there "
        f"({state.detail}).\n"
    )
    return EXIT_NOT_RUNNING if action == "status" else EXIT_FAILED
