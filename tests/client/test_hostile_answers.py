"""The sync client against small hostile servers on loopback (issue 13: slow, hostile, malformed)."""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hubassoc.client import (
    ClientSettings,
    FakeClock,
    HubSpotAssociationsClient,
    StaticTokenProvider,
    paths,
)
from airflow_provider_hubassoc.client.auth import OAUTH_TOKEN_PATH, OAuthTokenProvider
from airflow_provider_hubassoc.client.errors import (
    MAX_MESSAGE_CHARS,
    HubSpotAuthenticationError,
    HubSpotConnectionError,
    HubSpotOAuthError,
    HubSpotPagingError,
    HubSpotPermissionError,
    HubSpotServerError,
    HubSpotUnexpectedResponseError,
    HubSpotValidationError,
)
from airflow_provider_hubassoc.client.models import (
    AssociationInput,
    AssociationSpec,
    BatchResult,
    LabelsBetweenObjectPair,
)
from airflow_provider_hubassoc.client.paging import BATCH_READ_MIN_PAGE_SIZE, max_pages
from airflow_provider_hubassoc.client.paths import DEFAULT_API_VERSION
from airflow_provider_hubassoc.client.wire import MAX_BODY_BYTES
from tests.client.test_associations import pair_row
from tests.hostile import Conn, HostileServer, Request, answer, hostile_server

TOKEN = "pat-na1-HOSTILE-SECRET-0123456789"
# the paths of the default API version, as the client builds them
LABELS = paths.labels_path(DEFAULT_API_VERSION, "contacts", "companies")
PAGE = paths.record_associations_path(DEFAULT_API_VERSION, "contacts", "1", "companies")
BATCH_READ = paths.batch_path(DEFAULT_API_VERSION, "contacts", "companies", "read")
BATCH_CREATE = paths.batch_path(DEFAULT_API_VERSION, "contacts", "companies", "create")
TOKEN_PATH = OAUTH_TOKEN_PATH
LABELS_BODY = {"results": [{"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"}]}
#: Bounds on message length in the assertions: the cap plus HubSpotError's "| HTTP ..." suffixes.
MESSAGE_BOUND = MAX_MESSAGE_CHARS + 200


def make_client(
    server: HostileServer,
    *,
    timeout: float = 0.5,
    max_retries: int = 0,
    clock: FakeClock | None = None,
    provider: Any = None,
) -> HubSpotAssociationsClient:
    return HubSpotAssociationsClient(
        settings=ClientSettings(
            base_url=server.url, timeout=timeout, max_retries=max_retries, requests_per_10s=10_000
        ),
        token_provider=provider or StaticTokenProvider(token=TOKEN),
        clock=clock or FakeClock(),
    )


@pytest.fixture
def no_env_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


# ----------------------------------------------------------------------------- 1. deadline


def trickle_body(request: Request, conn: Conn) -> None:
    payload = json.dumps(LABELS_BODY).encode()
    conn.send(f"HTTP/1.1 200 OK\r\nContent-Length: {len(payload)}\r\n\r\n".encode())
    conn.trickle(payload, every=0.05)  # ~3 s for the whole body


def trickle_everything(request: Request, conn: Conn) -> None:
    conn.trickle(answer(200, LABELS_BODY), every=0.05)


@pytest.mark.parametrize("respond", [trickle_body, trickle_everything], ids=["body", "headers"])
def test_timeout_is_a_total_deadline_per_attempt(respond: Any) -> None:
    with (
        hostile_server(respond) as server,
        make_client(server, timeout=0.5) as client,
        pytest.raises(HubSpotConnectionError, match=r"deadline of 0\.5 s"),
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert len(server.requests) == 1


def test_oauth_exchange_has_a_total_deadline() -> None:
    with hostile_server(trickle_everything) as server:
        provider = OAuthTokenProvider(
            client_id="app",
            client_secret="app-secret",
            refresh_token="refresh-secret",
            token_url=server.url + TOKEN_PATH,
            timeout=0.5,
        )
        with pytest.raises(HubSpotOAuthError, match=r"within 0\.5 s") as raised:
            provider.token()
        provider.close()
    assert "app-secret" not in str(raised.value)


# ----------------------------------------------------------------------------- 2. paging


def endless_pages(request: Request, conn: Conn) -> None:
    after = len(request.query.get("after", [])) and int(request.query["after"][0][1:]) + 1
    conn.send(answer(200, {"results": [], "paging": {"next": {"after": f"c{after}"}}}))


def test_get_associations_paging_ends_with_a_typed_error() -> None:
    with (
        hostile_server(endless_pages) as server,
        make_client(server) as client,
        pytest.raises(HubSpotPagingError, match="50,000 associated records"),
    ):
        client.get_associations(from_object_type="contacts", object_id=1, to_object_type="companies")
    assert len(server.requests) == max_pages(500)


def batch_read_endless(request: Request, conn: Conn) -> None:
    (item,) = request.json()["inputs"]
    after = int(item.get("after", "c0")[1:]) + 1
    row = {"from": {"id": item["id"]}, "to": [], "paging": {"next": {"after": f"c{after}"}}}
    conn.send(answer(200, {"status": "COMPLETE", "results": [row], "errors": []}))


def test_batch_read_paging_ends_with_a_typed_error() -> None:
    with (
        hostile_server(batch_read_endless) as server,
        make_client(server) as client,
        pytest.raises(HubSpotPagingError, match="for id 1"),
    ):
        client.batch_read(from_object_type="contacts", to_object_type="companies", object_ids=["1"])
    assert len(server.requests) == max_pages(BATCH_READ_MIN_PAGE_SIZE)


def batch_read_with_strangers(request: Request, conn: Conn) -> None:
    inputs = request.json()["inputs"]
    assoc = [{"toObjectId": 20, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 1}]}]
    if inputs == [{"id": "1"}]:
        rows = [
            {"from": {"id": "1"}, "to": assoc, "paging": {"next": {"after": "p2"}}},
            {"from": {"id": "999"}, "to": assoc, "paging": {"next": {"after": "x"}}},
        ]
    else:
        rows = [{"from": {"id": "1"}, "to": [{"toObjectId": 21, "associationTypes": []}]}]
    conn.send(answer(200, {"status": "COMPLETE", "results": rows, "errors": []}))


def test_batch_read_ignores_ids_it_did_not_ask_for() -> None:
    with hostile_server(batch_read_with_strangers) as server, make_client(server) as client:
        result = client.batch_read(from_object_type="contacts", to_object_type="companies", object_ids=["1"])
    assert set(result.associations) == {"1"}
    assert [record.to_object_id for record in result.associations["1"]] == ["20", "21"]
    assert [request.json()["inputs"] for request in server.requests] == [
        [{"id": "1"}],
        [{"id": "1", "after": "p2"}],
    ]


# ----------------------------------------------------------------------------- 3. size limits


def gzip_bomb(decoded_bytes: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * 1_000_000
    parts = [compressor.compress(block) for _ in range(decoded_bytes // len(block))]
    return b"".join([*parts, compressor.flush()])


def test_gzip_bomb_is_refused_before_it_inflates() -> None:
    bomb = gzip_bomb(MAX_BODY_BYTES + 1_000_000)
    assert len(bomb) < 1_000_000

    def respond(request: Request, conn: Conn) -> None:
        conn.send(answer(200, bomb, {"Content-Encoding": "gzip"}))

    with (
        hostile_server(respond) as server,
        make_client(server, timeout=10) as client,
        pytest.raises(HubSpotUnexpectedResponseError, match="larger than 100,000,000 bytes"),
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")


def test_small_gzip_answer_is_decoded() -> None:
    def respond(request: Request, conn: Conn) -> None:
        conn.send(answer(200, gzip.compress(json.dumps(LABELS_BODY).encode()), {"Content-Encoding": "gzip"}))

    with hostile_server(respond) as server, make_client(server) as client:
        labels = client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert [label.label for label in labels] == ["Primary"]


def test_huge_chunked_answer_is_cut_at_the_cap() -> None:
    block = b" " * 1_000_000

    def respond(request: Request, conn: Conn) -> None:
        conn.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(MAX_BODY_BYTES // len(block) + 2):
            conn.send(b"%x\r\n%s\r\n" % (len(block), block))
        conn.send(b"0\r\n\r\n")

    with (
        hostile_server(respond) as server,
        make_client(server, timeout=10) as client,
        pytest.raises(HubSpotUnexpectedResponseError, match="larger than 100,000,000 bytes"),
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")


def test_declared_oversize_answer_is_refused_without_reading_it() -> None:
    def respond(request: Request, conn: Conn) -> None:
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 200000000\r\n\r\n")
        conn.stopping.wait(5)

    with (
        hostile_server(respond) as server,
        make_client(server, timeout=2) as client,
        pytest.raises(HubSpotUnexpectedResponseError, match="larger than 100,000,000 bytes"),
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")


def test_five_megabyte_message_is_cut_in_errors_and_retry_warnings(caplog: pytest.LogCaptureFixture) -> None:
    def respond(request: Request, conn: Conn) -> None:
        conn.send(answer(503, {"status": "error", "message": "x" * 5_000_000}))

    caplog.set_level(logging.WARNING)
    with (
        hostile_server(respond) as server,
        make_client(server, max_retries=1) as client,
        pytest.raises(HubSpotServerError) as raised,
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert len(server.requests) == 2
    assert len(str(raised.value)) <= MESSAGE_BOUND
    warnings = [record.getMessage() for record in caplog.records if "retry" in record.getMessage()]
    assert warnings
    assert all(len(text) <= MESSAGE_BOUND for text in warnings)


def test_row_reasons_are_cut() -> None:
    def respond(request: Request, conn: Conn) -> None:
        error = {"status": "error", "category": "VALIDATION_ERROR", "message": "y" * 1_000_000}
        conn.send(answer(207, {"status": "COMPLETE", "results": [], "errors": [error]}))

    spec = AssociationSpec(category="USER_DEFINED", type_id=5)  # type: ignore[arg-type]
    with hostile_server(respond) as server, make_client(server) as client:
        result = client.batch_create(
            from_object_type="contacts",
            to_object_type="companies",
            inputs=[AssociationInput(from_id="1", to_id="2", types=(spec,))],
        )
    assert len(result.errors[0].message) <= MAX_MESSAGE_CHARS


def _created(from_id: object, to_id: object) -> dict[str, object]:
    return {**pair_row(from_id, to_id), "labels": ["Consultant"]}


def _create_in_two_requests(answers: list[dict[str, Any]]) -> BatchResult[LabelsBetweenObjectPair]:
    """A batch create of 2,001 pairs (two requests) against a server sending ``answers`` in turn."""
    replies = iter(answers)
    spec = AssociationSpec(category="USER_DEFINED", type_id=5)  # type: ignore[arg-type]
    inputs = [AssociationInput(from_id="1", to_id=str(to_id), types=(spec,)) for to_id in range(2, 2 + 2001)]
    with (
        hostile_server(lambda request, conn: conn.send(answer(200, next(replies)))) as server,
        make_client(server) as client,
    ):
        result = client.batch_create(from_object_type="contacts", to_object_type="companies", inputs=inputs)
    assert len(server.requests) == 2
    return result


def test_batch_create_rows_become_models_when_read_and_a_bad_one_names_the_request() -> None:
    # the rows of a batch create are converted only when result.results is read (a sync rarely
    # does); a malformed id then still fails with the typed error naming the request
    result = _create_in_two_requests(
        [
            {"status": "COMPLETE", "results": [_created(1, 2)]},
            {"status": "COMPLETE", "results": [_created(1, 3), _created("x" * 50, 4)]},
        ]
    )
    assert result.errors == []
    for _ in range(2):  # every read fails alike: no row is dropped by a failed conversion
        with pytest.raises(HubSpotUnexpectedResponseError, match=f"POST {BATCH_CREATE}") as raised:
            _ = result.results
        assert "fromObjectId" in str(raised.value)


def test_batch_create_rows_read_back_in_answer_order() -> None:
    result = _create_in_two_requests(
        [{"results": [_created(1, 2)]}, {"results": [_created(1, 3), _created("01", 4)]}]
    )
    assert [(row.from_object_id, row.to_object_id, row.labels) for row in result.results] == [
        ("1", "2", ("Consultant",)),
        ("1", "3", ("Consultant",)),
        ("1", "4", ("Consultant",)),
    ]
    assert result.results is result.results  # converted once


# ----------------------------------------------------------------------------- 4. no quadratic parsing


def test_a_403_listing_100000_scopes_is_parsed_and_summarized() -> None:
    scopes = [f"crm.objects.custom_{index}.read" for index in range(100_000)]

    def respond(request: Request, conn: Conn) -> None:
        body = {
            "status": "error",
            "category": "MISSING_SCOPES",
            "message": "missing scopes",
            "errors": [{"message": "m", "context": {"requiredGranularScopes": scopes}}],
        }
        conn.send(answer(403, body))

    with (
        hostile_server(respond) as server,
        make_client(server) as client,
        pytest.raises(HubSpotPermissionError) as raised,
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert raised.value.missing_scopes == tuple(scopes)
    assert "and 99,980 more" in raised.value.message
    assert len(str(raised.value)) <= MESSAGE_BOUND


# ----------------------------------------------------------------------------- 5, 6, 7. credentials


class TokenEndpoint:
    """An OAuth token endpoint issuing ``acc-1``, ``acc-2`` ... (and rotating the refresh token)."""

    def __init__(self, *, access_token: str | None = None) -> None:
        self.issued = 0
        self.access_token = access_token

    def respond(self, request: Request, conn: Conn) -> bool:
        if request.path != TOKEN_PATH:
            return False
        self.issued += 1
        token = self.access_token or f"acc-{self.issued}"
        conn.send(
            answer(200, {"access_token": token, "refresh_token": "rotated-refresh-9", "expires_in": 1800})
        )
        return True


def oauth_provider(server: HostileServer) -> OAuthTokenProvider:
    return OAuthTokenProvider(
        client_id="app",
        client_secret="app-secret-77",
        refresh_token="refresh-secret-55",
        token_url=server.url + TOKEN_PATH,
        timeout=2,
    )


def test_401_on_an_oauth_token_refreshes_once_and_retries() -> None:
    endpoint = TokenEndpoint()

    def respond(request: Request, conn: Conn) -> None:
        if endpoint.respond(request, conn):
            return
        revoked = request.headers["authorization"] == "Bearer acc-1"
        conn.send(answer(401, {"message": "expired"}) if revoked else answer(200, LABELS_BODY))

    with hostile_server(respond) as server, make_client(server, provider=oauth_provider(server)) as client:
        labels = client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert [label.type_id for label in labels] == [1]
    assert server.paths() == [TOKEN_PATH, LABELS, TOKEN_PATH, LABELS]


def test_a_second_401_after_the_refresh_is_permanent() -> None:
    endpoint = TokenEndpoint()

    def respond(request: Request, conn: Conn) -> None:
        if not endpoint.respond(request, conn):
            conn.send(answer(401, {"message": "revoked"}))

    with (
        hostile_server(respond) as server,
        make_client(server, provider=oauth_provider(server)) as client,
        pytest.raises(HubSpotAuthenticationError),
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert server.paths() == [TOKEN_PATH, LABELS, TOKEN_PATH, LABELS]


def test_a_401_with_a_static_token_is_not_retried() -> None:
    with (
        hostile_server(lambda request, conn: conn.send(answer(401, {}))) as server,
        make_client(server, max_retries=3) as client,
        pytest.raises(HubSpotAuthenticationError),
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert len(server.requests) == 1


def test_echoed_bearer_token_is_scrubbed_from_row_reasons() -> None:
    def respond(request: Request, conn: Conn) -> None:
        error = {
            "status": "error",
            "category": "VALIDATION_ERROR",
            "message": f"token {TOKEN} may not do this",
            "context": {"fromObjectId": ["1"]},
        }
        conn.send(answer(207, {"status": "COMPLETE", "results": [], "errors": [error]}))

    spec = AssociationSpec(category="USER_DEFINED", type_id=5)  # type: ignore[arg-type]
    with hostile_server(respond) as server, make_client(server) as client:
        result = client.batch_create(
            from_object_type="contacts",
            to_object_type="companies",
            inputs=[AssociationInput(from_id="1", to_id="2", types=(spec,))],
        )
    (error,) = result.errors
    assert TOKEN not in error.message
    assert error.message == "token *** may not do this"


def test_client_secret_and_refresh_tokens_are_scrubbed_from_api_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    endpoint = TokenEndpoint()
    secrets = ("app-secret-77", "refresh-secret-55", "rotated-refresh-9", "acc-1")

    def respond(request: Request, conn: Conn) -> None:
        if not endpoint.respond(request, conn):
            conn.send(
                answer(400, {"message": f"bad call quoting {' '.join(secrets)}", "category": secrets[0]})
            )

    caplog.set_level(logging.DEBUG)
    with (
        hostile_server(respond) as server,
        make_client(server, provider=oauth_provider(server)) as client,
        pytest.raises(HubSpotValidationError) as raised,
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")
    text = str(raised.value) + "\n".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        assert secret not in text


def test_echoed_token_is_scrubbed_from_retry_warnings(caplog: pytest.LogCaptureFixture) -> None:
    def respond(request: Request, conn: Conn) -> None:
        conn.send(answer(503, {"message": f"busy, token={TOKEN}"}))

    caplog.set_level(logging.DEBUG)
    with (
        hostile_server(respond) as server,
        make_client(server, max_retries=2) as client,
        pytest.raises(HubSpotServerError) as raised,
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert TOKEN not in str(raised.value)
    assert len(caplog.records) >= 2
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("issued", ["good\r\nX-Injected: 1", "tök\u2603en", "two words"])
def test_access_token_with_forbidden_characters_is_refused_unquoted(issued: str) -> None:
    endpoint = TokenEndpoint(access_token=issued)

    def respond(request: Request, conn: Conn) -> None:
        if not endpoint.respond(request, conn):
            conn.send(answer(200, LABELS_BODY))

    with (
        hostile_server(respond) as server,
        make_client(server, provider=oauth_provider(server)) as client,
        pytest.raises(HubSpotOAuthError, match="characters a bearer token cannot have") as raised,
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert issued not in str(raised.value)
    assert issued.split()[0][:3] not in str(raised.value)
    assert server.paths() == [TOKEN_PATH]


# ----------------------------------------------------------------------------- 8. proxy and netrc


@pytest.fixture
def proxy() -> Iterator[HostileServer]:
    with hostile_server(lambda request, conn: conn.send(answer(502, {}))) as server:
        yield server


def test_plain_http_to_loopback_never_uses_an_environment_proxy(
    proxy: HostileServer, no_env_proxy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    with (
        hostile_server(lambda request, conn: conn.send(answer(200, LABELS_BODY))) as server,
        make_client(server) as client,
    ):
        client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert proxy.requests == []
    assert server.paths() == [LABELS]


def test_oauth_post_gets_no_netrc_credentials_nor_a_proxy(
    proxy: HostileServer, no_env_proxy: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login netrc-user password netrc-password\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    endpoint = TokenEndpoint()
    with hostile_server(lambda request, conn: endpoint.respond(request, conn)) as server:
        provider = oauth_provider(server)
        assert provider.token() == "acc-1"
        provider.close()
    (post,) = server.requests
    assert "authorization" not in post.headers
    assert proxy.requests == []


# ----------------------------------------------------------------------------- 9. malformed answers

MALFORMED_LABELS: dict[str, bytes] = {
    "5000-digit typeId string": (
        b'{"results":[{"category":"USER_DEFINED","typeId":"' + b"9" * 5000 + b'","label":"x"}]}'
    ),
    "5000-digit typeId number": b'{"results":[{"category":"USER_DEFINED","typeId":' + b"9" * 5000 + b"}]}",
    "nested 100000 deep": b"[" * 100_000 + b"]" * 100_000,
    "not JSON": b"<html>gateway</html>",
    "truncated JSON": b'{"results": [{"category": "USER_DEFINED", "typeId": 1',
    "bad UTF-8": b'{"results":[{"category":"USER_DEFINED","typeId":1,"label":"\xff\xfe"}]}',
    "lone surrogate": b'{"results":[{"category":"USER_DEFINED","typeId":1,"label":"\\ud800"}]}',
    "number as label": b'{"results":[{"category":"USER_DEFINED","typeId":1,"label":123}]}',
}


def _read_row(types: bytes) -> bytes:
    return b'{"results":[{"from":{"id":"1"},"to":[{"toObjectId":20,"associationTypes":' + types + b"}]}]}"


#: Batch-read answers are decoded straight into typed structs (msgspec), not through ``json``: every
#: kind of malformed body still ends in the same typed error naming the request.
MALFORMED_BATCH_READS: dict[str, bytes] = {
    **{name: body for name, body in MALFORMED_LABELS.items() if name != "5000-digit typeId string"},
    "5000-digit typeId in a pair": _read_row(b'[{"category":"USER_DEFINED","typeId":' + b"9" * 5000 + b"}]"),
    "5000-digit toObjectId": b'{"results":[{"from":{"id":"1"},"to":[{"toObjectId":' + b"9" * 5000 + b"}]}]}",
    "results not an array": b'{"results": {"from": {"id": "1"}}}',
    "boolean typeId": _read_row(b'[{"category":"USER_DEFINED","typeId":true}]'),
    "object as label": _read_row(b'[{"category":"USER_DEFINED","typeId":3,"label":{"a":1}}]'),
    "nested errors 100000 deep": b'{"errors":[' + b"[" * 100_000 + b"1" + b"]" * 100_000 + b"]}",
    "lone surrogate in a pair": _read_row(b'[{"category":"USER_DEFINED","typeId":3,"label":"\\ud800"}]'),
}


#: Each malformed body, with the call that gets it and the request its error must name.
MALFORMED_CASES = [
    pytest.param(
        lambda client: client.list_labels(from_object_type="contacts", to_object_type="companies"),
        f"GET {LABELS}",
        body,
        id=f"labels: {name}",
    )
    for name, body in MALFORMED_LABELS.items()
] + [
    pytest.param(
        lambda client: client.batch_read(
            from_object_type="contacts", to_object_type="companies", object_ids=["1"]
        ),
        f"POST {BATCH_READ}",
        body,
        id=f"batch read: {name}",
    )
    for name, body in MALFORMED_BATCH_READS.items()
]


@pytest.mark.parametrize(("call", "request_line", "body"), MALFORMED_CASES)
def test_malformed_answers_raise_a_typed_error_naming_the_request(
    call: Any, request_line: str, body: bytes
) -> None:
    with (
        hostile_server(lambda request, conn: conn.send(answer(200, body))) as server,
        make_client(server) as client,
        pytest.raises(HubSpotUnexpectedResponseError) as raised,
    ):
        call(client)
    assert request_line in str(raised.value)
    assert len(str(raised.value)) <= MESSAGE_BOUND


def test_a_batch_read_of_the_wrong_shape_keeps_the_correlation_id() -> None:
    # the answer is decoded into its structs while it is read: a shape error is raised there, and
    # still quotes HubSpot's correlation id from the headers
    def respond(request: Request, conn: Conn) -> None:
        conn.send(answer(207, {"results": "x"}, {"X-HubSpot-Correlation-Id": "cid-207"}))

    with (
        hostile_server(respond) as server,
        make_client(server) as client,
        pytest.raises(HubSpotUnexpectedResponseError) as raised,
    ):
        client.batch_read(from_object_type="contacts", to_object_type="companies", object_ids=["1"])
    assert raised.value.correlation_id == "cid-207"
    assert f"POST {BATCH_READ}" in str(raised.value)


def test_equal_type_lists_share_one_parse_but_true_is_not_type_id_1() -> None:
    # pairs carrying equal lists of types share one parse; a list whose typeId is ``true`` (equal to
    # 1 in Python) must not borrow the parse of a list whose typeId is 1
    types = b'[{"category":"HUBSPOT_DEFINED","typeId":1,"label":"Primary"}]'
    body = (
        b'{"results":[{"from":{"id":"1"},"to":[{"toObjectId":20,"associationTypes":' + types + b"},"
        b'{"toObjectId":21,"associationTypes":' + types + b"},"
        b'{"toObjectId":22,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":true,"label":"Primary"}]}]}]}'
    )
    with (
        hostile_server(lambda request, conn: conn.send(answer(200, body))) as server,
        make_client(server) as client,
        pytest.raises(HubSpotUnexpectedResponseError, match=f"POST {BATCH_READ}"),
    ):
        client.batch_read(from_object_type="contacts", to_object_type="companies", object_ids=["1"])
    with (
        hostile_server(lambda request, conn: conn.send(answer(200, body.replace(b"true", b"1")))) as server,
        make_client(server) as client,
    ):
        result = client.batch_read(from_object_type="contacts", to_object_type="companies", object_ids=["1"])
    first, second, third = result.associations["1"]
    assert [r.to_object_id for r in (first, second, third)] == ["20", "21", "22"]
    assert first.types == second.types == third.types
    assert first.types[0].type_id == 1
    assert first.types[0].label == "Primary"


def test_a_deeply_nested_row_error_is_no_recursion_error() -> None:
    # 800 deep: json parses it, and a recursive walk of it (two frames per level) would not.
    nested = "[" * 800 + '"deep"' + "]" * 800
    error = '{"status": "error", "category": "X", "message": "m", "subCategory": {"a": ' + nested + "}}"
    text = '{"status": "COMPLETE", "results": [], "errors": [' + error + "]}"

    def respond(request: Request, conn: Conn) -> None:
        conn.send(answer(207, text))

    with hostile_server(respond) as server, make_client(server) as client:
        result = client.batch_read(from_object_type="contacts", to_object_type="companies", object_ids=["1"])
    (row_error,) = result.errors
    assert row_error.category == "X"
    assert result.associations == {}


# ----------------------------------------------------------------------------- 10. Retry-After


@pytest.mark.parametrize(
    ("header", "expected"),
    [("0", 1.0), ("-5", 1.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 1.0), ("100000", 300.0)],
    ids=["zero", "negative", "past-date", "huge"],
)
def test_retry_after_has_a_floor_and_a_ceiling(header: str, expected: float) -> None:
    calls: list[int] = []

    def respond(request: Request, conn: Conn) -> None:
        calls.append(1)
        if len(calls) <= 2:
            body = {"status": "error", "policyName": "TEN_SECONDLY_ROLLING", "message": "slow down"}
            conn.send(answer(429, body, {"Retry-After": header}))
        else:
            conn.send(answer(200, LABELS_BODY))

    clock = FakeClock()
    with hostile_server(respond) as server, make_client(server, max_retries=2, clock=clock) as client:
        client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert len(server.requests) == 3
    assert clock.sleeps[:2] == [expected, expected]
    assert min(clock.sleeps) >= 1.0


# ----------------------------------------------------------------------------- 11. label names


@pytest.mark.parametrize("name", ["billing_2\n", "n" * 10_000, "billing 2", "2billing", "bill-ing"])
def test_label_names_hubspot_refuses_are_refused_before_any_call(name: str) -> None:
    with (
        hostile_server(lambda request, conn: conn.send(answer(200, LABELS_BODY))) as server,
        make_client(server) as client,
        pytest.raises(ValueError, match="label name"),
    ):
        client.create_label(from_object_type="contacts", to_object_type="companies", name=name, label="B")
    assert server.requests == []


def test_labels_longer_than_hubspot_accepts_are_refused_before_any_call() -> None:
    with (
        hostile_server(lambda request, conn: conn.send(answer(200, LABELS_BODY))) as server,
        make_client(server) as client,
        pytest.raises(ValueError, match="at most 100"),
    ):
        client.create_label(
            from_object_type="contacts", to_object_type="companies", name="billing", label="L" * 10_000
        )
    assert server.requests == []
