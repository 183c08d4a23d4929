# The project's commands. `make test` works on a fresh machine: it creates .venv, installs the
# project with its test extras, then runs the linters, the type checker and the test suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install test lint typecheck unit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache

# Real-browser test of the hubassoc connection form (tests/ui): a throwaway Airflow API server, the
# emulator and headless Chromium driven by Playwright. Needs Chromium at $(CHROMIUM).
CHROMIUM ?= /usr/bin/chromium
UI_STAMP := $(VENV)/.installed-ui-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: test-ui ui-chromium

ui-chromium:
	@test -x $(CHROMIUM) || { \
		echo "make test-ui needs Chromium at $(CHROMIUM); none found."; \
		echo "Install it with:  sudo apt-get update && sudo apt-get install -y chromium chromium-driver"; \
		echo "(or run with CHROMIUM=/path/to/chromium)"; \
		exit 1; }

$(UI_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,ui]'
	rm -f $(VENV)/.installed-ui-*
	touch $(UI_STAMP)

test-ui: ui-chromium $(UI_STAMP)
	HUBASSOC_UI_TESTS=1 HUBASSOC_UI_CHROMIUM=$(CHROMIUM) $(BIN)/pytest tests/ui -v -p no:randomly

# The README's first command: builds a SQLite warehouse and an emulator seed in build/demo, starts
# the local HubSpot emulator, and runs the hubassoc_warehouse_sync DAG twice with `airflow dags test`
# (the second run only reads). DEMO_SCALE multiplies every data size (0.1 in CI).
DEMO_SCALE ?= 1
.PHONY: demo
demo: install
	$(BIN)/python scripts/demo/run_demo.py --scale $(DEMO_SCALE)

# Benchmarks (tests/benchmarks/bench_*.py, not collected by pytest): runs each against the emulator
# in a subprocess and writes BENCHMARKS.md. About 5 minutes.
.PHONY: bench

bench: install
	$(BIN)/python -m tests.benchmarks.bench_all
