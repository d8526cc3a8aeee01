# cchc — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CCHC := $(BIN)/cchc
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
CATALOGUE := src/cchc/locale/vi/LC_MESSAGES/django.po

.PHONY: install run test lint check-i18n messages bench bench-load bench-faults clean

install: $(STAMP) $(NPM_STAMP) compile-messages

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cchc needs Python 3.11 or newer")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

.PHONY: compile-messages
compile-messages: $(STAMP)
	@$(BIN)/python -m cchc.lib.i18n compile

run: install
	mkdir -p var
	$(CCHC) migrate --noinput
	$(CCHC) demo
	$(BIN)/honcho -f Procfile start

lint: install
	$(BIN)/ruff check src $(wildcard bench)
	$(BIN)/ruff format --check src $(wildcard bench)

check-i18n: install
	$(BIN)/python -m cchc.lib.i18n check

# Regenerate the catalogue after changing strings; then translate the new entries.
messages: install
	$(BIN)/python -m cchc.lib.i18n update

test: install lint check-i18n
	mkdir -p var
	$(CCHC) check --fail-level WARNING
	$(CCHC) makemigrations --check --dry-run
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

# The engine benchmarks (minutes each). The province load test and the fault scenarios need a
# PostgreSQL server and root (tmpfs) and take about an hour: `make bench-load`, `make bench-faults`.
bench: install
	@for f in bench/bench_*.py; do case "$$f" in *bench_load.py|*bench_faults.py) continue;; esac; $(BIN)/python "$$f"; done; true

bench-load: install
	$(BIN)/python bench/bench_load.py

bench-faults: install
	$(BIN)/python bench/bench_faults.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
