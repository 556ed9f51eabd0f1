"""`manage.py elasticsearch {start,stop,status}`: the local Elasticsearch node.

Thin: reads the settings and calls devtools.localnode. With ELASTICSEARCH_URL set, nothing
local is started or stopped; `start` and `status` only check that cluster's health.
Exit codes: 0 done / healthy, 3 (status) not running, 1 anything else.
"""
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from devtools import localnode


class Command(BaseCommand):
    help = "Start, stop or show the local Elasticsearch node (or check ELASTICSEARCH_URL)."
    # Must work while the rest of the project is still being set up.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status"])
        parser.add_argument(
            "--timeout", type=float, default=None,
            help="seconds to wait for health on start (default 90) or for exit on stop (30)",
        )

    open_line = False  # progress dots were written without a newline yet

    def write(self, text):
        self.stdout.write(text, ending="")
        self.stdout.flush()
        self.open_line = bool(text) and not text.endswith("\n")

    def handle(self, *args, action, timeout, **options):
        try:
            code = self.run(action, timeout)
        except localnode.LocalNodeError as exc:
            if self.open_line:
                self.stdout.write("")  # end the line of progress dots
            self.stderr.write(exc.message)
            sys.exit(exc.exit_code)
        if code:
            sys.exit(code)

    def run(self, action, timeout):
        if settings.ELASTICSEARCH_URL:
            return localnode.remote_check(
                settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_API_KEY, self.write, action
            )
        node = localnode.LocalNode(
            directory=Path(settings.ES_LOCAL_DIR),
            version=settings.ES_LOCAL_VERSION,
            port=int(settings.ES_LOCAL_PORT),
            heap=settings.ES_LOCAL_HEAP,
        )
        if action == "start":
            limit = localnode.START_TIMEOUT if timeout is None else timeout
            localnode.start(node, os.environ, self.write, timeout=limit)
            return 0
        if action == "stop":
            limit = localnode.STOP_TIMEOUT if timeout is None else timeout
            localnode.stop(node, self.write, timeout=limit)
            return 0
        return localnode.status(node, self.write)
