"""CRM objects routes: batch read (by id or by a unique ``idProperty``), read by id, search, properties.

What a keyed sync needs from HubSpot's CRM objects API (issue 16), on ``/crm/v3/objects/...`` and on
``/crm/objects/<date>/...``, plus ``/crm/v3/properties/...`` and ``/crm/properties/<date>/...``.
Facts from ``HubSpot/HubSpot-public-api-spec-collection`` (``PublicApiSpecs/CRM/Objects/Rollouts/424/
<version>/objects.json``, ``.../CRM/Properties/Rollouts/145899/<version>/properties.json``) and
HubSpot's search guide; the per-version statuses live in :mod:`.versions` (``objects_batch_read``).

* Batch read: at most 100 inputs (400 otherwise); ``idProperty`` must be a unique-value property
  (contacts' ``email`` by rule, or one the seed declares ``hasUniqueValue``), else 400 in the form
  HubSpot uses for upserts by a non-unique property; by ``email`` a secondary email
  (``hs_additional_emails``) finds its contact too; inputs not found give one ``OBJECT_NOT_FOUND``
  error naming them in ``context.ids``; a merged (old) id answers with the surviving record.
* Read by id: 404 ``OBJECT_NOT_FOUND`` with ``context.id`` for a missing record.
* Search: ``filterGroups`` (OR) of ``filters`` (AND), operators ``EQ`` (case-insensitive) and ``IN``
  (HubSpot requires lower-case values for strings; they match the stored value whatever its case);
  at most 5 groups, 6 filters per group, 18 in all; ``limit`` up to 200 (default 10), ``after`` a
  numeric string, no page past the 10,000th result; oldest record first. Search has its own
  per-second limit (``search_requests_per_second``), answered with HubSpot's 429 ``SECONDLY`` body,
  and is not counted in the ten-second limit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from airflow_provider_hubassoc.emulator.catalog import singular_name
from airflow_provider_hubassoc.emulator.responses import error_body, json_response, now_iso, rate_limit_body
from airflow_provider_hubassoc.emulator.routes import read_json
from airflow_provider_hubassoc.emulator.runtime import EmulatorRuntime
from airflow_provider_hubassoc.emulator.state import EmulatorError, Portal
from airflow_provider_hubassoc.emulator.versions import DATE_VERSIONS, answer, version_of

OBJECTS_PREFIXES: Final = ("/crm/v3/objects", *(f"/crm/objects/{d}" for d in DATE_VERSIONS))
PROPERTIES_PREFIXES: Final = ("/crm/v3/properties", *(f"/crm/properties/{d}" for d in DATE_VERSIONS))
#: The endpoint name of search (the gateway leaves it out of the ten-second limit).
SEARCH_ENDPOINT: Final = "objects_search"
BATCH_READ_LIMIT: Final = 100
SEARCH_MAX_GROUPS: Final = 5
SEARCH_MAX_FILTERS_PER_GROUP: Final = 6
SEARCH_MAX_FILTERS: Final = 18
SEARCH_MAX_LIMIT: Final = 200
SEARCH_RESULT_CAP: Final = 10_000
#: Properties every record reports (HubSpot's defaults include these).
_BASE_PROPERTIES: Final = ("hs_object_id", "createdate", "hs_lastmodifieddate")
#: Unique by rule, whatever the property definition says.
_UNIQUE_BY_RULE: Final = frozenset({("0-1", "email")})
_EPOCH: Final = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def created_at(record_id: int, props: dict[str, Any]) -> str:
    """A record's ``createdAt``: the seeded one, else derived from the id (older ids are older).

    :param record_id: the record id.
    :param props: its properties.
    """
    seeded = props.get("createdate")
    if isinstance(seeded, str) and seeded:
        return seeded
    moment = _EPOCH + dt.timedelta(seconds=record_id % 10**9)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def render(record_id: int, props: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    """A ``SimplePublicObject``: the requested properties (``null`` when unset) plus the defaults.

    :param record_id: the record id.
    :param props: its stored properties.
    :param wanted: the requested property names.
    """
    created = created_at(record_id, props)
    values: dict[str, Any] = {
        "hs_object_id": str(record_id),
        "createdate": created,
        "hs_lastmodifieddate": created,
    }
    for name in wanted:
        if name not in values:
            value = props.get(name)
            values[name] = None if value is None else str(value)
    return {
        "id": str(record_id),
        "properties": values,
        "createdAt": created,
        "updatedAt": created,
        "archived": False,
    }


def _names(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [p for p in (s.strip() for s in raw.split(",")) if p]
    if isinstance(raw, list) and all(isinstance(p, str) for p in raw):
        return list(raw)
    raise EmulatorError(400, "Invalid input JSON: 'properties' must be an array of strings.")


def is_unique(portal: Portal, type_id: str, name: str) -> bool:
    """Whether ``name`` is a unique-value property of ``type_id`` (``hs_object_id`` is not accepted).

    :param portal: the portal.
    :param type_id: the object type id.
    :param name: the property name.
    """
    if (type_id, name) in _UNIQUE_BY_RULE:
        return True
    return bool(portal.property_defs.get(type_id, {}).get(name, {}).get("hasUniqueValue"))


def _matches(stored: Any, value: str, *, case_insensitive: bool) -> bool:
    if stored is None:
        return False
    text = str(stored)
    return text.lower() == value.lower() if case_insensitive else text == value


def value_index(portal: Portal, type_id: str, id_property: str) -> dict[str, int]:
    """Every value of a unique property -> its record (emails lower-cased, secondary emails included).

    Built once per request, so a batch read of 100 values costs one pass over the records.

    :param portal: the portal.
    :param type_id: the object type id.
    :param id_property: the unique property.
    """
    index: dict[str, int] = {}
    fold = id_property == "email"
    secondary: dict[str, int] = {}
    for rid, props in portal.records.get(type_id, {}).items():
        value = props.get(id_property)
        if value is not None:
            index.setdefault(str(value).lower() if fold else str(value), rid)
        if fold:  # secondary emails identify their contact too (contacts guide)
            for extra in str(props.get("hs_additional_emails") or "").split(";"):
                if extra.strip():
                    secondary.setdefault(extra.strip().lower(), rid)
    return {**secondary, **index}


def find(
    portal: Portal, type_id: str, value: str, id_property: str | None, index: dict[str, int] | None = None
) -> tuple[int, dict[str, Any]] | None:
    """The record a batch-read input names: by id (following merges), or by a unique property value.

    :param portal: the portal.
    :param type_id: the object type id.
    :param value: the input's ``id``.
    :param id_property: the unique property, or ``None`` for record ids.
    :param index: :func:`value_index` of ``id_property``, when already built.
    """
    store = portal.records.get(type_id, {})
    if id_property is None:
        text = value.strip()
        if not text.isascii() or not text.isdigit():
            return None
        rid = int(text)
        rid = portal.merged.get(type_id, {}).get(rid, rid)
        props = store.get(rid)
        return None if props is None else (rid, props)
    values = index if index is not None else value_index(portal, type_id, id_property)
    found = values.get(value.lower() if id_property == "email" else value)
    return None if found is None else (found, store[found])


def _filter_ok(props: dict[str, Any], rid: int, flt: Any) -> bool:
    if not isinstance(flt, dict) or not isinstance(flt.get("propertyName"), str):
        raise EmulatorError(400, "Invalid input JSON: every filter needs a 'propertyName'.")
    name, operator = flt["propertyName"], flt.get("operator")
    stored = str(rid) if name == "hs_object_id" else props.get(name)
    if operator == "EQ":
        value = flt.get("value")
        if not isinstance(value, str):
            raise EmulatorError(400, f"Invalid input JSON: EQ on {name} needs a string 'value'.")
        return _matches(stored, value, case_insensitive=True)
    if operator == "IN":
        values = flt.get("values")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise EmulatorError(400, f"Invalid input JSON: IN on {name} needs a list of string 'values'.")
        # HubSpot: IN values must be lower-case for string properties; they match whatever the case
        return stored is not None and str(stored).lower() in values
    raise EmulatorError(
        400, f"The emulator's search supports the operators EQ and IN, not {operator!r}.", "VALIDATION_ERROR"
    )


def _check_groups(groups: Any) -> list[list[Any]]:
    if groups is None:
        return []
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise EmulatorError(400, "Invalid input JSON: 'filterGroups' must be an array of objects.")
    if len(groups) > SEARCH_MAX_GROUPS:
        raise EmulatorError(
            400,
            f"Too many filter groups ({len(groups)}); the maximum is {SEARCH_MAX_GROUPS}.",
            "VALIDATION_ERROR",
        )
    filters = [list(g.get("filters") or []) for g in groups]
    if (
        any(len(f) > SEARCH_MAX_FILTERS_PER_GROUP for f in filters)
        or sum(map(len, filters)) > SEARCH_MAX_FILTERS
    ):
        raise EmulatorError(
            400,
            f"Too many filters: the maximum is {SEARCH_MAX_FILTERS_PER_GROUP} per group, "
            f"{SEARCH_MAX_FILTERS} in all.",
            "VALIDATION_ERROR",
        )
    return filters


def _whole(value: Any, what: str, default: int) -> int:
    if value is None or value == "":
        return default
    text = str(value)
    if isinstance(value, bool) or not text.isascii() or not text.isdigit():
        raise EmulatorError(
            400, f"Invalid input JSON: '{what}' must be an integer (as a string for 'after')."
        )
    return int(text)


def register_object_routes(app: FastAPI, rt: EmulatorRuntime) -> None:
    """Add the CRM objects and properties routes under every version prefix.

    :param app: the FastAPI application.
    :param rt: the runtime the handlers operate on.
    """

    def non_unique(tid: str, name: str) -> EmulatorError:
        # Modelled on HubSpot's answer to an upsert by a non-unique property (the read's is undocumented).
        return EmulatorError(
            400,
            f"Unable to perform read by non-unique {tid} property {name} in portal ID {rt.portal.portal_id}",
            "VALIDATION_ERROR",
        )

    def type_of(request: Request) -> str:
        return rt.portal.resolve_type(request.path_params["objectType"])

    async def body_of(request: Request) -> dict[str, Any]:
        data = await read_json(request)
        if not isinstance(data, dict):
            raise EmulatorError(400, "Invalid input JSON: the body must be an object.")
        return data

    async def batch_read(request: Request) -> Response:
        started = now_iso()
        tid = type_of(request)
        data = await body_of(request)
        inputs = data.get("inputs")
        if not isinstance(inputs, list) or not all(
            isinstance(i, dict) and isinstance(i.get("id"), str) for i in inputs
        ):
            raise EmulatorError(400, "Invalid input JSON: 'inputs' must be an array of {\"id\": string}.")
        if len(inputs) > BATCH_READ_LIMIT:
            raise EmulatorError(
                400,
                f"The maximum number of inputs supported in a batch is {BATCH_READ_LIMIT}. "
                "Please reduce the number of items and try again",
                "VALIDATION_ERROR",
            )
        id_property = data.get("idProperty")
        if id_property is not None and (
            not isinstance(id_property, str) or not is_unique(rt.portal, tid, id_property)
        ):
            raise non_unique(tid, str(id_property))
        wanted = [*_names(data.get("properties")), *([id_property] if id_property else [])]
        if id_property is None:
            wanted.append("hs_merged_object_ids")
        results: dict[int, dict[str, Any]] = {}
        missing: list[str] = []
        index = value_index(rt.portal, tid, id_property) if id_property else None
        for item in inputs:
            found = find(rt.portal, tid, item["id"], id_property, index)
            if found is None:
                missing.append(item["id"])
            else:
                results.setdefault(found[0], render(found[0], found[1], wanted))
        errors = []
        if missing:
            errors.append(
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {singular_name(tid).upper()} objects, they may be "
                    "deleted or not exist. Check that ids are valid.",
                    "context": {"ids": missing},
                }
            )
        spec = answer("objects_batch_read", version_of(request.url.path))
        body: dict[str, Any] = {
            "status": "COMPLETE",
            "results": list(results.values()),
            "startedAt": started,
            "completedAt": now_iso(),
        }
        if errors:
            body["errors"] = errors
            body["numErrors"] = len(errors)
        return json_response(body, spec.status(bool(errors)))

    async def get_object(request: Request) -> Response:
        tid = type_of(request)
        raw_id = request.path_params["objectId"]
        id_property = request.query_params.get("idProperty") or None
        if id_property is not None and not is_unique(rt.portal, tid, id_property):
            raise non_unique(tid, str(id_property))
        found = find(rt.portal, tid, raw_id, id_property)
        if found is None:
            return json_response(
                error_body(
                    "Object not found.  objectId are usually numeric.",
                    "OBJECT_NOT_FOUND",
                    context={"id": [raw_id]},
                ),
                404,
            )
        wanted = [*_names(request.query_params.get("properties")), "hs_merged_object_ids"]
        record = render(found[0], found[1], wanted)
        record["associations"] = {}
        return json_response(record)

    async def search(request: Request) -> Response:
        if not rt.search_limiter.allow():
            return json_response(rate_limit_body("SECONDLY"), 429)
        tid = type_of(request)
        data = await body_of(request)
        groups = _check_groups(data.get("filterGroups"))
        limit = _whole(data.get("limit"), "limit", 10)
        if not 1 <= limit <= SEARCH_MAX_LIMIT:
            raise EmulatorError(400, f"'limit' must be between 1 and {SEARCH_MAX_LIMIT}.", "VALIDATION_ERROR")
        after = _whole(data.get("after"), "after", 0)
        if after + limit > SEARCH_RESULT_CAP:
            raise EmulatorError(
                400,
                f"Paging past the first {SEARCH_RESULT_CAP} results of a search is not supported.",
                "VALIDATION_ERROR",
            )
        store = rt.portal.records.get(tid, {})
        matched = [
            (rid, props)
            for rid, props in store.items()
            if not groups or any(all(_filter_ok(props, rid, f) for f in g) for g in groups)
        ]
        matched.sort(key=lambda item: (created_at(item[0], item[1]), item[0]))  # oldest first
        wanted = _names(data.get("properties"))
        page = matched[after : after + limit]
        body: dict[str, Any] = {"total": len(matched), "results": [render(r, p, wanted) for r, p in page]}
        if after + limit < len(matched):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return json_response(body)

    async def get_property(request: Request) -> Response:
        tid = type_of(request)
        name = request.path_params["propertyName"]
        defined = rt.portal.property_defs.get(tid, {}).get(name)
        known = (
            defined is not None
            or name in _BASE_PROPERTIES
            or any(name in p for p in rt.portal.records.get(tid, {}).values())
        )
        if not known:
            raise EmulatorError(404, f"Unable to find property {name} of {tid}.", "OBJECT_NOT_FOUND")
        definition = defined or {}
        return json_response(
            {
                "name": name,
                "label": str(definition.get("label", name)),
                "type": str(definition.get("type", "string")),
                "fieldType": str(definition.get("fieldType", "text")),
                "groupName": str(definition.get("groupName", f"{singular_name(tid)}information")),
                "description": str(definition.get("description", "")),
                "options": [],
                "hasUniqueValue": is_unique(rt.portal, tid, name),
            }
        )

    for prefix in OBJECTS_PREFIXES:
        app.add_route(
            f"{prefix}/{{objectType}}/batch/read", batch_read, methods=["POST"], name="objects_batch_read"
        )
        app.add_route(f"{prefix}/{{objectType}}/search", search, methods=["POST"], name=SEARCH_ENDPOINT)
        app.add_route(
            f"{prefix}/{{objectType}}/{{objectId}}", get_object, methods=["GET"], name="objects_get"
        )
    for prefix in PROPERTIES_PREFIXES:
        app.add_route(
            f"{prefix}/{{objectType}}/{{propertyName}}", get_property, methods=["GET"], name="properties_get"
        )
