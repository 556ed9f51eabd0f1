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
from .commands import remote_check, start, status, stop
from .install import fetch_distribution
from .node import (
    CLUSTER_NAME, DEFAULT_HEAP, DEFAULT_PORT, DEFAULT_VERSION, EXIT_FAILED, EXIT_NOT_RUNNING, EXIT_OK,
    START_TIMEOUT, STOP_TIMEOUT, LocalNode, LocalNodeError, NodeState,
)
from .prerequisites import Java, find_java, find_maven
from .probes import probe, public_url, state_of

__all__ = [
    "CLUSTER_NAME", "DEFAULT_HEAP", "DEFAULT_PORT", "DEFAULT_VERSION", "EXIT_FAILED", "EXIT_NOT_RUNNING", "EXIT_OK",
    "START_TIMEOUT", "STOP_TIMEOUT", "Java", "LocalNode", "LocalNodeError", "NodeState", "fetch_distribution",
    "find_java", "find_maven", "probe", "public_url", "remote_check", "start", "state_of", "status", "stop",
]
