#!/usr/bin/env bash
# A virtual environment holding one Airflow minor and the built wheel (not editable) with its sqlite
# extra, on the given Python. Used by make test-airflow-<minor> and make test-deploy.
#
# What pip resolves is pinned in .ci/constraints/airflow-<minor>-py<python>.txt (Airflow's own
# constraints files are not reachable from CI): the first run writes it, later runs install from it.
# Usage: scripts/ci/airflow_venv.sh 3.1 3.11 build/airflow-3.1/venv [extra requirement ...]
set -euo pipefail
MINOR=$1
PY=$2
VENV=$3
shift 3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PINS=$ROOT/.ci/constraints/airflow-$MINOR-py$PY.txt
WHEEL=$(ls "$ROOT"/build/dist/airflow_provider_hubassoc-*.whl)

PYTHON=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$PY".*/bin/python3 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PYTHON" ]; then
  PYTHON=$(command -v "python$PY" || true)
fi
if [ -z "$PYTHON" ]; then
  echo "Airflow $MINOR needs Python $PY (pyenv's versions/$PY.x, or python$PY on PATH)" >&2
  exit 1
fi
echo "== Airflow $MINOR on $("$PYTHON" --version) ($PYTHON) in $VENV, wheel $(basename "$WHEEL")"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
quiet() { "$@" 2>&1 | { grep -v "^WARNING: Location" || true; }; return "${PIPESTATUS[0]}"; }
REQS=("apache-airflow==$MINOR.*" "airflow-provider-hubassoc[sqlite] @ file://$WHEEL" "$@")
if [ -f "$PINS" ]; then
  quiet "$VENV/bin/python" -m pip install --quiet -c "$PINS" "${REQS[@]}"
else
  quiet "$VENV/bin/python" -m pip install --quiet "${REQS[@]}"
  {
    echo "# What pip resolved for Airflow $MINOR on Python $PY (scripts/ci/airflow_venv.sh)."
    "$VENV/bin/python" -m pip freeze --exclude airflow-provider-hubassoc
  } > "$PINS"
  echo "wrote $PINS"
fi
# the wheel just built, even when its version number did not change
quiet "$VENV/bin/python" -m pip install --quiet --no-deps --force-reinstall "$WHEEL"
"$VENV/bin/python" -m pip check
