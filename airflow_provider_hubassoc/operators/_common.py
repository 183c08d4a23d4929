"""Helpers shared by the operators: rows from XCom/JSON, error translation, the rejects report."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from airflow_provider_hubassoc._compat import AirflowFailException
from airflow_provider_hubassoc.client.errors import HubSpotError
from airflow_provider_hubassoc.sync.errors import SyncError
from airflow_provider_hubassoc.sync.report import TextSink

T = TypeVar("T")


def resolve_rows(rows: object) -> list[object]:
    """Turn the rendered ``rows`` argument into a list of rows.

    :param rows: a list (or any iterable, e.g. a lazy XCom sequence) of mappings, one mapping, a
        JSON string, a Python-literal string (a template rendered without native objects), or ``None``.
    :raises AirflowFailException: when the value is none of these.
    """
    if rows is None:
        return []
    if isinstance(rows, bytes):
        rows = rows.decode()
    if isinstance(rows, str):
        text = rows.strip()
        if not text:
            return []
        try:
            rows = json.loads(text)
        except ValueError:
            try:
                rows = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise AirflowFailException(
                    "rows is a string that is neither JSON nor a Python literal list of mappings"
                ) from None
    if isinstance(rows, Mapping):
        return [rows]
    if isinstance(rows, str | bytes):
        raise AirflowFailException("rows must be a list of mappings")
    try:
        items: list[object] = list(rows)  # type: ignore[call-overload]
        return items
    except TypeError:
        raise AirflowFailException(f"rows must be a list of mappings, got {type(rows).__name__}") from None


def parse_bool(value: object, name: str) -> bool:
    """Parse a (possibly templated) boolean.

    :param value: a bool or ``"true"``/``"false"``/``"1"``/``"0"``/``"yes"``/``"no"``.
    :param name: the argument's name, for the message.
    :raises AirflowFailException: otherwise.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "false", "0", "no", ""):
        return value.strip().lower() in ("true", "1", "yes")
    raise AirflowFailException(f"{name} must be a boolean, got {value!r}")


def run_permanent_as_fail(call: Callable[[], T]) -> T:
    """Run ``call``; permanent errors become :class:`AirflowFailException` (no retry).

    Transient HubSpot errors propagate unchanged, so Airflow retries the task.

    :param call: the work.
    """
    try:
        return call()
    except SyncError as exc:
        raise AirflowFailException(str(exc)) from exc
    except HubSpotError as exc:
        if exc.permanent:
            raise AirflowFailException(str(exc)) from exc
        raise


def report_opener(location: str) -> Callable[[], AbstractContextManager[TextSink]]:
    """Return an opener for the rejects report at ``location``.

    :param location: a local path, or an object-storage URL (``s3://…``, ``file://…``) opened
        through :class:`airflow.sdk.ObjectStoragePath`.
    """

    @contextmanager
    def opener() -> Iterator[TextSink]:
        if "://" in location:
            from airflow.sdk import ObjectStoragePath

            path: Any = ObjectStoragePath(location)
            with path.open("w") as handle:
                yield handle
        else:
            local = Path(location)
            local.parent.mkdir(parents=True, exist_ok=True)
            with local.open("w", encoding="utf-8") as handle:
                yield handle

    return opener
