"""Connection fields -> client settings, with errors that name the field to fix."""

from __future__ import annotations

import pytest

from airflow_provider_hubassoc.client.errors import HubSpotConfigurationError
from airflow_provider_hubassoc.hooks.connection_config import parse_connection

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
SECRET = "client-secret-do-not-leak"
REFRESH = "refresh-token-do-not-leak"


def test_defaults_for_a_token_only_connection() -> None:
    config = parse_connection(host=None, password=TOKEN, extra={})
    assert config.auth_type == "private_app"
    assert config.access_token == TOKEN
    assert config.settings.base_url == "https://api.hubapi.com"
    assert config.settings.api_version == "2026-03"  # the generally available date version
    assert config.settings.requests_per_10s == 100
    assert config.settings.max_retries == 5
    assert config.settings.timeout == 30.0


@pytest.mark.parametrize(
    ("version", "warned"), [("2025-09", True), ("2026-03", False), ("2026-09", False), ("v4", False)]
)
def test_a_beta_version_is_selectable_with_a_warning(
    version: str, warned: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="airflow_provider_hubassoc.hooks.connection_config")
    config = parse_connection(host=None, password=TOKEN, extra={"api_version": version})
    assert config.settings.api_version == version
    assert ("is a beta" in caplog.text) is warned


def test_uri_form_strings_are_converted() -> None:
    config = parse_connection(
        host="https://eu1.api.example.test/",
        password=TOKEN,
        extra={"api_version": "2026-03", "requests_per_10s": "40", "timeout": "12.5", "max_retries": "0"},
    )
    assert config.settings.base_url == "https://eu1.api.example.test"
    assert config.settings.api_version == "2026-03"
    assert config.settings.requests_per_10s == 40
    assert config.settings.timeout == 12.5
    assert config.settings.max_retries == 0


def test_oauth_connection() -> None:
    config = parse_connection(
        host=None,
        password=None,
        extra={"auth_type": "oauth", "client_id": "cid", "client_secret": SECRET, "refresh_token": REFRESH},
    )
    assert config.auth_type == "oauth"
    assert config.client_id == "cid"
    assert set(config.secrets) == {SECRET, REFRESH}
    assert SECRET not in repr(config)
    assert REFRESH not in repr(config)


@pytest.mark.parametrize(
    ("host", "password", "extra", "names"),
    [
        (None, None, {}, "Private App Access Token"),
        (None, "", {}, "Private App Access Token"),
        (None, TOKEN, {"auth_type": "apikey"}, "auth_type"),
        (None, TOKEN, {"api_version": "v3"}, "api_version"),
        (None, TOKEN, {"requests_per_10s": "fast"}, "requests_per_10s"),
        (None, TOKEN, {"requests_per_10s": 0}, "requests_per_10s"),
        (None, TOKEN, {"max_retries": -1}, "max_retries"),
        (None, TOKEN, {"timeout": "soon"}, "timeout"),
        (None, None, {"auth_type": "oauth", "client_id": "cid"}, "client_secret, refresh_token"),
    ],
    ids=[
        "no-token",
        "empty-token",
        "bad-auth-type",
        "bad-api-version",
        "rate-not-a-number",
        "rate-zero",
        "negative-retries",
        "timeout-not-a-number",
        "oauth-missing-fields",
    ],
)
def test_invalid_connections_say_what_to_fix(host, password, extra, names) -> None:
    with pytest.raises(HubSpotConfigurationError) as excinfo:
        parse_connection(host=host, password=password, extra=extra)
    assert names in str(excinfo.value)
    assert TOKEN not in str(excinfo.value)


def test_plain_http_refused_for_remote_host() -> None:
    with pytest.raises(HubSpotConfigurationError) as excinfo:
        parse_connection(host="http://api.hubapi.com", password=TOKEN, extra={})
    assert "http" in str(excinfo.value).lower()
    assert TOKEN not in str(excinfo.value)


@pytest.mark.parametrize("host", ["http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"])
def test_plain_http_allowed_for_loopback(host: str) -> None:
    config = parse_connection(host=host, password=TOKEN, extra={})
    assert config.settings.base_url == host


def test_uri_form_host_without_scheme_means_https() -> None:
    from airflow.sdk import Connection

    conn = Connection.from_uri(
        "hubassoc://:pat-na1-xyz@api.hubapi.com?requests_per_10s=50&api_version=2026-09", conn_id="x"
    )
    config = parse_connection(host=conn.host, password=conn.password, extra=conn.extra_dejson)
    assert config.settings.base_url == "https://api.hubapi.com"
    assert config.settings.requests_per_10s == 50
    assert config.settings.api_version == "2026-09"
    assert config.access_token == "pat-na1-xyz"
