from __future__ import annotations

import pytest

from airflow_provider_hubassoc.client import ClientSettings, HubSpotConfigurationError, is_loopback_host


def test_defaults() -> None:
    settings = ClientSettings()
    assert settings.base_url == "https://api.hubapi.com"
    assert settings.api_version == "2026-03"  # the first generally available date version
    assert settings.requests_per_10s == 100
    assert settings.timeout == 30.0
    assert settings.max_retries == 5
    assert settings.user_agent.startswith("airflow-provider-hubassoc/")


@pytest.mark.parametrize("version", ["v4", "2025-09", "2026-03", "2026-09"])
def test_known_api_versions_are_accepted(version: str) -> None:
    assert ClientSettings(api_version=version).api_version == version


def test_unknown_api_version_lists_valid_ones() -> None:
    with pytest.raises(HubSpotConfigurationError) as info:
        ClientSettings(api_version="v3")
    assert "v4" in str(info.value)
    assert "2026-09" in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("requests_per_10s", 0),
        ("requests_per_10s", -5),
        ("requests_per_10s", 1.5),
        ("timeout", 0),
        ("timeout", -1.0),
        ("max_retries", -1),
        ("user_agent", ""),
        ("user_agent", "x\r\nX-Injected: 1"),
    ],
)
def test_bad_numbers_and_user_agent_are_refused(field: str, value: object) -> None:
    with pytest.raises(HubSpotConfigurationError, match=field):
        ClientSettings(**{field: value})  # type: ignore[arg-type]


def test_zero_retries_is_allowed() -> None:
    assert ClientSettings(max_retries=0).max_retries == 0


@pytest.mark.parametrize(
    "url", ["http://api.hubapi.com", "http://10.0.0.5:8080", "http://example.localhost.com"]
)
def test_plain_http_to_a_remote_host_is_refused_with_the_reason(url: str) -> None:
    with pytest.raises(HubSpotConfigurationError) as info:
        ClientSettings(base_url=url)
    message = str(info.value)
    assert "clear" in message
    assert "https" in message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8099",
        "http://127.8.9.10",
        "http://localhost:8099/",
        "http://[::1]:8099",
        "http://LOCALHOST",
    ],
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert ClientSettings(base_url=url).base_url == url.rstrip("/")


def test_https_is_accepted_and_trailing_slash_trimmed() -> None:
    assert ClientSettings(base_url="https://proxy.example.com/hubspot/").base_url == (
        "https://proxy.example.com/hubspot"
    )


@pytest.mark.parametrize(
    "url", ["ftp://api.hubapi.com", "api.hubapi.com", "https://user:pw@api.hubapi.com", "https://h/?a=1"]
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(HubSpotConfigurationError):
        ClientSettings(base_url=url)


def test_settings_are_frozen_and_keyword_only() -> None:
    settings = ClientSettings()
    with pytest.raises(AttributeError):
        settings.timeout = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        ClientSettings("https://api.hubapi.com")  # type: ignore[misc]


def test_is_loopback_host() -> None:
    assert is_loopback_host("127.0.0.1")
    assert is_loopback_host("::1")
    assert is_loopback_host("localhost")
    assert not is_loopback_host("128.0.0.1")
    assert not is_loopback_host("localhost.example.com")


def test_a_non_positive_pace_quotes_the_associations_guides_limits() -> None:
    with pytest.raises(HubSpotConfigurationError) as info:
        ClientSettings(requests_per_10s=0)
    message = str(info.value)
    assert "100" in message
    assert "150" in message
    assert "at most 200" in message
    assert "250" not in message
