#!/usr/bin/env bash
# make test-airflow-<minor>: the built wheel next to that Airflow minor, in a virtual environment of
# its own (scripts/ci/airflow_venv.sh), then the installed tests (every public module imports,
# `airflow providers list`, the connection form metadata) and the example DAGs with dag.test()
# against the emulator.
# Usage: scripts/ci/test_airflow_minor.sh 3.1 3.11
set -euo pipefail
MINOR=$1
PY=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$ROOT/build/airflow-$MINOR
VENV=$WORK/venv
started=$(date +%s)
"$ROOT/scripts/ci/airflow_venv.sh" "$MINOR" "$PY" "$VENV" pytest pytest-asyncio
"$VENV/bin/python" -c "import airflow, sys; print('Airflow', airflow.__version__, 'Python', sys.version.split()[0])"
# importlib mode and another working directory: the tests import the installed wheel, not the source tree
cd "$WORK"
HUBASSOC_EXPECT_WHEEL=1 HUBASSOC_EXPECT_AIRFLOW=$MINOR "$VENV/bin/pytest" -q -p no:cacheprovider \
  --import-mode=importlib --rootdir "$ROOT" -c "$ROOT/pyproject.toml" \
  "$ROOT/tests/installed" "$ROOT/tests/dags/test_example_dags.py"
echo "== Airflow $MINOR: passed in $(($(date +%s) - started)) s"
