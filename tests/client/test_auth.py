from __future__ import annotations

import logging
from urllib.parse import parse_qs

import pytest
import requests
import responses

from airflow_provider_hubassoc.client import (
    BearerAuth,
    FakeClock,
    HubSpotConfigurationError,
    HubSpotOAuthError,
    OAuthTokenProvider,
    StaticTokenProvider,
    oauth_token_url,
)

TOKEN_URL = "https://api.hubapi.com/oauth/2026-03/token"
CLIENT_SECRET = "client-SECRET-5f3c"
REFRESH_TOKEN = "refresh-SECRET-aa11"
ROTATED_REFRESH = "refresh-SECRET-ROTATED-bb22"


def provider(clock: FakeClock, **kwargs: object) -> OAuthTokenProvider:
    return OAuthTokenProvider(
        client_id="client-id-1",
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        clock=clock,
        **kwargs,  # type: ignore[arg-type]
    )


def form(call: responses.Call) -> dict[str, list[str]]:
    body = call.request.body
    assert isinstance(body, str)
    return parse_qs(body)


def test_static_provider_hides_its_token() -> None:
    static = StaticTokenProvider(token=" pat-na1-SECRET ")
    assert static.token() == "pat-na1-SECRET"
    assert "SECRET" not in repr(static)
    assert "SECRET" not in repr(BearerAuth(static))
    with pytest.raises(HubSpotConfigurationError):
        StaticTokenProvider(token="  ")


def test_bearer_auth_sets_the_header() -> None:
    request = requests.Request("GET", "https://api.hubapi.com/x").prepare()
    BearerAuth(StaticTokenProvider(token="pat-1"))(request)
    assert request.headers["Authorization"] == "Bearer pat-1"


def test_oauth_token_url() -> None:
    assert oauth_token_url() == TOKEN_URL
    assert oauth_token_url("http://127.0.0.1:8099/") == "http://127.0.0.1:8099/oauth/2026-03/token"
    with pytest.raises(HubSpotConfigurationError):
        oauth_token_url("http://hubspot.example.com")


def test_refresh_is_form_encoded_and_cached_until_shortly_before_expiry(rsps: responses.RequestsMock) -> None:
    clock = FakeClock()
    seen: list[str] = []
    rsps.add(
        responses.POST,
        TOKEN_URL,
        json={"access_token": "access-1", "expires_in": 1800, "refresh_token": REFRESH_TOKEN},
    )
    oauth = provider(clock, on_new_token=seen.append)
    assert oauth.token() == "access-1"
    assert oauth.token() == "access-1"
    assert len(rsps.calls) == 1
    call = rsps.calls[0]
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form(call) == {
        "grant_type": ["refresh_token"],
        "client_id": ["client-id-1"],
        "client_secret": [CLIENT_SECRET],
        "refresh_token": [REFRESH_TOKEN],
    }
    clock.advance(1739)
    assert oauth.token() == "access-1"
    assert len(rsps.calls) == 1
    rsps.replace(responses.POST, TOKEN_URL, json={"access_token": "access-2", "expires_in": 1800})
    clock.advance(1)  # 60 s before expiry: refresh
    assert oauth.token() == "access-2"
    assert len(rsps.calls) == 2
    assert seen == ["access-1", "access-2"]


def test_rotated_refresh_token_is_used_next_time(rsps: responses.RequestsMock) -> None:
    clock = FakeClock()
    rsps.add(
        responses.POST,
        TOKEN_URL,
        json={"access_token": "a1", "expires_in": 100, "refresh_token": ROTATED_REFRESH},
    )
    oauth = provider(clock)
    oauth.token()
    clock.advance(100)
    rsps.replace(responses.POST, TOKEN_URL, json={"access_token": "a2", "expires_in": 100})
    assert oauth.token() == "a2"
    assert form(rsps.calls[1])["refresh_token"] == [ROTATED_REFRESH]
    assert ROTATED_REFRESH not in repr(oauth)


def test_short_lifetime_uses_ten_percent_margin(rsps: responses.RequestsMock) -> None:
    clock = FakeClock()
    rsps.add(responses.POST, TOKEN_URL, json={"access_token": "a1", "expires_in": 100})
    oauth = provider(clock)
    oauth.token()
    clock.advance(89)
    oauth.token()
    assert len(rsps.calls) == 1
    clock.advance(1)
    oauth.token()
    assert len(rsps.calls) == 2


def test_invalidate_forces_a_refresh(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.POST, TOKEN_URL, json={"access_token": "a1", "expires_in": 1800})
    oauth = provider(FakeClock())
    oauth.token()
    oauth.invalidate()
    oauth.token()
    assert len(rsps.calls) == 2


def test_failure_quotes_hubspot_but_never_the_secrets(
    rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rsps.add(
        responses.POST,
        TOKEN_URL,
        status=400,
        json={
            "status": "BAD_REFRESH_TOKEN",
            "message": f"missing or invalid refresh token {REFRESH_TOKEN}",
            "correlationId": "corr-1",
        },
    )
    oauth = provider(FakeClock())
    with pytest.raises(HubSpotOAuthError) as info:
        oauth.token()
    text = str(info.value)
    assert "missing or invalid refresh token" in text
    assert "BAD_REFRESH_TOKEN" in text
    assert "corr-1" in text
    for secret in (CLIENT_SECRET, REFRESH_TOKEN):
        assert secret not in text
        assert secret not in repr(info.value)
        assert secret not in repr(oauth)
        assert secret not in caplog.text


def test_oauth2_style_error_and_missing_access_token(rsps: responses.RequestsMock) -> None:
    rsps.add(
        responses.POST, TOKEN_URL, status=400, json={"error": "invalid_grant", "error_description": "revoked"}
    )
    with pytest.raises(HubSpotOAuthError, match="revoked"):
        provider(FakeClock()).token()
    rsps.replace(responses.POST, TOKEN_URL, json={"token_type": "bearer"})
    with pytest.raises(HubSpotOAuthError, match="without an access_token"):
        provider(FakeClock()).token()


def test_unreachable_token_endpoint(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.POST, TOKEN_URL, body=requests.exceptions.ConnectionError("Connection refused"))
    with pytest.raises(HubSpotOAuthError, match="Could not reach") as info:
        provider(FakeClock()).token()
    assert CLIENT_SECRET not in str(info.value)


def test_credentials_must_be_present() -> None:
    with pytest.raises(HubSpotConfigurationError, match="client secret"):
        OAuthTokenProvider(client_id="a", client_secret="", refresh_token="r")
    with pytest.raises(HubSpotConfigurationError, match="plain http"):
        OAuthTokenProvider(
            client_id="a", client_secret="s", refresh_token="r", token_url="http://x.example/t"
        )
