"""The async hook against small hostile servers on loopback (issue 13, the async path)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from airflow_provider_hubassoc.client import FakeClock
from airflow_provider_hubassoc.client.errors import (
    HubSpotAuthenticationError,
    HubSpotConnectionError,
    HubSpotOAuthError,
    HubSpotPagingError,
    HubSpotServerError,
    HubSpotUnexpectedResponseError,
)
from airflow_provider_hubassoc.client.paging import max_pages
from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsAsyncHook
from tests.client.test_hostile_answers import (
    LABELS,
    LABELS_BODY,
    MALFORMED_LABELS,
    MESSAGE_BOUND,
    PAGE,
    TOKEN_PATH,
    TokenEndpoint,
    endless_pages,
    gzip_bomb,
    trickle_body,
    trickle_everything,
)
from tests.hostile import Conn, HostileServer, Request, answer, connection_env, hostile_server
from tests.sensors.support import CONN_ENV

HOSTILE_TOKEN = json.loads(connection_env("http://127.0.0.1"))["password"]
OAUTH = {"auth_type": "oauth", "client_id": "app", "client_secret": "app-secret-77", "refresh_token": "rt-55"}


def point(monkeypatch: pytest.MonkeyPatch, server: HostileServer, **extra: Any) -> None:
    settings = {"timeout": 0.5, "max_retries": 0, "requests_per_10s": 10_000, **extra}
    monkeypatch.setenv(CONN_ENV, connection_env(server.url, **settings))


async def read_labels(clock: FakeClock | None = None) -> Any:
    async with HubSpotAssociationsAsyncHook(clock=clock or FakeClock()) as hook:
        return await hook.list_labels(from_object_type="contacts", to_object_type="companies")


@pytest.mark.parametrize("respond", [trickle_body, trickle_everything], ids=["body", "headers"])
async def test_timeout_is_a_total_deadline_per_attempt(respond: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with hostile_server(respond) as server:
        point(monkeypatch, server)
        with pytest.raises(HubSpotConnectionError, match=r"within 0\.5 s"):
            await read_labels()
    assert len(server.requests) == 1


async def test_paging_ends_with_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with hostile_server(endless_pages) as server:
        point(monkeypatch, server)
        async with HubSpotAssociationsAsyncHook(clock=FakeClock()) as hook:
            with pytest.raises(HubSpotPagingError, match="50,000 associated records"):
                await hook.get_associations(
                    from_object_type="contacts", object_id=1, to_object_type="companies"
                )
    assert len(server.requests) == max_pages(500)
    assert set(server.paths()) == {PAGE}


async def test_gzip_bomb_is_refused_before_it_inflates(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = gzip_bomb(101_000_000)

    def respond(request: Request, conn: Conn) -> None:
        conn.send(answer(200, bomb, {"Content-Encoding": "gzip"}))

    with hostile_server(respond) as server:
        point(monkeypatch, server, timeout=10)
        with pytest.raises(HubSpotUnexpectedResponseError, match="larger than 100,000,000 bytes"):
            await read_labels()


async def test_five_megabyte_message_is_cut(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def respond(request: Request, conn: Conn) -> None:
        conn.send(answer(503, {"message": "x" * 5_000_000}))

    caplog.set_level(logging.WARNING)
    with hostile_server(respond) as server:
        point(monkeypatch, server, max_retries=1)
        with pytest.raises(HubSpotServerError) as raised:
            await read_labels()
    assert len(server.requests) == 2
    assert len(str(raised.value)) <= MESSAGE_BOUND
    assert caplog.records
    assert all(len(record.getMessage()) <= MESSAGE_BOUND for record in caplog.records)


@pytest.mark.parametrize("body", list(MALFORMED_LABELS.values()), ids=list(MALFORMED_LABELS))
async def test_malformed_answers_raise_a_typed_error_naming_the_request(
    body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    with hostile_server(lambda request, conn: conn.send(answer(200, body))) as server:
        point(monkeypatch, server)
        with pytest.raises(HubSpotUnexpectedResponseError) as raised:
            await read_labels()
    assert f"GET {LABELS}" in str(raised.value)


@pytest.mark.parametrize(
    ("header", "expected"), [("0", 1.0), ("-5", 1.0), ("100000", 300.0)], ids=["zero", "negative", "huge"]
)
async def test_retry_after_has_a_floor_and_a_ceiling(
    header: str, expected: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    def respond(request: Request, conn: Conn) -> None:
        if len(server.requests) <= 2:
            body = {"policyName": "TEN_SECONDLY_ROLLING", "message": "slow down"}
            conn.send(answer(429, body, {"Retry-After": header}))
        else:
            conn.send(answer(200, LABELS_BODY))

    clock = FakeClock()
    with hostile_server(respond) as server:
        point(monkeypatch, server, max_retries=2)
        labels = await read_labels(clock)
    assert [label.type_id for label in labels] == [1]
    assert clock.sleeps[:2] == [expected, expected]


async def test_a_second_401_after_the_refresh_is_permanent(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = TokenEndpoint()

    def respond(request: Request, conn: Conn) -> None:
        if not endpoint.respond(request, conn):
            conn.send(answer(401, {"message": "revoked"}))

    with hostile_server(respond) as server:
        point(monkeypatch, server, max_retries=3, **OAUTH)
        with pytest.raises(HubSpotAuthenticationError):
            await read_labels()
    assert server.paths() == [TOKEN_PATH, LABELS, TOKEN_PATH, LABELS]


async def test_access_token_with_crlf_is_refused_unquoted(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = TokenEndpoint(access_token="good\r\nX-Injected: 1")
    with hostile_server(lambda request, conn: endpoint.respond(request, conn)) as server:
        point(monkeypatch, server, **OAUTH)
        with pytest.raises(HubSpotOAuthError, match="characters a bearer token cannot have") as raised:
            await read_labels()
    assert "X-Injected" not in str(raised.value)
    assert server.paths() == [TOKEN_PATH]


async def test_echoed_token_is_scrubbed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def respond(request: Request, conn: Conn) -> None:
        conn.send(answer(503, {"message": f"busy, token={HOSTILE_TOKEN}"}))

    caplog.set_level(logging.DEBUG)
    with hostile_server(respond) as server:
        point(monkeypatch, server, max_retries=1)
        with pytest.raises(HubSpotServerError) as raised:
            await read_labels()
    assert HOSTILE_TOKEN not in str(raised.value)
    assert all(HOSTILE_TOKEN not in record.getMessage() for record in caplog.records)


async def test_plain_http_to_loopback_never_uses_an_environment_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with hostile_server(lambda request, conn: conn.send(answer(502, {}))) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("http_proxy", proxy.url)
        with hostile_server(lambda request, conn: conn.send(answer(200, LABELS_BODY))) as server:
            point(monkeypatch, server)
            await read_labels()
    assert proxy.requests == []
    assert server.paths() == [LABELS]
