# The project's commands. `make test` works on a fresh machine: it creates .venv, installs the
# project with its test extras, then runs the linters, the type checker and the test suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install test lint typecheck unit clean dist

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

# The wheel and the sdist in build/dist, checked with `twine check --strict`.
DIST := build/dist
dist: install
	rm -rf $(DIST) && mkdir -p $(DIST)
	$(BIN)/python -m build --outdir $(DIST) . > build/dist.log 2>&1 || { tail -30 build/dist.log; exit 1; }
	$(BIN)/twine check --strict $(DIST)/*

# Each Airflow 3 minor that pyproject.toml admits, from the wheel, in its own virtual environment
# (build/airflow-<minor>), on the Python paired with it: 3.11 is the floor, 3.13 the newest installed.
# They use the project's .venv only to run the deployment test (3.2).
.PHONY: test-airflow-3.1 test-airflow-3.2 test-airflow-3.3 test-airflow-minors
test-airflow-3.1: dist
	scripts/ci/test_airflow_minor.sh 3.1 3.11
test-airflow-3.2: dist install  # dag.test() is broken in Airflow 3.2.2: the DAGs run in a real 3.2 deployment
	scripts/ci/test_airflow_minor.sh 3.2 3.12 --deploy
test-airflow-3.3: dist
	scripts/ci/test_airflow_minor.sh 3.3 3.13
test-airflow-minors: test-airflow-3.1 test-airflow-3.2 test-airflow-3.3

# A real Airflow 3.3 (api-server, scheduler, dag-processor, triggerer; LocalExecutor) from the wheel in
# build/deploy/venv, following README's "Run the examples in your Airflow"; every example DAG is
# triggered through the REST API (tests/deploy). Loopback only; every process is stopped at the end.
.PHONY: test-deploy
test-deploy: dist
	scripts/ci/airflow_venv.sh 3.3 3.13 build/deploy/venv
	HUBASSOC_DEPLOY_VENV=$(CURDIR)/build/deploy/venv $(BIN)/pytest tests/deploy -v -p no:randomly

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

# The SQL source against a real PostgreSQL server (tests/postgres): installs Debian's postgresql when
# missing (as root; apt-get) and the postgres extra into .venv; the tests start a cluster of their own
# in a temporary directory on a free loopback port and stop it.
PG_STAMP := $(VENV)/.installed-pg-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
.PHONY: test-postgres
$(PG_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	rm -f $(VENV)/.installed-pg-*
	touch $(PG_STAMP)

test-postgres: $(PG_STAMP)
	@ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || { \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; }
	HUBASSOC_POSTGRES_TESTS=1 $(BIN)/pytest tests/postgres -v -p no:randomly

# Benchmarks (tests/benchmarks/bench_*.py, not collected by pytest): runs each against the emulator
# in a subprocess and writes BENCHMARKS.md. About 5 minutes.
.PHONY: bench

bench: install
	$(BIN)/python -m tests.benchmarks.bench_all
