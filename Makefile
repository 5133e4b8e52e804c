# PlanBridge: `make run` installs and serves the demo; `make test` installs and runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL = $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

.PHONY: install system-deps shell run test lint typecheck test-sqlite test-postgresql bench clean generate connector

install: $(VENV)/.installed node_modules/.installed system-deps

# Two sentinels in one .venv: `make run` needs only the runtime dependencies (.runtime); the
# checks need the dev tools too (.installed). Either may come first in a fresh clone.
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@ $(VENV)/.runtime

# Debian packages the tests start (nginx in front of PlanBridge, openssl for its certificate,
# Chromium for the browser tests: Playwright drives /usr/bin/chromium, never a downloaded one).
# One line per package; installed only when missing.
system-deps:
	@dpkg -s nginx >/dev/null 2>&1 || ($(APT_INSTALL) nginx)
	@dpkg -s openssl >/dev/null 2>&1 || ($(APT_INSTALL) openssl)
	@[ -x /usr/bin/chromium ] || ($(APT_INSTALL) chromium)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.runtime
	$(BIN)/planbridge serve --demo

# A shell whose PATH starts with .venv/bin, so `planbridge ...` works (exit to leave).
shell: $(VENV)/.runtime
	@echo "planbridge is on the PATH of this shell; type exit to leave it."
	@VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(BIN)):$$PATH $${SHELL:-/bin/sh}

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Rewrite every file derived from the table catalog (schema, Power Query templates, docs
# sections) and the generated reference docs; tests/test_generated.py fails when one is stale.
generate: $(VENV)/.installed
	$(BIN)/python -m planbridge.catalog.generate
	$(BIN)/python -m planbridge.reference --write

typecheck: $(VENV)/.installed
	$(BIN)/mypy

test-sqlite: install
	PLANBRIDGE_TEST_DB=sqlite $(BIN)/pytest -q

test-postgresql: install
	PLANBRIDGE_TEST_DB=postgresql PLANBRIDGE_TEST_PG=$(PG_URL) $(BIN)/pytest -q -m db

test: lint typecheck test-sqlite test-postgresql

bench: $(VENV)/.installed
	$(BIN)/python bench/feed_bench.py
	$(BIN)/python bench/static_bench.py --big-weeks 27
	$(BIN)/python bench/static_bench.py --big-weeks 27 --database-url $(PG_URL)
	$(BIN)/python bench/metrics_bench.py
	$(BIN)/python bench/publish_bench.py
	$(BIN)/python bench/publish_bench.py --database-url $(PG_URL)
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/odata_bench.py
	$(BIN)/python bench/odata_bench.py --database-url $(PG_URL)
	$(BIN)/python bench/body_limit_bench.py
	$(BIN)/python bench/etl_bench.py
	$(BIN)/python bench/pages_bench.py

# The Power Query custom connector: make connector CLIENT_ID=pbc-... (see docs/connector.md).
connector: $(VENV)/.installed
	$(BIN)/python connector/build_mez.py --client-id "$(CLIENT_ID)" --out dist/PlanBridge.mez

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
