"""Rows from a ``common.sql`` connection, fetched in chunks from a DB-API cursor.

The rows are yielded one by one as dicts keyed by the cursor's column names, while the cursor is
read ``chunk_size`` rows at a time with ``fetchmany``: the sync engine consumes the generator
lazily, so no more than about one chunk of rows is held in memory.

Drivers differ in where a result set lives before ``fetchmany``: SQLite, Snowflake and BigQuery
fetch as the cursor is read; psycopg2 / psycopg (Postgres) read the whole result on ``execute``
unless the cursor is named (server-side), which this module does for them; MySQL needs
``"cursor": "sscursor"`` in the connection's extra.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from contextlib import closing
from typing import Any

from airflow_provider_hubassoc._compat import AirflowException, AirflowFailException, BaseHook

#: The name of the server-side cursor opened on drivers that need one.
SERVER_SIDE_CURSOR_NAME = "hubassoc_stream"

FetchListener = Callable[[int], None]


def get_dbapi_hook(sql_conn_id: str) -> Any:
    """Return the ``common.sql`` hook of a connection.

    :param sql_conn_id: an Airflow connection whose hook is a ``DbApiHook`` (SQLite, Postgres,
        Snowflake, BigQuery, ...).
    :raises AirflowFailException: when the connection's hook is not a ``DbApiHook``.
    """
    from airflow.providers.common.sql.hooks.sql import DbApiHook

    try:
        hook = BaseHook.get_hook(sql_conn_id)
    except AirflowException as error:
        if "Unknown hook type" not in str(error):
            raise
        conn_type = str(BaseHook.get_connection(sql_conn_id).conn_type)
        raise AirflowFailException(missing_sql_provider_message(sql_conn_id, conn_type)) from None
    if not isinstance(hook, DbApiHook):
        raise AirflowFailException(
            f"sql_conn_id {sql_conn_id!r} has a {type(hook).__name__}, not a common.sql DbApiHook; use a "
            "connection of a SQL database (sqlite, postgres, snowflake, google_cloud_platform for "
            "BigQuery, ...)"
        )
    return hook


#: This package's extras that bring a warehouse's provider: ``pip install 'airflow-provider-hubassoc[X]'``.
_SQL_EXTRAS = {"sqlite": "sqlite", "postgres": "postgres"}
#: Connection types whose provider package is not ``apache-airflow-providers-<type>``.
_SQL_PROVIDERS = {
    "google_cloud_platform": "apache-airflow-providers-google",
    "mssql": "apache-airflow-providers-microsoft-mssql",
    "duckdb": "airflow-provider-duckdb",
}


def missing_sql_provider_message(sql_conn_id: str, conn_type: str) -> str:
    """The error shown when no installed provider handles the ``sql_conn_id``'s connection type.

    :param sql_conn_id: the connection id.
    :param conn_type: its connection type, e.g. ``"sqlite"``.
    """
    package = _SQL_PROVIDERS.get(conn_type, f"apache-airflow-providers-{conn_type.replace('_', '-')}")
    extra = _SQL_EXTRAS.get(conn_type)
    how = f"pip install '{package}'" + (
        f" (or pip install 'airflow-provider-hubassoc[{extra}]')" if extra else ""
    )
    return (
        f"sql_conn_id {sql_conn_id!r} has connection type {conn_type!r}, but no installed Airflow provider "
        f"handles it: install its provider package, {how}, on every Airflow component (scheduler, "
        "workers, dag-processor, api-server), then restart Airflow so that it registers the provider"
    )


def _cursor(conn: Any) -> Any:
    """Open a cursor that streams: a named (server-side) one on psycopg2 / psycopg, else the default."""
    module = type(conn).__module__
    if module.startswith(("psycopg2", "psycopg")):
        return conn.cursor(name=SERVER_SIDE_CURSOR_NAME)
    return conn.cursor()


def iter_sql_rows(
    hook: Any,
    sql: str,
    *,
    parameters: Sequence[Any] | Mapping[str, Any] | None = None,
    chunk_size: int = 10_000,
    on_fetch: FetchListener | None = None,
) -> Generator[dict[str, Any], None, None]:
    """Run ``sql`` and yield its rows as dicts, fetching ``chunk_size`` rows at a time.

    The connection and the cursor are closed when the generator ends or is closed.

    :param hook: a ``DbApiHook`` (see :func:`get_dbapi_hook`).
    :param sql: one statement that returns rows.
    :param parameters: DB-API parameters of the statement (the driver's placeholder style).
    :param chunk_size: rows per ``fetchmany``.
    :param on_fetch: called with the length of every batch fetched (for logging and tests).
    :raises AirflowFailException: when the statement returns no result set.
    """
    with closing(hook.get_conn()) as conn:
        cursor = _cursor(conn)
        try:
            if parameters is None:
                cursor.execute(sql)
            else:
                cursor.execute(sql, parameters)
            names: list[str] | None = None
            while True:
                batch = cursor.fetchmany(chunk_size)
                if names is None:
                    if cursor.description is None:
                        raise AirflowFailException("sql returned no rows set: it must be a SELECT query")
                    names = [str(column[0]) for column in cursor.description]
                if on_fetch is not None:
                    on_fetch(len(batch))
                if not batch:
                    return
                for record in batch:
                    yield dict(zip(names, record, strict=True))
        finally:
            cursor.close()
