"""Helpers shared by the operators: rows from XCom/JSON, error translation, the rejects report."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from airflow_provider_hubassoc._compat import AirflowFailException
from airflow_provider_hubassoc.client.errors import HubSpotError
from airflow_provider_hubassoc.sync.errors import SyncError
from airflow_provider_hubassoc.sync.outcomes import RowOutcome
from airflow_provider_hubassoc.sync.report import TextSink, report_line
from airflow_provider_hubassoc.sync.rows import UnreadableRow

T = TypeVar("T")


def resolve_rows(rows: object) -> list[object]:
    """Turn the rendered ``rows`` argument into a list of rows.

    :param rows: a list (or any iterable, e.g. a lazy XCom sequence) of mappings, one mapping, a
        JSON string, a Python-literal string (a template rendered without native objects), or ``None``.
        A JSON array whose items cannot all be decoded (an item nested 100,000 deep) is read item
        by item: the items that cannot be decoded become rows that are rejected with the reason.
    :raises AirflowFailException: when the value is none of these.
    """
    if rows is None:
        return []
    if isinstance(rows, bytes):
        rows = rows.decode(errors="replace")
    if isinstance(rows, str):
        rows = _decode_rows(rows)
    if isinstance(rows, Mapping):
        return [rows]
    if isinstance(rows, str | bytes):
        raise AirflowFailException("rows must be a list of mappings")
    try:
        items: list[object] = list(rows)  # type: ignore[call-overload]
        return items
    except TypeError:
        raise AirflowFailException(f"rows must be a list of mappings, got {type(rows).__name__}") from None


def _decode_rows(text: str) -> object:
    text = text.strip()
    if not text:
        return []
    try:
        return json.loads(text)
    except RecursionError:
        if text.startswith("["):
            return [_decode_item(item) for item in split_json_array(text)]
        return [UnreadableRow(text, "the row nests too deep to be read")]
    except ValueError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise AirflowFailException(
            "rows is a string that is neither JSON nor a Python literal list of mappings"
        ) from None


def _decode_item(text: str) -> object:
    try:
        return json.loads(text)
    except RecursionError:
        return UnreadableRow(text, "the row nests too deep to be read")
    except ValueError:
        return UnreadableRow(text, "the row is not valid JSON")


def split_json_array(text: str) -> list[str]:
    """Split the text of a JSON array into the texts of its items, without decoding them.

    :param text: a JSON array, e.g. ``'[{"a": 1}, [[[...]]]]'``.
    :raises AirflowFailException: when the brackets or quotes do not balance.
    """
    items: list[str] = []
    depth, start, in_string, escaped = 0, 1, False, False
    for position, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                if text[start:position].strip():
                    items.append(text[start:position].strip())
                if text[position + 1 :].strip():
                    break
                return items
        elif char == "," and depth == 1:
            items.append(text[start:position].strip())
            start = position + 1
    raise AirflowFailException("rows is a string that is neither JSON nor a Python literal list of mappings")


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


class LazyReport:
    """The rejects report, opened at the first rejected row: no file when nothing is rejected.

    Use as a context manager around the sync; :meth:`write` is the sync's ``on_rejected`` sink.

    :param location: a local path or an object-storage URL.
    """

    def __init__(self, location: str) -> None:
        self.location = location
        self.lines = 0
        self._open = report_opener(location)
        self._stack = ExitStack()
        self._sink: TextSink | None = None

    def __enter__(self) -> LazyReport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def write(self, outcome: RowOutcome) -> None:
        """Append one rejected row (the first one opens the report).

        :param outcome: a rejected row's outcome.
        """
        if self._sink is None:
            self._sink = self._stack.enter_context(self._open())
        self._sink.write(report_line(outcome))
        self.lines += 1
