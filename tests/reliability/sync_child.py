"""A sync in its own process, for the kill-and-re-run test (not a test module).

``python -m tests.reliability.sync_child URL MODE ROWS_JSON REQUESTS_PER_10S`` runs
:func:`~airflow_provider_hubassoc.sync.engine.upsert_associations` through a
:class:`~airflow_provider_hubassoc.hooks.associations.HubSpotAssociationsHook` whose connection
(``AIRFLOW_CONN_HUBASSOC_DEFAULT``) points at ``URL``, and prints the summary as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook
from airflow_provider_hubassoc.sync.engine import upsert_associations
from tests.benchmarks.support import connection_json


def main(argv: list[str]) -> int:
    """Run the sync.

    :param argv: URL, mode, path of a JSON list of rows, requests per 10 s.
    """
    url, mode, rows_path, pace = argv
    os.environ["AIRFLOW_CONN_HUBASSOC_DEFAULT"] = connection_json(url, requests_per_10s=int(pace))
    rows = json.loads(Path(rows_path).read_text())
    hook = HubSpotAssociationsHook()
    try:
        result = upsert_associations(
            hook.get_client(), from_object_type="contacts", to_object_type="companies", rows=rows, mode=mode
        )
    finally:
        hook.close()
    print(json.dumps(result.summary.to_dict()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
