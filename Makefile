# PlanBridge: `make run` installs and serves the demo; `make test` installs and runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install run test lint typecheck test-sqlite test-postgresql bench clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.installed
	$(BIN)/planbridge serve --demo

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy

test-sqlite: install
	PLANBRIDGE_TEST_DB=sqlite $(BIN)/pytest -q

test-postgresql: install
	PLANBRIDGE_TEST_DB=postgresql PLANBRIDGE_TEST_PG=$(PG_URL) $(BIN)/pytest -q -m db

test: lint typecheck test-sqlite test-postgresql

bench: $(VENV)/.installed
	$(BIN)/python bench/feed_bench.py
	$(BIN)/python bench/metrics_bench.py
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/odata_bench.py
	$(BIN)/python bench/body_limit_bench.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
