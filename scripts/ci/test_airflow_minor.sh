#!/usr/bin/env bash
# make test-airflow-<minor>: the built wheel next to that Airflow minor, in a virtual environment of
# its own (scripts/ci/airflow_venv.sh), then the installed tests (every public module imports,
# `airflow providers list`, the connection form metadata) and the example DAGs with dag.test()
# against the emulator.
#
# With --deploy, the example DAGs run in a real deployment of that minor (make test-deploy's test,
# from this venv) instead of dag.test(): Airflow 3.2.2's dag.test() fails for every DAG, a one-task
# DAG without this provider too, because its in-process execution API never runs its lifespan under
# the starlette >= 1.0 it requires ('State' object has no attribute 'svcs_registry'); its api-server,
# scheduler and triggerer work.
# Usage: scripts/ci/test_airflow_minor.sh 3.1 3.11 [--deploy]
set -euo pipefail
MINOR=$1
PY=$2
MODE=${3:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$ROOT/build/airflow-$MINOR
VENV=$WORK/venv
started=$(date +%s)
"$ROOT/scripts/ci/airflow_venv.sh" "$MINOR" "$PY" "$VENV" pytest pytest-asyncio
"$VENV/bin/python" -c "import airflow, sys; print('Airflow', airflow.__version__, 'Python', sys.version.split()[0])"
# importlib mode and another working directory: the tests import the installed wheel, not the source tree
cd "$WORK"
SELECT=()
if [ "$MODE" = "--deploy" ]; then
  SELECT=(-k "not _runs")  # the tests that run a DAG with dag.test(); the others still run
fi
HUBASSOC_EXPECT_WHEEL=1 HUBASSOC_EXPECT_AIRFLOW=$MINOR "$VENV/bin/pytest" -q -p no:cacheprovider \
  --import-mode=importlib --rootdir "$ROOT" -c "$ROOT/pyproject.toml" "${SELECT[@]}" \
  "$ROOT/tests/installed" "$ROOT/tests/dags/test_example_dags.py"
if [ "$MODE" = "--deploy" ]; then
  cd "$ROOT"
  HUBASSOC_DEPLOY_VENV=$VENV "$ROOT/.venv/bin/pytest" tests/deploy -v -p no:randomly
fi
echo "== Airflow $MINOR: passed in $(($(date +%s) - started)) s"
