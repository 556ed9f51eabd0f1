"""Java and Maven on this machine, and the account the node runs as."""
from __future__ import annotations

import os
import pwd
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .node import JAVA_HINT, LocalNodeError, MAVEN_HINT, MIN_JAVA, SERVICE_USER


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
