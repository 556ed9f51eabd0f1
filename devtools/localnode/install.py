"""Fetching the distribution with Maven, preparing the node directory, the launch command
and reading its logs."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Mapping

from .node import ARTIFACT, HOST, LocalNode, LocalNodeError, SERVICE_USER, Writer, _stdout
from .prerequisites import Java, find_maven


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
