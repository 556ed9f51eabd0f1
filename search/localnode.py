"""The local single-node Elasticsearch used in development and tests.

Plain functions; `manage.py elasticsearch {start,stop,status}` is a thin wrapper that
reads the settings and passes them in. Nothing here reads the environment: callers pass
the environment (for PATH, JAVA_HOME, ES_JAVA_HOME) as a mapping. Only the standard
library is used, so this works before anything else is configured.

How the node runs (see shared design, "Elasticsearch on these machines"):

- Maven fetches Elastic's test distribution
  ``org.elasticsearch.distribution.integ-test-zip:elasticsearch:<version>:zip`` (cached
  in ``~/.m2``); it is unpacked once into ``<dir>/dist/elasticsearch-<version>``.
- The node listens on 127.0.0.1 only, single-node discovery, security off, a small heap;
  configuration, data, logs, temporary files and the pid file all live under ``<dir>``::

      <dir>/dist/elasticsearch-<version>/   the unpacked distribution
      <dir>/config/                         a copy of its config/ (ES_PATH_CONF)
      <dir>/data/  <dir>/logs/  <dir>/tmp/
      <dir>/es.pid                          written by Elasticsearch itself

- Elasticsearch refuses to run as root. As root the node runs as user ``nobody`` (via
  ``setpriv``), ``<dir>`` is handed to that user, and ``<dir>`` must be reachable by it
  (so not under /root); as any other user it runs as that user.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

DEFAULT_VERSION = "8.19.9"
DEFAULT_PORT = 9200
DEFAULT_HEAP = "512m"
CLUSTER_NAME = "lintas-kanwil-local"
HOST = "127.0.0.1"
MIN_JAVA = 17
ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
SERVICE_USER = "nobody"  # who runs the node when we are root

START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
HEALTHY = ("green", "yellow")

# Exit codes of the command (status: 0 healthy, 3 not running, 1 anything else).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3

JAVA_HINT = (
    "install it with `sudo apt-get install openjdk-17-jre-headless` "
    "or point ES_JAVA_HOME at an existing Java 17+ installation"
)
MAVEN_HINT = (
    "Maven is needed to fetch the local Elasticsearch distribution: "
    "install it with `sudo apt-get install maven`."
)

Writer = Callable[[str], None]


class LocalNodeError(Exception):
    """A failure explained in words meant for the person at the terminal."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass(frozen=True)
class LocalNode:
    """Where and how the local node runs; every path derives from ``directory``."""

    directory: Path
    version: str = DEFAULT_VERSION
    port: int = DEFAULT_PORT
    heap: str = DEFAULT_HEAP
    cluster_name: str = CLUSTER_NAME

    def __post_init__(self):
        object.__setattr__(self, "directory", Path(self.directory).expanduser().absolute())

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def dist_dir(self) -> Path:
        return self.directory / "dist" / f"elasticsearch-{self.version}"

    @property
    def config_dir(self) -> Path:
        return self.directory / "config"

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def logs_dir(self) -> Path:
        return self.directory / "logs"

    @property
    def tmp_dir(self) -> Path:
        return self.directory / "tmp"

    @property
    def pid_file(self) -> Path:
        return self.directory / "es.pid"

    @property
    def log_file(self) -> Path:
        return self.logs_dir / f"{self.cluster_name}.log"

    @property
    def launcher_log(self) -> Path:
        """Output of bin/elasticsearch itself (errors before logging is set up)."""
        return self.logs_dir / "launcher.log"


@dataclass
class NodeState:
    """What answers on the node's URL, and whether it is the node started from our dir."""

    url: str
    answering: str = "nothing"  # "nothing" | "elasticsearch" | "other"
    health: str | None = None  # green / yellow / red
    cluster_name: str | None = None
    version: str | None = None
    node_pid: int | None = None  # pid reported by the node itself
    pid: int | None = None  # live pid from our pid file
    detail: str = ""
    started: bool = False  # this call launched it
    seconds: float | None = None  # how long the launch took

    @property
    def healthy(self) -> bool:
        return self.answering == "elasticsearch" and self.health in HEALTHY

    @property
    def ours(self) -> bool:
        return self.pid is not None and (self.node_pid is None or self.node_pid == self.pid)


def _stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# --------------------------------------------------------------------------- prerequisites


@dataclass(frozen=True)
class Java:
    home: Path
    version: int
    executable: Path


def _java_properties(java: Path) -> dict[str, str]:
    try:
        done = subprocess.run(
            [str(java), "-XshowSettings:properties", "-version"],
            capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    props = {}
    for line in (done.stderr + done.stdout).splitlines():
        key, sep, value = line.strip().partition(" = ")
        if sep:
            props.setdefault(key, value.strip())
    return props


def _java_candidates(environ: Mapping[str, str]) -> list[Path]:
    candidates = []
    for name in ("ES_JAVA_HOME", "JAVA_HOME"):
        if environ.get(name):
            candidates.append(Path(environ[name]) / "bin" / "java")
    on_path = shutil.which("java", path=environ.get("PATH", os.defpath))
    if on_path:
        candidates.append(Path(on_path))
    return candidates


def find_java(environ: Mapping[str, str]) -> Java:
    """The first Java 17+ among ES_JAVA_HOME, JAVA_HOME and `java` on PATH (from `environ`).

    Raises LocalNodeError with one sentence saying what to install.
    """
    too_old = []
    for java in _java_candidates(environ):
        if not (java.is_file() and os.access(java, os.X_OK)):
            continue
        props = _java_properties(java)
        spec = props.get("java.specification.version", "")
        match = re.match(r"(?:1\.)?(\d+)", spec)
        if not match:
            continue
        version = int(match.group(1))
        if version < MIN_JAVA:
            too_old.append(f"Java {version} at {java}")
            continue
        home = Path(props.get("java.home") or java.resolve().parent.parent)
        return Java(home=home, version=version, executable=java)
    if too_old:
        raise LocalNodeError(
            f"Only {', '.join(too_old)} was found, but the local Elasticsearch needs "
            f"Java {MIN_JAVA} or newer: {JAVA_HINT}."
        )
    raise LocalNodeError(
        f"Java {MIN_JAVA} or newer is needed to run the local Elasticsearch: {JAVA_HINT}."
    )


def find_maven(environ: Mapping[str, str]) -> Path:
    """`mvn` on the PATH from `environ`; raises LocalNodeError with one sentence if absent."""
    mvn = shutil.which("mvn", path=environ.get("PATH", os.defpath))
    if not mvn:
        raise LocalNodeError(MAVEN_HINT)
    return Path(mvn)


def _service_account() -> tuple[int, int] | None:
    """(uid, gid) to run the node as when we are root, else None (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise LocalNodeError(
            f"Elasticsearch refuses to run as root and there is no user {SERVICE_USER!r} "
            "to run it as: run this as a normal user instead."
        ) from None
    return entry.pw_uid, entry.pw_gid


def _check_reachable(path: Path, uid: int, gid: int) -> None:
    """Every directory above `path` must be enterable by uid/gid (e.g. not under /root)."""
    for parent in list(path.parents)[::-1]:
        try:
            st = parent.stat()
        except FileNotFoundError:
            break
        if st.st_uid == uid:
            ok = st.st_mode & stat.S_IXUSR
        elif st.st_gid == gid:
            ok = st.st_mode & stat.S_IXGRP
        else:
            ok = st.st_mode & stat.S_IXOTH
        if not ok:
            raise LocalNodeError(
                f"As root, Elasticsearch runs as user {SERVICE_USER}, who cannot enter "
                f"{parent}: set ES_LOCAL_DIR to a directory outside it, such as "
                "/var/tmp/lintas-kanwil/elasticsearch."
            )


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


# --------------------------------------------------------------------------- install


def fetch_distribution(node: LocalNode, environ: Mapping[str, str], write: Writer = _stdout) -> Path:
    """Unpack the distribution into node.dist_dir once, fetching the zip with Maven."""
    if (node.dist_dir / "bin" / "elasticsearch").is_file():
        return node.dist_dir
    mvn = find_maven(environ)
    artifact = ARTIFACT.format(version=node.version)
    write(f"Fetching Elasticsearch {node.version} with Maven ({artifact}) ...\n")
    node.dist_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=node.dist_dir.parent) as work:
        download = Path(work) / "download"
        done = subprocess.run(
            [str(mvn), "-q", "-B", "dependency:copy", f"-Dartifact={artifact}",
             f"-DoutputDirectory={download}"],
            env=dict(environ), stdin=subprocess.DEVNULL, capture_output=True, text=True,
        )
        archive = download / f"elasticsearch-{node.version}.zip"
        if done.returncode != 0 or not archive.is_file():
            output = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
            errors = [ln for ln in output.splitlines() if ln.startswith("[ERROR]") and ln[7:].strip()]
            reason = errors[0] if errors else "\n".join(output.strip().splitlines()[-10:])
            raise LocalNodeError(
                f"Maven could not fetch {artifact} (is version {node.version} published? "
                f"ES_LOCAL_VERSION chooses it):\n{reason}"
            )
        unpacked = Path(work) / "unpacked"
        _unzip(archive, unpacked)
        top = unpacked / f"elasticsearch-{node.version}"
        if not (top / "bin" / "elasticsearch").is_file():
            raise LocalNodeError(f"{archive.name} does not contain {top.name}/bin/elasticsearch.")
        if node.dist_dir.exists():  # left incomplete by an interrupted run
            shutil.rmtree(node.dist_dir)
        top.rename(node.dist_dir)
    return node.dist_dir


def _unzip(archive: Path, target: Path) -> None:
    """Extract keeping the Unix permission bits (zipfile drops them)."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = Path(zf.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                path.chmod(mode | (0o700 if info.is_dir() else 0o600))


def _prepare(node: LocalNode, account: tuple[int, int] | None) -> None:
    for d in (node.data_dir, node.logs_dir, node.tmp_dir):
        d.mkdir(parents=True, exist_ok=True)
    marker = node.config_dir / ".copied-from"
    if not marker.is_file() or marker.read_text().strip() != node.dist_dir.name:
        if node.config_dir.exists():
            shutil.rmtree(node.config_dir)
        shutil.copytree(node.dist_dir / "config", node.config_dir)
        marker.write_text(node.dist_dir.name + "\n")
    if account:
        _chown_tree(node.directory, *account)


def _chown_tree(top: Path, uid: int, gid: int) -> None:
    def fix(path: str) -> None:
        st = os.lstat(path)
        if st.st_uid != uid or st.st_gid != gid:
            os.lchown(path, uid, gid)

    fix(str(top))
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            fix(os.path.join(root, name))


def _command(node: LocalNode, java: Java, environ: Mapping[str, str], account) -> tuple[list, dict]:
    argv = [
        str(node.dist_dir / "bin" / "elasticsearch"), "-d", "-p", str(node.pid_file),
        "-Ediscovery.type=single-node",
        "-Expack.security.enabled=false",
        f"-Ehttp.host={HOST}",
        f"-Ehttp.port={node.port}",
        f"-Etransport.host={HOST}",
        f"-Epath.data={node.data_dir}",
        f"-Epath.logs={node.logs_dir}",
        f"-Ecluster.name={node.cluster_name}",
        f"-Enode.name={node.cluster_name}-{node.port}",
        # A developer's disk that is 90 % full must not turn the index read-only.
        "-Ecluster.routing.allocation.disk.threshold_enabled=false",
    ]
    env = {k: v for k, v in environ.items() if k not in ("JAVA_HOME", "ES_JAVA_OPTS")}
    env.update(
        ES_JAVA_HOME=str(java.home),
        ES_PATH_CONF=str(node.config_dir),
        ES_TMPDIR=str(node.tmp_dir),
        ES_JAVA_OPTS=f"-Xms{node.heap} -Xmx{node.heap}",
    )
    if account:
        setpriv = shutil.which("setpriv", path=environ.get("PATH", os.defpath)) or (
            "/usr/bin/setpriv" if Path("/usr/bin/setpriv").exists() else None
        )
        if not setpriv:
            raise LocalNodeError(
                f"As root, Elasticsearch must be started as user {SERVICE_USER} with `setpriv`: "
                "install it with `apt-get install util-linux`."
            )
        uid, gid = account
        argv = [setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *argv]
        env["HOME"] = str(node.directory)
    return argv, env


def _tail(path: Path, lines: int = 20, offset: int = 0) -> str:
    """The last `lines` lines of `path`, ignoring what was there before `offset`."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset if offset <= path.stat().st_size else 0)
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _log_offsets(node: LocalNode) -> dict[Path, int]:
    """Current log sizes, so a failure shows only what this start wrote."""
    offsets = {}
    for log in (node.log_file, node.launcher_log):
        with contextlib.suppress(OSError):
            offsets[log] = log.stat().st_size
    return offsets


def _failure(node: LocalNode, why: str, offsets: Mapping[Path, int] | None = None) -> LocalNodeError:
    parts = [f"Elasticsearch did not start: {why}."]
    for log in (node.log_file, node.launcher_log):
        tail = _tail(log, offset=(offsets or {}).get(log, 0))
        if tail:
            parts.append(f"Last lines of {log}:\n{tail}")
    if len(parts) == 1:
        parts.append(f"No log was written; see {node.logs_dir}.")
    return LocalNodeError("\n".join(parts))


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
