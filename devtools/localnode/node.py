"""Where and how the local node runs, and what the lifecycle reports back."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

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
