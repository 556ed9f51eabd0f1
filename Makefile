# Lintas Kanwil. The two commands the README documents:
#   make run    set up, start Elasticsearch, load the demo content, serve http://127.0.0.1:8000/
#   make test   set up, start Elasticsearch, run the whole test suite
# Also: make stop (stop the local Elasticsearch), make clean (remove .venv).
# Runtime state (database, media, Elasticsearch) lives outside the source tree; see
# STATE_DIR and ES_LOCAL_DIR in portal/settings/base.py.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed
TEST_SETTINGS := portal.settings.test
PYTEST_ARGS ?=

.PHONY: help venv run test stop clean chromium

help:
	@echo "make run    start Elasticsearch, migrate, load the demo content, run the index worker and the web server on http://127.0.0.1:8000/"
	@echo "make test   run the test suite (starts Elasticsearch; installs Chromium if missing); PYTEST_ARGS='...' is passed to pytest"
	@echo "make stop   stop the local Elasticsearch node"
	@echo "make clean  remove .venv (runtime state is kept)"

venv: $(STAMP)

# pip runs again only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Python 3.11 or newer is needed: install it, or run make with PYTHON=/path/to/python3.11." >&2; exit 1; }
	@if [ ! -x $(PY) ]; then \
	  echo "Creating $(VENV) ..."; \
	  $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): install the venv module (Debian: apt-get install python3-venv)." >&2; exit 1; }; \
	fi
	@echo "Installing the project and its test dependencies into $(VENV) ..."
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,postgres]'
	@touch $@

run: venv
	$(MANAGE) elasticsearch start
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) search_index rebuild
	@echo "Portal on http://127.0.0.1:8000/ ; Ctrl-C stops the web server and the index worker (Elasticsearch keeps running: make stop)."
	@$(MANAGE) search_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true; wait $$worker 2>/dev/null || true' EXIT; \
	$(MANAGE) runserver 127.0.0.1:8000

# Elasticsearch is left running after the tests, so the next `make test` or `make run`
# starts at once; `make stop` stops it.
test: venv chromium
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(MANAGE) elasticsearch start
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) -m pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium through Playwright.
chromium:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=; \
	elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	else sudo=none; fi; \
	if [ "$$sudo" = none ] || ! command -v apt-get >/dev/null 2>&1; then \
	  echo "Chromium is needed for the browser tests: install the Debian package chromium (as root: apt-get install chromium)." >&2; exit 1; \
	fi; \
	echo "Installing Chromium for the browser tests (apt-get) ..."; \
	$$sudo apt-get update -qq; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core

stop: venv
	$(MANAGE) elasticsearch stop

clean:
	@if [ -x $(PY) ]; then \
	  $(PY) -c 'from portal.settings import base as s; print(f"Kept runtime state (delete by hand to start afresh):\n  database and media: {s.STATE_DIR}\n  Elasticsearch:      {s.ES_LOCAL_DIR}  (make stop first)")' 2>/dev/null \
	  || echo "Kept runtime state: see STATE_DIR and ES_LOCAL_DIR in portal/settings/base.py."; \
	else echo "Kept runtime state: see STATE_DIR and ES_LOCAL_DIR in portal/settings/base.py."; fi
	rm -rf $(VENV)
