"""The ASGI application: a gateway (stats, auth, rate limits, faults) in front of the FastAPI routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from airflow_provider_hubassoc.emulator.admin import register_admin_routes
from airflow_provider_hubassoc.emulator.objects import SEARCH_ENDPOINT, register_object_routes
from airflow_provider_hubassoc.emulator.ratelimit import TEN_SECONDLY_ROLLING
from airflow_provider_hubassoc.emulator.responses import (
    JSON_TYPE,
    dumps,
    error_body,
    error_from,
    json_response,
    rate_limit_body,
)
from airflow_provider_hubassoc.emulator.routes import register_api_routes
from airflow_provider_hubassoc.emulator.runtime import EmulatorRuntime
from airflow_provider_hubassoc.emulator.state import EmulatorError

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_SERVER_ERRORS = {
    "500": (500, "Internal error (emulator fault).", "INTERNAL_ERROR"),
    "502": (502, "Bad gateway (emulator fault).", "BAD_GATEWAY"),
    "503": (503, "Service unavailable (emulator fault).", "SERVICE_UNAVAILABLE"),
    "504": (504, "Gateway timeout (emulator fault).", "GATEWAY_TIMEOUT"),
}


def create_fastapi_app(rt: EmulatorRuntime) -> FastAPI:
    """The FastAPI app with every HubSpot and emulator route and HubSpot-shaped error handlers.

    :param rt: The runtime the routes operate on.
    """
    app = FastAPI(title="HubSpot Associations emulator", docs_url=None, redoc_url=None, openapi_url=None)

    async def on_emulator_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, EmulatorError)
        return json_response(error_from(exc), exc.status)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        category = "OBJECT_NOT_FOUND" if exc.status_code == 404 else "VALIDATION_ERROR"
        message = f"{exc.detail}: {request.method} {request.url.path}"
        return json_response(error_body(message, category), exc.status_code)

    app.add_exception_handler(EmulatorError, on_emulator_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    register_api_routes(app, rt)
    register_object_routes(app, rt)
    register_admin_routes(app, rt)
    return app


class GatewayApp:
    """Outermost ASGI layer.

    For HubSpot API paths (``/crm/...``) it checks the bearer token (401), the rate limits (429, not
    applied), then draws a request fault; it adds the ``X-HubSpot-RateLimit-*`` headers to every authed
    response and counts every response in :class:`~airflow_provider_hubassoc.emulator.runtime.Stats`.

    :param runtime: The runtime.
    :param app: The FastAPI app it fronts.
    """

    def __init__(self, runtime: EmulatorRuntime, app: FastAPI) -> None:
        self.runtime = runtime
        self.app = app

    def _endpoint(self, scope: Scope) -> str:
        for route in self.app.router.routes:
            match, _child = route.matches(scope)
            if match == Match.FULL:
                return str(getattr(route, "name", "unknown"))
        return "unknown"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rt = self.runtime
        stats = rt.stats
        path: str = scope["path"]
        status_box: list[int] = [0]
        if path.startswith("/_emulator"):  # inspection: neither counted as a connection nor faulted
            await self.app(scope, receive, self._recording_send(send, status_box, []))
            stats.record("emulator", str(status_box[0]))
            return
        client = scope.get("client")
        if client:
            with stats.lock:
                stats.connections.add((str(client[0]), int(client[1])))
        if not path.startswith("/crm/"):
            await self.app(scope, receive, self._recording_send(send, status_box, []))
            stats.record("oauth" if path.startswith("/oauth") else "unknown", str(status_box[0]))
            return
        endpoint = self._endpoint(scope)
        authorization = None
        for key, value in scope["headers"]:
            if key == b"authorization":
                authorization = value.decode("latin-1")
                break
        auth_error = rt.authenticate(authorization)
        if auth_error is not None:
            await _send_json(send, auth_error.status, error_from(auth_error), [])
            stats.record(endpoint, str(auth_error.status))
            return
        # search has its own limit (in the route), counts against the daily limit only, and sends no
        # rate-limit headers
        search = endpoint == SEARCH_ENDPOINT
        decision = rt.limiter.check(ten_secondly=not search)
        headers = [] if search else decision.headers
        if decision.policy is not None:
            extra = list(headers)
            if rt.config.retry_after:
                extra.append((b"retry-after", str(decision.retry_after).encode()))
            await _send_json(send, 429, rate_limit_body(decision.policy), extra)
            stats.record(endpoint, "429")
            return
        fault = rt.faults.request_fault() if rt.faults.active else None
        if fault is not None:
            with stats.lock:
                stats.faults[fault] += 1
            log.debug("Injecting fault %s on %s %s", fault, scope["method"], path)
            if fault == "429":
                extra = list(headers)
                if rt.config.retry_after:
                    extra.append((b"retry-after", b"1"))
                await _send_json(send, 429, rate_limit_body(TEN_SECONDLY_ROLLING), extra)
                stats.record(endpoint, "429")
                return
            if fault in _SERVER_ERRORS:
                status, message, category = _SERVER_ERRORS[fault]
                await _send_json(send, status, error_body(message, category), list(headers))
                stats.record(endpoint, str(status))
                return
            if fault == "reset":
                await _abort_connection(send)
                stats.record(endpoint, "reset")
                return
            if fault == "delay":
                receive = await _buffer_body(receive)
                await asyncio.sleep(rt.config.fault_delay_seconds)
        await self.app(scope, receive, self._recording_send(send, status_box, headers))
        stats.record(endpoint, str(status_box[0]))

    @staticmethod
    def _recording_send(send: Send, status_box: list[int], headers: list[tuple[bytes, bytes]]) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = int(message["status"])
                if headers:
                    message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        return wrapped


async def _send_json(send: Send, status: int, body: Any, headers: list[tuple[bytes, bytes]]) -> None:
    payload = dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", JSON_TYPE.encode()),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _buffer_body(receive: Receive) -> Receive:
    """Read the whole request body now and return a ``receive`` that replays it.

    Used by the delay fault so the request can be applied after the client has gone.
    """
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # blocks until the client disconnects

    return replay


async def _abort_connection(send: Send) -> None:
    """Close the client's TCP connection with a RST, without sending any response.

    uvicorn's ``send`` is a bound method of its request/response cycle, which holds the transport.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("connection reset fault needs uvicorn's transport")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    for _ in range(3):  # let uvicorn notice the disconnect so it sends nothing afterwards
        await asyncio.sleep(0)


def create_app(rt: EmulatorRuntime) -> GatewayApp:
    """The complete ASGI application for a runtime.

    :param rt: The runtime.
    """
    return GatewayApp(rt, create_fastapi_app(rt))
