from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
import urllib3.exceptions

from airflow_provider_hubassoc.client import (
    ClientSettings,
    FakeClock,
    HubSpotAuthenticationError,
    HubSpotConfigurationError,
    HubSpotConnectionError,
    HubSpotDailyLimitError,
    HubSpotError,
    HubSpotNotFoundError,
    HubSpotPermissionError,
    HubSpotRateLimitError,
    HubSpotServerError,
    HubSpotTransport,
    HubSpotValidationError,
    StaticTokenProvider,
)
from tests.client.support import BASE_URL, TOKEN

PATH = "/crm/v4/associations/contacts/companies/labels"
URL = BASE_URL + PATH
CORRELATION = "c033cdaa-2c40-4a64-ae48-b4cec88dad24"
ALLOWED_HEADERS = {
    "authorization",
    "content-type",
    "accept",
    "user-agent",
    # HTTP-level headers requests itself adds; they carry no setting
    "accept-encoding",
    "connection",
    "content-length",
}
TEN_SECONDLY = {
    "status": "error",
    "message": "You have reached your ten_secondly_rolling limit.",
    "errorType": "RATE_LIMIT",
    "policyName": "TEN_SECONDLY_ROLLING",
    "correlationId": CORRELATION,
}
DAILY = {
    "status": "error",
    "message": "You have reached your daily limit.",
    "errorType": "RATE_LIMIT",
    "policyName": "DAILY",
    "correlationId": CORRELATION,
}


@pytest.fixture
def transport(clock: FakeClock) -> Iterator[HubSpotTransport]:
    with HubSpotTransport(
        settings=ClientSettings(max_retries=3, requests_per_10s=1000),
        token_provider=StaticTokenProvider(token=TOKEN),
        clock=clock,
    ) as created:
        yield created


def ok(**kwargs: Any) -> dict[str, Any]:
    return {"method": responses.GET, "url": URL, "json": {"results": []}, **kwargs}


# ---------------------------------------------------------------- 429


def test_429_with_retry_after_waits_exactly_that(
    rsps: responses.RequestsMock, transport: HubSpotTransport, clock: FakeClock
) -> None:
    rsps.add(responses.GET, URL, status=429, json=TEN_SECONDLY, headers={"Retry-After": "3"})
    rsps.add(**ok())
    response = transport.request("GET", PATH)
    assert response.status == 200
    assert response.body == {"results": []}
    assert len(rsps.calls) == 2
    assert clock.sleeps == [3.0]
    assert transport.stats.rate_limited == 1
    assert transport.stats.retries == 1
    assert transport.stats.requests == 2
    assert transport.stats.by_status == {429: 1, 200: 1}


def test_429_without_retry_after_backs_off_10s_per_attempt(
    rsps: responses.RequestsMock, transport: HubSpotTransport, clock: FakeClock
) -> None:
    rsps.add(responses.GET, URL, status=429, json=TEN_SECONDLY)
    rsps.add(responses.GET, URL, status=429, json=TEN_SECONDLY)
    rsps.add(**ok())
    transport.request("GET", PATH)
    assert clock.sleeps == [10.0, 20.0]


def test_429_pauses_the_shared_limiter(
    rsps: responses.RequestsMock, transport: HubSpotTransport, clock: FakeClock
) -> None:
    rsps.add(responses.GET, URL, status=429, json=TEN_SECONDLY)
    rsps.add(**ok())
    transport.request("GET", PATH)
    # The limiter was paused for the same 10 s the retry waited: nobody else went ahead meanwhile.
    assert transport.limiter._paused_until == pytest.approx(10.0)


def test_daily_limit_stops_at_once(
    rsps: responses.RequestsMock, transport: HubSpotTransport, clock: FakeClock
) -> None:
    rsps.add(responses.GET, URL, status=429, json=DAILY)
    with pytest.raises(HubSpotDailyLimitError) as info:
        transport.request("GET", PATH)
    assert len(rsps.calls) == 1
    assert clock.sleeps == []
    assert "midnight" in str(info.value)
    assert info.value.correlation_id == CORRELATION


def test_rate_limit_exhaustion_raises_with_last_message_and_correlation_id(
    rsps: responses.RequestsMock, transport: HubSpotTransport, clock: FakeClock
) -> None:
    for _ in range(4):
        rsps.add(responses.GET, URL, status=429, json=TEN_SECONDLY)
    with pytest.raises(HubSpotRateLimitError) as info:
        transport.request("GET", PATH)
    assert len(rsps.calls) == 4  # 1 + max_retries
    assert clock.sleeps == [10.0, 20.0, 30.0]
    assert info.value.correlation_id == CORRELATION
    assert "ten_secondly_rolling limit" in str(info.value)
    assert "gave up after 4 attempts" in str(info.value)


# ---------------------------------------------------------------- 5xx and connection errors


def test_5xx_is_retried_with_exponential_backoff(
    rsps: responses.RequestsMock, transport: HubSpotTransport, clock: FakeClock
) -> None:
    rsps.add(responses.GET, URL, status=502, body="<html>bad gateway</html>")
    rsps.add(responses.GET, URL, status=500, json={"message": "oops"})
    rsps.add(**ok())
    assert transport.request("GET", PATH).status == 200
    assert clock.sleeps == [1.0, 2.0]


def test_5xx_exhaustion_raises_server_error_with_correlation_id(
    rsps: responses.RequestsMock, transport: HubSpotTransport
) -> None:
    for attempt in range(4):
        rsps.add(
            responses.GET,
            URL,
            status=503,
            json={"message": f"unavailable {attempt}", "category": "INTERNAL_ERROR"},
            headers={"X-HubSpot-Correlation-Id": f"corr-{attempt}"},
        )
    with pytest.raises(HubSpotServerError) as info:
        transport.request("GET", PATH)
    assert info.value.correlation_id == "corr-3"
    assert "unavailable 3" in str(info.value)
    assert info.value.status == 503


def test_connection_reset_is_retried(
    rsps: responses.RequestsMock, transport: HubSpotTransport, clock: FakeClock
) -> None:
    rsps.add(responses.GET, URL, body=requests.exceptions.ConnectionError("Connection reset by peer"))
    rsps.add(responses.GET, URL, body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.add(**ok())
    assert transport.request("GET", PATH).status == 200
    assert len(rsps.calls) == 3
    assert transport.stats.connection_errors == 2


def test_connection_exhaustion_raises_connection_error(
    rsps: responses.RequestsMock, transport: HubSpotTransport
) -> None:
    for _ in range(4):
        rsps.add(responses.GET, URL, body=requests.exceptions.ConnectionError("Connection reset by peer"))
    with pytest.raises(HubSpotConnectionError, match="Connection reset by peer"):
        transport.request("GET", PATH)
    assert len(rsps.calls) == 4


def test_zero_retries_means_one_attempt(rsps: responses.RequestsMock, clock: FakeClock) -> None:
    rsps.add(responses.GET, URL, status=500, json={"message": "x"})
    transport = HubSpotTransport(
        settings=ClientSettings(max_retries=0), token_provider=StaticTokenProvider(token=TOKEN), clock=clock
    )
    with pytest.raises(HubSpotServerError, match="gave up after 1 attempt"):
        transport.request("GET", PATH)
    assert len(rsps.calls) == 1


# ---------------------------------------------------------------- permanent errors


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, HubSpotValidationError),
        (401, HubSpotAuthenticationError),
        (403, HubSpotPermissionError),
        (404, HubSpotNotFoundError),
        (409, HubSpotError),
    ],
)
def test_permanent_errors_are_not_retried(
    rsps: responses.RequestsMock, transport: HubSpotTransport, clock: FakeClock, status: int, error_type: type
) -> None:
    rsps.add(
        responses.GET,
        URL,
        status=status,
        json={
            "message": "nope",
            "category": "X",
            "correlationId": CORRELATION,
            "errors": [
                {"message": "scopes", "context": {"requiredGranularScopes": ["crm.objects.contacts.read"]}}
            ],
        },
    )
    with pytest.raises(error_type) as info:
        transport.request("GET", PATH)
    assert len(rsps.calls) == 1
    assert clock.sleeps == []
    assert info.value.correlation_id == CORRELATION
    if status == 403:
        assert "crm.objects.contacts.read" in str(info.value)


# ---------------------------------------------------------------- non-idempotent calls


def test_non_idempotent_500_is_not_retried(rsps: responses.RequestsMock, transport: HubSpotTransport) -> None:
    rsps.add(responses.POST, URL, status=500, json={"message": "boom"})
    with pytest.raises(HubSpotServerError, match="not idempotent"):
        transport.request("POST", PATH, json={"name": "x", "label": "X"}, idempotent=False)
    assert len(rsps.calls) == 1


def test_non_idempotent_reset_is_not_retried(
    rsps: responses.RequestsMock, transport: HubSpotTransport
) -> None:
    rsps.add(responses.POST, URL, body=requests.exceptions.ConnectionError("Connection reset by peer"))
    with pytest.raises(HubSpotConnectionError):
        transport.request("POST", PATH, json={}, idempotent=False)
    assert len(rsps.calls) == 1


def test_non_idempotent_retries_when_the_request_never_arrived(
    rsps: responses.RequestsMock, transport: HubSpotTransport, clock: FakeClock
) -> None:
    refused = requests.exceptions.ConnectionError(
        urllib3.exceptions.NewConnectionError(
            None, "Failed to establish a new connection: Connection refused"
        )  # type: ignore[arg-type]
    )
    rsps.add(responses.POST, URL, body=refused)
    rsps.add(responses.POST, URL, body=requests.exceptions.ConnectTimeout("connect timed out"))
    rsps.add(responses.POST, URL, status=429, json=TEN_SECONDLY, headers={"Retry-After": "1"})
    rsps.add(responses.POST, URL, status=503, json={"message": "unavailable"})
    rsps.add(responses.POST, URL, json={"results": []})
    settings = ClientSettings(max_retries=5)
    transport = HubSpotTransport(
        settings=settings, token_provider=StaticTokenProvider(token=TOKEN), clock=clock
    )
    assert transport.request("POST", PATH, json={}, idempotent=False).status == 200
    assert len(rsps.calls) == 5


# ---------------------------------------------------------------- pacing, headers, secrets


def test_every_attempt_goes_through_the_limiter_and_feeds_it_headers(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    transport = HubSpotTransport(
        settings=ClientSettings(requests_per_10s=2),
        token_provider=StaticTokenProvider(token=TOKEN),
        clock=clock,
    )
    for _ in range(3):
        rsps.add(**ok(headers={"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": "90"}))
    for _ in range(3):
        transport.request("GET", PATH)
    assert clock.sleeps == [pytest.approx(10.25)]
    assert transport.stats.throttled_seconds == pytest.approx(10.25)


def test_only_allowed_headers_are_sent(rsps: responses.RequestsMock, clock: FakeClock) -> None:
    settings = ClientSettings(user_agent="my-agent/1.0", timeout=12.5)
    transport = HubSpotTransport(
        settings=settings, token_provider=StaticTokenProvider(token=TOKEN), clock=clock
    )
    rsps.add(responses.POST, URL, json={"results": []})
    transport.request("POST", PATH, json={"name": "n", "label": "L"})
    headers = rsps.calls[0].request.headers
    assert {name.lower() for name in headers} <= ALLOWED_HEADERS
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["User-Agent"] == "my-agent/1.0"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"
    assert rsps.calls[0].request.req_kwargs["timeout"] == (12.5, 12.5)


def test_unexpected_2xx_is_accepted_with_a_warning(
    rsps: responses.RequestsMock, transport: HubSpotTransport, caplog: pytest.LogCaptureFixture
) -> None:
    rsps.add(responses.PUT, URL, status=200, json={})
    with caplog.at_level(logging.WARNING):
        assert transport.request("PUT", PATH, expected=(204,)).status == 200
    assert "where 204 was documented" in caplog.text


def test_redirects_are_not_followed(rsps: responses.RequestsMock, transport: HubSpotTransport) -> None:
    rsps.add(responses.GET, URL, status=302, headers={"Location": "https://evil.example.com/steal"})
    with pytest.raises(HubSpotError) as info:
        transport.request("GET", PATH)
    assert info.value.status == 302
    assert len(rsps.calls) == 1


def test_token_never_reaches_logs_or_errors(
    rsps: responses.RequestsMock, transport: HubSpotTransport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rsps.add(responses.GET, URL, status=500, json={"message": f"echoing Bearer {TOKEN}"})
    rsps.add(responses.GET, URL, body=requests.exceptions.ConnectionError(f"reset while sending {TOKEN}"))
    rsps.add(responses.GET, URL, status=429, json=TEN_SECONDLY)
    rsps.add(responses.GET, URL, status=401, json={"message": f"token {TOKEN} is expired"})
    with pytest.raises(HubSpotAuthenticationError) as info:
        transport.request("GET", PATH)
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value)
    assert "***" in str(info.value)
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(transport)
    # the retries were logged at WARNING with status, policy and correlation id
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert "status 500" in warnings[0].getMessage()
    assert "policy TEN_SECONDLY_ROLLING" in warnings[2].getMessage()
    assert CORRELATION in warnings[2].getMessage()


def test_invalid_header_becomes_a_configuration_error(rsps: responses.RequestsMock, clock: FakeClock) -> None:
    rsps.add(responses.GET, URL, body=requests.exceptions.InvalidHeader("bad header"))
    transport = HubSpotTransport(
        settings=ClientSettings(), token_provider=StaticTokenProvider(token=TOKEN), clock=clock
    )
    with pytest.raises(HubSpotConfigurationError):
        transport.request("GET", PATH)
    assert len(rsps.calls) == 1


def test_owned_session_has_a_pool_and_is_closed(clock: FakeClock) -> None:
    transport = HubSpotTransport(
        settings=ClientSettings(), token_provider=StaticTokenProvider(token=TOKEN), clock=clock
    )
    adapter = transport.session.get_adapter("https://api.hubapi.com")
    assert adapter._pool_maxsize == 16  # type: ignore[attr-defined]
    assert "X-Custom" not in transport.session.headers
    transport.close()


def test_injected_session_is_not_closed(clock: FakeClock) -> None:
    session = requests.Session()
    closed: list[bool] = []
    session.close = lambda: closed.append(True)  # type: ignore[method-assign]
    transport = HubSpotTransport(
        settings=ClientSettings(),
        token_provider=StaticTokenProvider(token=TOKEN),
        session=session,
        clock=clock,
    )
    transport.close()
    assert closed == []
    assert transport.session is session


def test_stats_as_dict(rsps: responses.RequestsMock, transport: HubSpotTransport) -> None:
    rsps.add(**ok())
    transport.request("GET", PATH)
    assert transport.stats.as_dict() == {
        "requests": 1,
        "retries": 0,
        "rate_limited": 0,
        "connection_errors": 0,
        "throttled_seconds": 0.0,
        "by_status": {"200": 1},
    }


def test_oauth_provider_end_to_end_and_oauth_failure_is_not_retried(
    rsps: responses.RequestsMock, clock: FakeClock
) -> None:
    from airflow_provider_hubassoc.client import HubSpotOAuthError, OAuthTokenProvider

    token_url = f"{BASE_URL}/oauth/2026-03/token"
    rsps.add(responses.POST, token_url, json={"access_token": "oauth-access-1", "expires_in": 1800})
    rsps.add(**ok())
    rsps.add(**ok())
    transport = HubSpotTransport(
        settings=ClientSettings(),
        token_provider=OAuthTokenProvider(
            client_id="id", client_secret="client-secret-x", refresh_token="refresh-x", clock=clock
        ),
        clock=clock,
    )
    transport.request("GET", PATH)
    transport.request("GET", PATH)
    assert [call.request.url for call in rsps.calls].count(token_url) == 1
    assert rsps.calls[2].request.headers["Authorization"] == "Bearer oauth-access-1"

    clock.advance(1800)
    rsps.replace(
        responses.POST, token_url, status=400, json={"status": "BAD_REFRESH_TOKEN", "message": "revoked"}
    )
    with pytest.raises(HubSpotOAuthError, match="revoked") as info:
        transport.request("GET", PATH)
    assert "client-secret-x" not in str(info.value)
    assert "refresh-x" not in str(info.value)
    assert [call.request.url for call in rsps.calls].count(URL) == 2


def test_a_json_body_is_sent_as_compact_utf8_json(rsps: responses.RequestsMock, clock: FakeClock) -> None:
    transport = HubSpotTransport(
        settings=ClientSettings(), token_provider=StaticTokenProvider(token=TOKEN), clock=clock
    )
    rsps.add(responses.POST, URL, json={"results": []})
    body = {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}, "label": "Käufer", "n": None}]}
    transport.request("POST", PATH, json=body)
    sent = rsps.calls[0].request
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.body == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
