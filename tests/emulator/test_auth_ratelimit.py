"""Bearer tokens, OAuth refresh-token grant and expiry, rolling and daily rate limits."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
import requests

from airflow_provider_hubassoc.client import (
    ClientSettings,
    HubSpotAssociationsClient,
    HubSpotOAuthError,
    OAuthTokenProvider,
    oauth_token_url,
)
from airflow_provider_hubassoc.emulator import EmulatorServer
from tests.emulator.conftest import Api

PATH = "/crm/v4/objects/contacts/101/associations/companies"
UNLABELED = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic abc", "Bearer "])
def test_401_for_missing_or_wrong_token(emulator: EmulatorServer, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    resp = requests.get(emulator.url + PATH, headers=headers, timeout=10)
    assert resp.status_code == 401
    body = resp.json()
    assert body["status"] == "error"
    assert body["category"] == "INVALID_AUTHENTICATION"
    uuid.UUID(body["correlationId"])
    assert "wrong-token" not in resp.text


def test_401_is_not_applied(emulator: EmulatorServer) -> None:
    bad = Api(emulator.url, token="nope")
    assert bad.put("/crm/v4/objects/contacts/101/associations/companies/201", UNLABELED).status_code == 401
    assert emulator.state.pairs("0-1", "0-2") == []


def test_multiple_tokens(emulator_factory: Callable[..., EmulatorServer]) -> None:
    server = emulator_factory(tokens=("one", "two"))
    assert Api(server.url, "one").get(PATH).status_code == 200
    assert Api(server.url, "two").get(PATH).status_code == 200
    assert Api(server.url, "emulator-token").get(PATH).status_code == 401


def test_emulator_routes_need_no_token(emulator: EmulatorServer) -> None:
    assert requests.get(emulator.url + "/_emulator/stats", timeout=10).status_code == 200


def test_ten_secondly_limit_headers_and_429(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"requests_per_10s": 3, "retry_after": True})
    remaining = []
    for _ in range(3):
        resp = api.get(PATH)
        assert resp.status_code == 200
        assert resp.headers["X-HubSpot-RateLimit-Max"] == "3"
        assert resp.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert "X-HubSpot-RateLimit-Daily" not in resp.headers
        remaining.append(int(resp.headers["X-HubSpot-RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]
    limited = api.put("/crm/v4/objects/contacts/101/associations/companies/201", UNLABELED)
    assert limited.status_code == 429
    body = limited.json()
    assert body["errorType"] == "RATE_LIMIT"
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert body["status"] == "error"
    uuid.UUID(body["correlationId"])
    assert 1 <= int(limited.headers["Retry-After"]) <= 10
    assert limited.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    # rate-limited requests are not applied
    assert emulator.state.pairs("0-1", "0-2") == []
    stats = requests.get(emulator.url + "/_emulator/stats", timeout=10).json()
    assert stats["rate_limited"] == 1
    assert stats["by_endpoint"]["create"] == {"429": 1}


def test_rolling_window_frees_up(emulator_factory: Callable[..., EmulatorServer]) -> None:
    server = emulator_factory(requests_per_10s=2, retry_after=True)
    api = Api(server.url)
    clock = [1000.0]
    server.runtime.limiter.clock = lambda: clock[0]
    assert api.get(PATH).status_code == 200
    clock[0] += 6
    assert api.get(PATH).status_code == 200
    assert api.get(PATH).status_code == 429
    clock[0] += 4.5  # the first request left the window
    assert api.get(PATH).status_code == 200
    resp = api.get(PATH)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "6"  # the 1006 request leaves the window at 1016


def test_429_without_retry_after_by_default(emulator_factory: Callable[..., EmulatorServer]) -> None:
    # HubSpot documents no Retry-After on 429: the emulator sends none unless asked to.
    server = emulator_factory(requests_per_10s=1)
    api = Api(server.url)
    assert api.get(PATH).status_code == 200
    resp = api.get(PATH)
    assert resp.status_code == 429
    assert "Retry-After" not in resp.headers
    assert resp.headers["X-HubSpot-RateLimit-Max"] == "1"


def test_daily_limit(api: Api, emulator: EmulatorServer) -> None:
    emulator.runtime.reconfigure({"daily_limit": 2, "retry_after": True})
    first = api.get(PATH)
    assert first.headers["X-HubSpot-RateLimit-Daily"] == "2"
    assert first.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "1"
    # the ten-second headers are on every response, a ten-second limit configured or not
    assert first.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert api.get(PATH).headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    resp = api.get(PATH)
    assert resp.status_code == 429
    body = resp.json()
    assert body["policyName"] == "DAILY"
    assert body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your daily limit."
    assert 0 < int(resp.headers["Retry-After"]) <= 86400
    emulator.runtime.reconfigure({"daily_limit": 2, "retry_after": False})
    emulator.reset()
    api.get(PATH)
    api.get(PATH)
    assert "Retry-After" not in api.get(PATH).headers


def test_rate_limit_headers_on_every_response_without_limits(api: Api) -> None:
    first, second = api.get(PATH), api.get(PATH)
    for resp in (first, second):
        for name in ("Max", "Remaining", "Interval-Milliseconds"):
            assert f"X-HubSpot-RateLimit-{name}" in resp.headers
        assert "X-HubSpot-RateLimit-Daily" not in resp.headers
    assert int(second.headers["X-HubSpot-RateLimit-Remaining"]) < int(
        first.headers["X-HubSpot-RateLimit-Remaining"]
    )


def test_both_limits_headers_together(emulator_factory: Callable[..., EmulatorServer]) -> None:
    server = emulator_factory(requests_per_10s=100, daily_limit=1000)
    resp = Api(server.url).get(PATH)
    for name in ("Max", "Remaining", "Interval-Milliseconds", "Daily", "Daily-Remaining"):
        assert f"X-HubSpot-RateLimit-{name}" in resp.headers
    assert resp.headers["X-HubSpot-RateLimit-Remaining"] == "99"
    assert resp.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "999"


# ---------------------------------------------------------------------------- OAuth


@pytest.fixture
def oauth_server(emulator_factory: Callable[..., EmulatorServer]) -> EmulatorServer:
    return emulator_factory(
        oauth_client_id="cid",
        oauth_client_secret="csecret",
        oauth_refresh_token="rtoken",
        oauth_token_lifetime=1,
    )


def _refresh(server: EmulatorServer, **overrides: str) -> requests.Response:
    form = {
        "grant_type": "refresh_token",
        "client_id": "cid",
        "client_secret": "csecret",
        "refresh_token": "rtoken",
    }
    form.update(overrides)
    return requests.post(f"{server.url}/oauth/2026-03/token", data=form, timeout=10)


def test_oauth_token_is_accepted_until_expiry(oauth_server: EmulatorServer) -> None:
    resp = _refresh(oauth_server)
    assert resp.status_code == 200
    body = resp.json()
    assert body["expires_in"] == 1
    assert body["token_type"] == "bearer"
    assert body["refresh_token"] == "rtoken"
    token = body["access_token"]
    assert len(token) <= 300
    api = Api(oauth_server.url, token)
    assert api.get(PATH).status_code == 200
    time.sleep(1.1)
    expired = api.get(PATH)
    assert expired.status_code == 401
    assert expired.json()["category"] == "EXPIRED_AUTHENTICATION"
    fresh = _refresh(oauth_server).json()["access_token"]
    assert fresh != token
    assert Api(oauth_server.url, fresh).get(PATH).status_code == 200


@pytest.mark.parametrize(
    ("override", "status"),
    [
        ({"refresh_token": "nope"}, "BAD_REFRESH_TOKEN"),
        ({"client_id": "nope"}, "BAD_CLIENT_ID"),
        ({"client_secret": "nope"}, "BAD_CLIENT_SECRET"),
        ({"grant_type": "password"}, "BAD_GRANT_TYPE"),
    ],
)
def test_oauth_errors(oauth_server: EmulatorServer, override: dict[str, str], status: str) -> None:
    resp = _refresh(oauth_server, **override)
    assert resp.status_code == 400
    body = resp.json()
    # HubSpot's Error shape, as the 2026-03 OAuth spec and the token reference page show it
    assert body["category"] == "VALIDATION_ERROR"
    assert body["subCategory"] == status
    uuid.UUID(body["correlationId"])
    assert "nope" not in body["message"]


def test_oauth_not_configured(emulator: EmulatorServer) -> None:
    resp = _refresh(emulator)
    assert resp.status_code == 400


def test_the_v1_token_endpoint_is_not_served(oauth_server: EmulatorServer) -> None:
    # sunset on 2027-02-16; a client still calling it must fail here, not in production
    form = {
        "grant_type": "refresh_token",
        "client_id": "cid",
        "client_secret": "csecret",
        "refresh_token": "rtoken",
    }
    assert requests.post(f"{oauth_server.url}/oauth/v1/token", data=form, timeout=10).status_code == 404
    assert _refresh(oauth_server).status_code == 200


def test_the_client_refreshes_at_the_date_versioned_endpoint(oauth_server: EmulatorServer) -> None:
    provider = OAuthTokenProvider(
        client_id="cid",
        client_secret="csecret",
        refresh_token="rtoken",
        token_url=oauth_token_url(oauth_server.url),
    )
    with HubSpotAssociationsClient(
        settings=ClientSettings(base_url=oauth_server.url), token_provider=provider
    ) as client:
        assert (
            client.get_associations(from_object_type="contacts", object_id="101", to_object_type="companies")
            == []
        )
    provider.close()
    stats = requests.get(f"{oauth_server.url}/_emulator/stats", timeout=10).json()
    assert stats["by_endpoint"]["oauth"] == {"200": 1}


def test_the_client_quotes_the_token_endpoints_error(oauth_server: EmulatorServer) -> None:
    provider = OAuthTokenProvider(
        client_id="cid",
        client_secret="csecret",
        refresh_token="revoked-one",
        token_url=oauth_token_url(oauth_server.url),
    )
    with pytest.raises(HubSpotOAuthError) as info:
        provider.token()
    provider.close()
    assert "BAD_REFRESH_TOKEN" in str(info.value)
    assert "missing or unknown refresh token" in str(info.value)
    assert "revoked-one" not in str(info.value)
