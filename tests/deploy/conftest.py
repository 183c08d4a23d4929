"""The deployment test (``make test-deploy``): opt-in, like the browser tests.

Unless ``HUBASSOC_DEPLOY_VENV`` names a virtual environment holding Airflow and the built wheel
(``make test-deploy`` makes one with ``scripts/ci/airflow_venv.sh``), pytest ignores this folder
during collection, so ``make test`` neither runs nor reports it.
"""

from __future__ import annotations

import os

if not os.environ.get("HUBASSOC_DEPLOY_VENV"):
    collect_ignore_glob = ["*"]
