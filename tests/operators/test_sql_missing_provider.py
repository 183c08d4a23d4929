"""A ``sql_conn_id`` whose provider is not installed fails with what to install, not Airflow's bare error."""

from __future__ import annotations

import json

import pytest

from airflow_provider_hubassoc._compat import AirflowFailException
from airflow_provider_hubassoc.operators._sql import get_dbapi_hook, missing_sql_provider_message


def test_missing_provider_names_the_package_the_extra_and_the_restart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # no provider of this project's environment handles "duckdb": Airflow says 'Unknown hook type "duckdb"'
    monkeypatch.setenv(
        "AIRFLOW_CONN_DUCK_WAREHOUSE", json.dumps({"conn_type": "duckdb", "host": "/tmp/x.db"})
    )
    with pytest.raises(AirflowFailException) as caught:
        get_dbapi_hook("duck_warehouse")
    message = str(caught.value)
    assert "'duck_warehouse'" in message
    assert "pip install 'airflow-provider-duckdb'" in message
    assert "restart Airflow" in message
    assert "Unknown hook type" not in message


def test_sqlite_and_postgres_point_at_this_package_extras() -> None:
    sqlite = missing_sql_provider_message("hubassoc_warehouse", "sqlite")
    assert "pip install 'apache-airflow-providers-sqlite'" in sqlite
    assert "pip install 'airflow-provider-hubassoc[sqlite]'" in sqlite
    assert "airflow-provider-hubassoc[postgres]" in missing_sql_provider_message("w", "postgres")
    other = missing_sql_provider_message("w", "snowflake")
    assert "pip install 'apache-airflow-providers-snowflake'" in other
    assert "airflow-provider-hubassoc[" not in other


def test_an_installed_provider_still_gives_its_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_LITE", json.dumps({"conn_type": "sqlite", "host": "/tmp/lite.db"}))
    assert type(get_dbapi_hook("lite")).__name__ == "SqliteHook"
