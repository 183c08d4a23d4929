"""JSON bodies in HubSpot's shapes: errors, 429s, batch envelopes, cursors, timestamps."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from typing import Any

from starlette.responses import Response

from airflow_provider_hubassoc.emulator.state import EmulatorError

JSON_TYPE = "application/json;charset=utf-8"
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(obj: Any) -> bytes:
    """Compact JSON encoding.

    :param obj: JSON-serialisable value.
    """
    return _dumps(obj).encode("utf-8")


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response without pydantic.

    :param obj: Body.
    :param status: HTTP status.
    :param headers: Extra headers.
    """
    return Response(content=dumps(obj), status_code=status, media_type=JSON_TYPE, headers=headers)


def now_iso() -> str:
    """The current UTC time as HubSpot formats it (``2024-10-21T20:22:42.152Z``)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error_body(
    message: str,
    category: str,
    sub_category: str | None = None,
    context: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """HubSpot ``Error`` body (``status``, ``message``, ``correlationId``, ``category``...).

    :param message: Message.
    :param category: Category such as ``VALIDATION_ERROR``.
    :param sub_category: Optional sub-category.
    :param context: Optional context.
    """
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }
    if sub_category is not None:
        body["subCategory"] = sub_category
    if context is not None:
        body["context"] = context
    return body


def error_from(exc: EmulatorError) -> dict[str, Any]:
    """Error body of an :class:`EmulatorError`.

    :param exc: The error.
    """
    return error_body(exc.message, exc.category, exc.sub_category, exc.context)


def rate_limit_body(policy: str) -> dict[str, Any]:
    """429 body for ``TEN_SECONDLY_ROLLING`` or ``DAILY``.

    :param policy: The policy name.
    """
    what = "daily" if policy == "DAILY" else policy.lower()
    return {
        "status": "error",
        "message": f"You have reached your {what} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy,
        "category": "RATE_LIMITS",
    }


def row_error(
    category: str,
    message: str,
    context: dict[str, list[str]],
    sub_category: str | None = None,
) -> dict[str, Any]:
    """A ``StandardError`` entry of a 207 body.

    :param category: Error category.
    :param message: Message.
    :param context: Context mapping back to the input row (e.g. ``fromObjectId``/``toObjectId``).
    :param sub_category: Optional sub-category.
    """
    entry: dict[str, Any] = {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": [],
        "links": {},
    }
    if sub_category is not None:
        entry["subCategory"] = sub_category
    return entry


def batch_body(results: list[Any], errors: list[dict[str, Any]], started_at: str) -> dict[str, Any]:
    """Batch envelope; ``errors``/``numErrors`` only when there are errors.

    :param results: Result entries.
    :param errors: Error entries.
    :param started_at: ``startedAt`` timestamp.
    """
    body: dict[str, Any] = {"status": "COMPLETE", "results": results}
    if errors:
        body["errors"] = errors
        body["numErrors"] = len(errors)
    body["startedAt"] = started_at
    body["completedAt"] = now_iso()
    return body


def raw_batch_body(fragments: list[str], errors: list[dict[str, Any]], started_at: str) -> bytes:
    """Batch envelope around results that are already JSON text (the batch-create hot path).

    :param fragments: One JSON object text per result.
    :param errors: Error entries.
    :param started_at: ``startedAt`` timestamp.
    """
    tail: dict[str, Any] = {}
    if errors:
        tail["errors"] = errors
        tail["numErrors"] = len(errors)
    tail["startedAt"] = started_at
    tail["completedAt"] = now_iso()
    return b'{"status":"COMPLETE","results":[' + ",".join(fragments).encode() + b"]," + dumps(tail)[1:]


def encode_cursor(last_id: int) -> str:
    """Opaque ``after`` cursor for the page after ``last_id``.

    :param last_id: The last ``toObjectId`` of the current page.
    """
    return base64.urlsafe_b64encode(f"hubassoc:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: Any) -> int | None:
    """Decode an ``after`` cursor (``None``/empty means the first page).

    :param cursor: The cursor as sent by the client.
    :raises EmulatorError: 400 for a cursor this emulator did not issue.
    """
    if cursor is None or cursor == "":
        return None
    try:
        text = str(cursor)
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        prefix, _, value = raw.partition(":")
        if prefix != "hubassoc":
            raise ValueError(raw)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise EmulatorError(400, f"Invalid paging cursor: {cursor!r}", "VALIDATION_ERROR") from exc
