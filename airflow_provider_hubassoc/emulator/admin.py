"""Emulator-only routes: ``/_emulator/...`` inspection and control, and the OAuth token endpoint.

None of these need a bearer token and none are subject to rate limits or faults.

* ``GET /_emulator/associations?from_object_type=contacts&to_object_type=companies[&from_object_id=1]``
* ``GET /_emulator/labels[?from_object_type=..&to_object_type=..]``
* ``GET /_emulator/records/{objectType}``, ``POST /_emulator/records`` (seed-format body)
* ``GET /_emulator/stats``, ``POST /_emulator/reset``
* ``GET /_emulator/config``, ``POST /_emulator/config`` (runtime fields only, see
  :data:`airflow_provider_hubassoc.emulator.runtime.RUNTIME_FIELDS`)
* ``GET /_emulator/health``
* ``POST /oauth/2026-03/token`` and ``POST /oauth/2026-09/token`` (form-encoded
  ``grant_type=refresh_token``; ``PublicApiSpecs/Auth/Oauth/Rollouts/279897/<version>/oauth.json``).
  ``/oauth/v1/token`` is not served: HubSpot sunsets it on 2027-02-16.
"""

from __future__ import annotations

import urllib.parse
import uuid
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from airflow_provider_hubassoc.emulator.responses import json_response
from airflow_provider_hubassoc.emulator.routes import read_json
from airflow_provider_hubassoc.emulator.runtime import EmulatorRuntime
from airflow_provider_hubassoc.emulator.state import EmulatorError, parse_record_id


def register_admin_routes(app: FastAPI, rt: EmulatorRuntime) -> None:
    """Add the ``/_emulator`` and ``/oauth`` routes.

    :param app: The FastAPI application.
    :param rt: The runtime.
    """

    def pair_types(request: Request) -> tuple[str, str]:
        q = request.query_params
        if "from_object_type" not in q or "to_object_type" not in q:
            raise EmulatorError(400, "from_object_type and to_object_type are required.")
        return rt.portal.resolve_type(q["from_object_type"]), rt.portal.resolve_type(q["to_object_type"])

    async def associations(request: Request) -> Response:
        from_t, to_t = pair_types(request)
        pairs = rt.portal.pairs(from_t, to_t)
        raw = request.query_params.get("from_object_id")
        if raw:
            wanted = parse_record_id(raw)
            pairs = [p for p in pairs if p["fromObjectId"] == wanted]
        return json_response(
            {"fromObjectTypeId": from_t, "toObjectTypeId": to_t, "count": len(pairs), "results": pairs}
        )

    async def labels(request: Request) -> Response:
        if "from_object_type" in request.query_params:
            from_t, to_t = pair_types(request)
            return json_response({"results": rt.portal.list_labels(from_t, to_t)})
        results = [
            {
                "name": ld.name,
                "fromObjectTypeId": ld.from_type,
                "toObjectTypeId": ld.to_type,
                "typeId": ld.fwd_id,
                "inverseTypeId": ld.rev_id,
                "label": ld.label,
                "inverseLabel": ld.inverse_label,
            }
            for ld in rt.portal.labels.values()
        ]
        return json_response({"results": results})

    async def records_get(request: Request) -> Response:
        tid = rt.portal.resolve_type(request.path_params["objectType"])
        store = rt.portal.records.get(tid, {})
        return json_response({"results": [{"id": str(k), "properties": v} for k, v in sorted(store.items())]})

    async def records_add(request: Request) -> Response:
        data = await read_json(request)
        if not isinstance(data, dict):
            raise EmulatorError(400, "Body must map object types to lists of records.")
        try:
            added = rt.portal.add_records(data)
        except (KeyError, TypeError, AttributeError) as exc:
            raise EmulatorError(400, f"Invalid records: {exc}") from exc
        return json_response({"added": added})

    async def stats(request: Request) -> Response:
        return json_response(rt.stats.snapshot())

    async def reset(request: Request) -> Response:
        rt.reset()
        return json_response({"status": "reset"})

    async def config_get(request: Request) -> Response:
        return json_response(rt.public_config())

    async def config_set(request: Request) -> Response:
        data = await read_json(request)
        if not isinstance(data, dict):
            raise EmulatorError(400, "Body must be an object of config fields.")
        try:
            rt.reconfigure(data)
        except (ValueError, TypeError) as exc:
            raise EmulatorError(400, str(exc)) from exc
        return json_response(rt.public_config())

    async def health(request: Request) -> Response:
        return json_response({"status": "ok"})

    async def oauth_token(request: Request) -> Response:
        # The date-versioned endpoint takes its fields in the form body only (never the query string).
        form = urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"))
        values: dict[str, str] = {k: v[0] for k, v in form.items()}
        if values.get("grant_type") != "refresh_token":
            return _oauth_error("BAD_GRANT_TYPE", "grant_type must be refresh_token on this emulator")
        try:
            body = rt.issue_token(
                values.get("client_id", ""), values.get("client_secret", ""), values.get("refresh_token", "")
            )
        except EmulatorError as exc:
            return _oauth_error(exc.category, exc.message)
        return json_response(body)

    routes: list[tuple[str, str, Any]] = [
        ("/_emulator/associations", "GET", associations),
        ("/_emulator/labels", "GET", labels),
        ("/_emulator/records/{objectType}", "GET", records_get),
        ("/_emulator/records", "POST", records_add),
        ("/_emulator/stats", "GET", stats),
        ("/_emulator/reset", "POST", reset),
        ("/_emulator/config", "GET", config_get),
        ("/_emulator/config", "POST", config_set),
        ("/_emulator/health", "GET", health),
        ("/oauth/2026-03/token", "POST", oauth_token),
        ("/oauth/2026-09/token", "POST", oauth_token),
    ]
    for path, method, handler in routes:
        app.add_route(path, handler, methods=[method], name="emulator" + path.replace("/", "_"))


def _oauth_error(reason: str, message: str) -> Response:
    """The token endpoint's error: HubSpot's ``Error`` shape (``category``, ``correlationId`` and
    ``message`` required), as both ``.../279897/2026-03/oauth.json`` and HubSpot's token reference
    page show it. The issue that asked for this endpoint expected the OAuth 2.0 form (``error``,
    ``error_description``); neither the spec nor the docs say so, so the spec's shape is served and the
    client reads both."""
    body = {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "subCategory": reason,
        "message": message,
        "correlationId": str(uuid.uuid4()),
    }
    return json_response(body, 400)
