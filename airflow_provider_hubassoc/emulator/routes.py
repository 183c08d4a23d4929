"""HubSpot Associations API routes (records and schema), on every accepted path spelling and version.

The request's path says which version answers; status codes and body shapes that differ between
versions come from :mod:`airflow_provider_hubassoc.emulator.versions`.

Handlers are plain Starlette endpoints (``Request -> Response``) added to the FastAPI app, to keep the
batch hot path free of pydantic. Authentication, rate limits and request-level faults are handled before
these run, by :class:`airflow_provider_hubassoc.emulator.app.GatewayApp`.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from airflow_provider_hubassoc.emulator.catalog import singular_name
from airflow_provider_hubassoc.emulator.config import MAX_GET_LIMIT
from airflow_provider_hubassoc.emulator.responses import (
    JSON_TYPE,
    batch_body,
    decode_cursor,
    dumps,
    encode_cursor,
    json_response,
    now_iso,
    raw_batch_body,
    row_error,
)
from airflow_provider_hubassoc.emulator.runtime import EmulatorRuntime
from airflow_provider_hubassoc.emulator.state import (
    EmulatorError,
    TypeSpec,
    parse_body_id,
    parse_record_id,
    parse_specs,
)
from airflow_provider_hubassoc.emulator.versions import DATE_VERSIONS, Answer, answer, version_of

OBJECT_PREFIXES = ("/crm/v4/objects", "/crm/objects/v4", *(f"/crm/objects/{d}" for d in DATE_VERSIONS))
ASSOCIATION_PREFIXES = (
    "/crm/v4/associations",
    "/crm/associations/v4",
    *(f"/crm/associations/{d}" for d in DATE_VERSIONS),
)

Handler = Callable[[Request], Awaitable[Response]]
#: Batch writes at least this large call ``gc.freeze()`` afterwards (see ``batch_create``).
GC_FREEZE_MIN_ROWS = 500


async def read_json(request: Request) -> Any:
    """Parse the request body as JSON (``None`` when empty).

    :param request: The request.
    :raises EmulatorError: 400 for invalid JSON.
    """
    body = await request.body()
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError as exc:
        raise EmulatorError(400, f"Invalid input JSON on line 1: {exc}", "VALIDATION_ERROR") from exc


def batch_inputs(data: Any, limit: int) -> list[Any]:
    """The ``inputs`` list of a batch body, enforcing the endpoint's input limit.

    :param data: Parsed body.
    :param limit: Maximum number of inputs.
    :raises EmulatorError: 400 ``VALIDATION_ERROR`` when missing or over the limit.
    """
    if not isinstance(data, dict) or not isinstance(data.get("inputs"), list):
        raise EmulatorError(400, "Invalid input JSON: 'inputs' must be an array.", "VALIDATION_ERROR")
    inputs: list[Any] = data["inputs"]
    if len(inputs) > limit:
        raise EmulatorError(
            400,
            f"Batch input limit exceeded: {len(inputs)} inputs were sent; the maximum is {limit}.",
            "VALIDATION_ERROR",
            context={"inputs": [str(len(inputs))], "limit": [str(limit)]},
        )
    return inputs


def check_inputs(inputs: list[Any], id_fields: tuple[str, ...], with_types: bool = False) -> None:
    """Refuse, as a whole, a batch body that the spec's types refuse (HubSpot answers such a body 400).

    Every version's spec (``.../130902/<version>/associations.json``) types ``PublicObjectId.id`` as a
    string and requires ``associationCategory`` (string) and ``associationTypeId`` (integer).

    :param inputs: the body's ``inputs``.
    :param id_fields: the fields holding ``{"id": "..."}`` objects (``""`` for the input itself).
    :param with_types: whether each input carries a required ``types`` array.
    :raises EmulatorError: 400 ``VALIDATION_ERROR`` naming the first bad input.
    """
    for index, inp in enumerate(inputs):
        if type(inp) is not dict:
            raise EmulatorError(400, f"Invalid input JSON: inputs[{index}] must be an object.")
        for name in id_fields:
            holder = inp if name == "" else inp.get(name)
            raw = holder.get("id") if type(holder) is dict else None
            if type(raw) is not str:  # a string that is no record id is a row error, not a 400
                where = f"inputs[{index}].{name + '.' if name else ''}id"
                raise EmulatorError(
                    400,
                    f"Invalid input JSON: {where} must be a string, got {raw!r}.",
                    context={"input": [str(index)]},
                )
        if with_types:
            try:
                parse_specs(inp.get("types"))
            except EmulatorError as exc:
                raise EmulatorError(
                    400, f"inputs[{index}]: {exc.message}", context={"input": [str(index)]}
                ) from exc


def _obj_id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else None


def _ctx(a: Any, b: Any) -> dict[str, list[str]]:
    return {"fromObjectId": [str(a)], "toObjectId": [str(b)]}


def _injected(context: dict[str, list[str]]) -> dict[str, Any]:
    return row_error("INTERNAL_ERROR", "Injected row error (emulator fault).", context)


def _answer(request: Request, operation: str) -> Answer:
    return answer(operation, version_of(request.url.path))


def _envelope_or_empty(
    spec: Answer, results: list[Any], errors: list[dict[str, Any]], started: str
) -> Response:
    """A batch envelope in the versions that send one, else 204 without a body."""
    if not spec.body:
        return Response(status_code=204)
    return json_response(batch_body(results, errors, started), spec.status(bool(errors)))


def register_api_routes(app: FastAPI, rt: EmulatorRuntime) -> None:
    """Add all 19 operations under every object/association path prefix.

    :param app: The FastAPI application.
    :param rt: The runtime the handlers operate on.
    """

    def types_of(request: Request, from_key: str, to_key: str) -> tuple[str, str]:
        pp = request.path_params
        portal = rt.portal
        return portal.resolve_type(pp[from_key]), portal.resolve_type(pp[to_key])

    def row_faults(n: int) -> list[bool]:
        faults = rt.faults.row_faults(n)
        hit = sum(faults)
        if hit:
            with rt.stats.lock:
                rt.stats.row_errors += hit
                rt.stats.faults["row_error"] += hit
        return faults

    # ---------------------------------------------------------------- single-record endpoints

    async def list_associations(request: Request) -> Response:
        from_t, to_t = types_of(request, "objectType", "toObjectType")
        from_id = parse_record_id(request.path_params["objectId"])
        q = request.query_params
        limit = rt.config.page_size
        if q.get("limit"):
            try:
                requested = int(q["limit"])
            except ValueError as exc:
                raise EmulatorError(400, f"limit must be an integer, got {q['limit']!r}") from exc
            if requested < 1 or requested > MAX_GET_LIMIT:
                raise EmulatorError(
                    400,
                    f"limit must be between 1 and {MAX_GET_LIMIT}, got {requested}.",
                    context={"limit": [str(requested)]},
                )
            limit = min(requested, limit)
        after = decode_cursor(q.get("after"))
        items, nxt = rt.portal.associations_page(from_t, from_id, to_t, after, limit)
        body: dict[str, Any] = {"results": items}
        if nxt is not None:
            body["paging"] = {"next": {"after": encode_cursor(nxt)}}
        return json_response(body)

    async def create_labeled(request: Request) -> Response:
        from_t, to_t = types_of(request, "objectType", "toObjectType")
        pp = request.path_params
        a, b = parse_record_id(pp["objectId"]), parse_record_id(pp["toObjectId"])
        specs = parse_specs(await read_json(request))
        labels = rt.portal.associate(from_t, to_t, a, b, specs, rt.config.label_writes)
        body = {
            "fromObjectTypeId": from_t,
            "fromObjectId": a,
            "toObjectTypeId": to_t,
            "toObjectId": b,
            "labels": labels,
        }
        location = f"/crm/v4/objects/{from_t}/{a}/associations/{to_t}/{b}"
        return json_response(body, 201, {"Location": location})

    async def archive_pair(request: Request) -> Response:
        from_t, to_t = types_of(request, "objectType", "toObjectType")
        pp = request.path_params
        a, b = parse_record_id(pp["objectId"]), parse_record_id(pp["toObjectId"])
        rt.portal.require_record(from_t, a)
        rt.portal.require_record(to_t, b)
        rt.portal.remove_pair(from_t, to_t, a, b)
        return Response(status_code=204)

    async def create_default(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        pp = request.path_params
        a, b = parse_record_id(pp["fromObjectId"]), parse_record_id(pp["toObjectId"])
        started = now_iso()
        type_id = rt.portal.associate_default(from_t, to_t, a, b)
        category = rt.portal.schema(from_t, to_t).types[type_id].category
        result = {
            "from": {"id": str(a)},
            "to": {"id": str(b)},
            "associationSpec": {"associationCategory": category, "associationTypeId": type_id},
        }
        return json_response(batch_body([result], [], started))

    # ---------------------------------------------------------------- batch endpoints

    async def batch_read(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        inputs = batch_inputs(await read_json(request), rt.config.batch_limits["batch_read"])
        check_inputs(inputs, ("",))
        spec = _answer(request, "batch_read")
        started = now_iso()
        faults = row_faults(len(inputs))
        portal, page_size = rt.portal, rt.config.page_size
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        from_name, to_name = singular_name(from_t), singular_name(to_t)
        for inp, fault in zip(inputs, faults, strict=True):
            raw = inp.get("id") if isinstance(inp, dict) else None
            if fault:
                errors.append(_injected({"fromObjectId": [str(raw)]}))
                continue
            try:
                a = parse_body_id(raw, "id")
                after = decode_cursor(inp.get("after"))
            except EmulatorError as exc:
                errors.append(row_error(exc.category, exc.message, {"fromObjectId": [str(raw)]}))
                continue
            items, nxt = portal.associations_page(from_t, a, to_t, after, page_size)
            if not items:
                errors.append(
                    row_error(
                        "OBJECT_NOT_FOUND",
                        f"No {to_name} is associated with {from_name} {a}.",
                        {"fromObjectId": [str(a)], "fromObjectType": [from_name], "toObjectType": [to_name]},
                        "crm.associations.NO_ASSOCIATIONS_FOUND",
                    )
                )
                continue
            result: dict[str, Any] = {"from": {"id": str(a)}, "to": items}
            if nxt is not None:
                result["paging"] = {"next": {"after": encode_cursor(nxt)}}
            results.append(result)
        return json_response(batch_body(results, errors, started), spec.status(bool(errors)))

    async def batch_create(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        inputs = batch_inputs(await read_json(request), rt.config.batch_limits["batch_create"])
        check_inputs(inputs, ("from", "to"), with_types=True)
        spec = _answer(request, "batch_create")
        started = now_iso()
        faults = row_faults(len(inputs))
        rows: list[tuple[Any, Any, Any]] = []
        errors: list[dict[str, Any]] = []
        for inp, fault in zip(inputs, faults, strict=True):
            if type(inp) is dict:
                row = (_obj_id(inp.get("from")), _obj_id(inp.get("to")), inp.get("types"))
            else:
                row = (None, None, None)
            if fault:
                errors.append(_injected(_ctx(row[0], row[1])))
            else:
                rows.append(row)
        outcomes = rt.portal.associate_many(from_t, to_t, rows, rt.config.label_writes)
        if len(rows) >= GC_FREEZE_MIN_ROWS:
            # Keep the (acyclic) portal state out of the cyclic GC's scans: it would otherwise dominate the
            # cost of large batch writes once the portal holds hundreds of thousands of pairs.
            gc.freeze()
        # LabelsBetweenObjectPair entries are formatted directly (5-7x faster than dicts + json).
        head = '{"fromObjectTypeId":' + json.dumps(from_t) + ',"fromObjectId":'
        mid = ',"toObjectTypeId":' + json.dumps(to_t) + ',"toObjectId":'
        label_json: dict[int, str] = {}
        fragments: list[str] = []
        for (raw_a, raw_b, _types), outcome in zip(rows, outcomes, strict=True):
            if type(outcome) is tuple:
                a, b, labels = outcome
                lj = label_json.get(id(labels))
                if lj is None:
                    lj = label_json[id(labels)] = ',"labels":' + dumps(labels).decode() + "}"
                fragments.append(f"{head}{a}{mid}{b}{lj}")
            else:
                assert isinstance(outcome, EmulatorError)
                errors.append(
                    row_error(outcome.category, outcome.message, _ctx(raw_a, raw_b), outcome.sub_category)
                )
        body = raw_batch_body(fragments, errors, started)
        return Response(content=body, status_code=spec.status(bool(errors)), media_type=JSON_TYPE)

    async def batch_associate_default(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        inputs = batch_inputs(await read_json(request), rt.config.batch_limits["batch_associate_default"])
        check_inputs(inputs, ("from", "to"))
        started = now_iso()
        faults = row_faults(len(inputs))
        portal = rt.portal
        schema = portal.schema(from_t, to_t)
        spec = {
            "associationCategory": schema.types[schema.default_type].category,
            "associationTypeId": schema.default_type,
        }
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for inp, fault in zip(inputs, faults, strict=True):
            raw_a = _obj_id(inp.get("from")) if isinstance(inp, dict) else None
            raw_b = _obj_id(inp.get("to")) if isinstance(inp, dict) else None
            if fault:
                errors.append(_injected(_ctx(raw_a, raw_b)))
                continue
            try:
                a, b = parse_body_id(raw_a, "from.id"), parse_body_id(raw_b, "to.id")
                portal.associate_default(from_t, to_t, a, b)
            except EmulatorError as exc:
                errors.append(row_error(exc.category, exc.message, _ctx(raw_a, raw_b), exc.sub_category))
                continue
            results.append({"from": {"id": str(a)}, "to": {"id": str(b)}, "associationSpec": spec})
        if len(inputs) >= GC_FREEZE_MIN_ROWS:
            gc.freeze()
        return json_response(batch_body(results, errors, started), 200)

    async def batch_archive(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        inputs = batch_inputs(await read_json(request), rt.config.batch_limits["batch_archive"])
        spec = _answer(request, "batch_archive")
        started = now_iso()
        rows: list[tuple[int, list[int]]] = []
        for inp in inputs:
            tos = inp.get("to") if isinstance(inp, dict) else None
            if not isinstance(tos, list):
                raise EmulatorError(400, "Each input needs 'from': {id} and 'to': [{id}, ...].")
            a = parse_body_id(_obj_id(inp.get("from")), "from.id")
            rows.append((a, [parse_body_id(_obj_id(t), "to.id") for t in tos]))
        # A 204 carries no row errors, so v4 never draws row faults here.
        faults = row_faults(len(rows)) if spec.body else [False] * len(rows)
        errors: list[dict[str, Any]] = []
        for (a, tos), fault in zip(rows, faults, strict=True):
            if fault:
                errors.append(_injected({"fromObjectId": [str(a)], "toObjectId": [str(b) for b in tos]}))
                continue
            for b in tos:
                rt.portal.remove_pair(from_t, to_t, a, b)
        return _envelope_or_empty(spec, [], errors, started)

    async def batch_labels_archive(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        inputs = batch_inputs(await read_json(request), rt.config.batch_limits["batch_labels_archive"])
        spec = _answer(request, "batch_labels_archive")
        started = now_iso()
        portal = rt.portal
        schema = portal.schema(from_t, to_t)
        rows: list[tuple[int, int, list[TypeSpec]]] = []
        for inp in inputs:
            if not isinstance(inp, dict):
                raise EmulatorError(400, "Each input must be an object.")
            specs = parse_specs(inp.get("types"))
            portal.validate_types(schema, specs)
            rows.append(
                (
                    parse_body_id(_obj_id(inp.get("from")), "from.id"),
                    parse_body_id(_obj_id(inp.get("to")), "to.id"),
                    specs,
                )
            )
        faults = row_faults(len(rows)) if spec.body else [False] * len(rows)
        errors: list[dict[str, Any]] = []
        for (a, b, specs), fault in zip(rows, faults, strict=True):
            if fault:
                errors.append(_injected(_ctx(a, b)))
                continue
            portal.remove_types(from_t, to_t, a, b, specs)
        return _envelope_or_empty(spec, [], errors, started)

    async def high_usage_report(request: Request) -> Response:
        raw = request.path_params["userId"]
        try:
            user_id = int(raw)
        except ValueError as exc:
            raise EmulatorError(400, f"userId must be an integer, got {raw!r}") from exc
        # ReportCreationResponse.enqueueTime is a DateTime object in every version's spec
        # (``.../130902/<version>/associations.json``), not an ISO string.
        enqueue = {"value": int(time.time() * 1000), "timeZoneShift": 0, "dateOnly": False}
        body = {"userId": user_id, "userEmail": f"user{user_id}@example.com", "enqueueTime": enqueue}
        return json_response(body)

    # ---------------------------------------------------------------- labels

    async def labels_get(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        return json_response({"results": rt.portal.list_labels(from_t, to_t)})

    async def labels_create(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        data = await read_json(request)
        if not isinstance(data, dict):
            raise EmulatorError(400, "Body must be an object with name, label and optional inverseLabel.")
        created = rt.portal.create_label(
            from_t, to_t, data.get("name"), data.get("label"), data.get("inverseLabel")
        )
        return json_response({"results": created})

    async def labels_update(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        data = await read_json(request)
        if not isinstance(data, dict) or type(data.get("associationTypeId")) is not int:
            raise EmulatorError(400, "Body must contain an integer associationTypeId and a label.")
        rt.portal.update_label(
            from_t, to_t, data["associationTypeId"], data.get("label"), data.get("inverseLabel")
        )
        return Response(status_code=204)

    async def labels_delete(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        raw = request.path_params["associationTypeId"]
        if not raw.isdigit():
            raise EmulatorError(400, f"associationTypeId must be an integer, got {raw!r}")
        rt.portal.delete_label(from_t, to_t, int(raw))
        return Response(status_code=204)

    # ---------------------------------------------------------------- limit configurations

    async def config_all(request: Request) -> Response:
        return json_response({"results": rt.portal.config_list()})

    async def config_pair(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        return json_response({"results": rt.portal.config_list(from_t, to_t)})

    def config_batch(op: str) -> Handler:
        async def handler(request: Request) -> Response:
            from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
            inputs = batch_inputs(await read_json(request), rt.config.batch_limits[f"config_batch_{op}"])
            spec = _answer(request, f"config_batch_{op}")
            started = now_iso()
            faults = row_faults(len(inputs))
            portal = rt.portal
            action = portal.config_create if op == "create" else portal.config_update
            results: list[dict[str, Any]] = []
            errors: list[dict[str, Any]] = []
            for inp, fault in zip(inputs, faults, strict=True):
                item = inp if isinstance(inp, dict) else {}
                ctx = {"typeId": [str(item.get("typeId"))]}
                if fault:
                    errors.append(_injected(ctx))
                    continue
                try:
                    results.append(
                        action(
                            from_t, to_t, item.get("category"), item.get("typeId"), item.get("maxToObjectIds")
                        )
                    )
                except EmulatorError as exc:
                    errors.append(row_error(exc.category, exc.message, ctx, exc.sub_category))
            return json_response(batch_body(results, errors, started), spec.status(bool(errors)))

        return handler

    async def config_purge(request: Request) -> Response:
        from_t, to_t = types_of(request, "fromObjectType", "toObjectType")
        inputs = batch_inputs(await read_json(request), rt.config.batch_limits["config_batch_purge"])
        spec = _answer(request, "config_batch_purge")
        started = now_iso()
        for inp in inputs:
            if not isinstance(inp, dict) or type(inp.get("typeId")) is not int:
                raise EmulatorError(400, "Each input needs category and an integer typeId.")
        faults = row_faults(len(inputs)) if spec.body else [False] * len(inputs)
        errors: list[dict[str, Any]] = []
        for inp, fault in zip(inputs, faults, strict=True):
            if fault:
                errors.append(_injected({"typeId": [str(inp["typeId"])]}))
                continue
            rt.portal.config_purge(from_t, to_t, inp["typeId"])
        return _envelope_or_empty(spec, [], errors, started)

    record_routes: list[tuple[str, str, str, Handler]] = [
        ("/{objectType}/{objectId}/associations/{toObjectType}", "GET", "get_page", list_associations),
        (
            "/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}",
            "PUT",
            "create_default",
            create_default,
        ),
        (
            "/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}",
            "PUT",
            "create",
            create_labeled,
        ),
        (
            "/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}",
            "DELETE",
            "archive",
            archive_pair,
        ),
    ]
    association_routes: list[tuple[str, str, str, Handler]] = [
        ("/usage/high-usage-report/{userId}", "POST", "high_usage_report", high_usage_report),
        ("/definitions/configurations/all", "GET", "configurations_get_all", config_all),
        (
            "/definitions/configurations/{fromObjectType}/{toObjectType}",
            "GET",
            "configurations_get",
            config_pair,
        ),
        (
            "/definitions/configurations/{fromObjectType}/{toObjectType}/batch/create",
            "POST",
            "configurations_batch_create",
            config_batch("create"),
        ),
        (
            "/definitions/configurations/{fromObjectType}/{toObjectType}/batch/update",
            "POST",
            "configurations_batch_update",
            config_batch("update"),
        ),
        (
            "/definitions/configurations/{fromObjectType}/{toObjectType}/batch/purge",
            "POST",
            "configurations_batch_purge",
            config_purge,
        ),
        ("/{fromObjectType}/{toObjectType}/batch/read", "POST", "batch_read", batch_read),
        ("/{fromObjectType}/{toObjectType}/batch/create", "POST", "batch_create", batch_create),
        (
            "/{fromObjectType}/{toObjectType}/batch/associate/default",
            "POST",
            "batch_associate_default",
            batch_associate_default,
        ),
        ("/{fromObjectType}/{toObjectType}/batch/archive", "POST", "batch_archive", batch_archive),
        (
            "/{fromObjectType}/{toObjectType}/batch/labels/archive",
            "POST",
            "batch_labels_archive",
            batch_labels_archive,
        ),
        ("/{fromObjectType}/{toObjectType}/labels", "GET", "labels_get", labels_get),
        ("/{fromObjectType}/{toObjectType}/labels", "POST", "labels_create", labels_create),
        ("/{fromObjectType}/{toObjectType}/labels", "PUT", "labels_update", labels_update),
        (
            "/{fromObjectType}/{toObjectType}/labels/{associationTypeId}",
            "DELETE",
            "labels_delete",
            labels_delete,
        ),
    ]
    for prefix in OBJECT_PREFIXES:
        for path, method, name, handler in record_routes:
            app.add_route(prefix + path, handler, methods=[method], name=name)
    for prefix in ASSOCIATION_PREFIXES:
        for path, method, name, handler in association_routes:
            app.add_route(prefix + path, handler, methods=[method], name=name)
