"""Turn the fields of a ``hubassoc`` connection into client settings (pure; shared by both hooks).

The sync and the async hook read the same connection layout, so the parsing and its error
messages live here once. Values from a URI-form connection arrive as strings; they are converted
and checked here, and every error says which field to fix. No error text contains a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from airflow_provider_hubassoc.client.auth import (
    OAuthTokenProvider,
    StaticTokenProvider,
    TokenProvider,
    oauth_token_url,
)
from airflow_provider_hubassoc.client.errors import HubSpotConfigurationError
from airflow_provider_hubassoc.client.paths import BETA_API_VERSIONS, DEFAULT_API_VERSION
from airflow_provider_hubassoc.client.settings import ClientSettings
from airflow_provider_hubassoc.provider_info import (
    API_VERSIONS,
    AUTH_TYPES,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_REQUESTS_PER_10S,
    DEFAULT_TIMEOUT_SECONDS,
)

log = logging.getLogger(__name__)

KNOWN_EXTRA_FIELDS = frozenset(
    {
        "auth_type",
        "client_id",
        "client_secret",
        "refresh_token",
        "api_version",
        "requests_per_10s",
        "timeout",
        "max_retries",
    }
)


@dataclass(frozen=True)
class HubSpotConnectionConfig:
    """Everything a client needs, read from one Airflow connection.

    :param settings: the client settings (base URL, API version, pacing, timeout, retries).
    :param auth_type: ``"private_app"`` or ``"oauth"``.
    :param access_token: the private-app token (``private_app`` only).
    :param client_id: the OAuth app's client id (``oauth`` only).
    :param client_secret: the OAuth app's client secret (``oauth`` only).
    :param refresh_token: the OAuth refresh token (``oauth`` only).
    """

    settings: ClientSettings
    auth_type: str
    access_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret values of this connection, for masking in logs."""
        values = (self.access_token, self.client_secret, self.refresh_token)
        return tuple(value for value in values if value)


def _optional_text(extra: Mapping[str, Any], key: str) -> str | None:
    value = extra.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(extra: Mapping[str, Any], key: str, default: float, *, integer: bool, minimum: float) -> Any:
    raw = extra.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    try:
        value = int(str(raw).strip()) if integer else float(str(raw).strip())
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise HubSpotConfigurationError(
            f"Connection extra '{key}' must be {kind}, got {raw!r}; fix it in the connection's extras."
        ) from None
    if value < minimum:
        raise HubSpotConfigurationError(
            f"Connection extra '{key}' must be at least {minimum:g}, got {value}; fix it in the connection."
        )
    return value


def _base_url(host: str | None) -> str:
    """Return the base URL; a bare host name (as a URI-form connection gives) means HTTPS."""
    text = (host or "").strip()
    if not text:
        return DEFAULT_BASE_URL
    if "://" not in text:
        text = f"https://{text}"
    return text.rstrip("/")


def parse_connection(
    *, host: str | None, password: str | None, extra: Mapping[str, Any]
) -> HubSpotConnectionConfig:
    """Build a :class:`HubSpotConnectionConfig` from a connection's fields.

    :param host: the connection's host: an optional base URL with its scheme.
    :param password: the private-app access token.
    :param extra: the connection's extras (already decoded from JSON).
    :raises HubSpotConfigurationError: when a field is missing or invalid; the message names it.
    """
    auth_type = (_optional_text(extra, "auth_type") or "private_app").lower()
    if auth_type not in AUTH_TYPES:
        raise HubSpotConfigurationError(
            f"Connection extra 'auth_type' must be one of {', '.join(AUTH_TYPES)}; got {auth_type!r}."
        )
    api_version = _optional_text(extra, "api_version") or DEFAULT_API_VERSION
    if api_version not in API_VERSIONS:
        raise HubSpotConfigurationError(
            f"Connection extra 'api_version' must be one of {', '.join(API_VERSIONS)}; got {api_version!r}."
        )
    if api_version in BETA_API_VERSIONS:
        log.warning(
            "HubSpot API version %s is a beta; prefer %s, the generally available version.",
            api_version,
            DEFAULT_API_VERSION,
        )
    settings = ClientSettings(
        base_url=_base_url(host),
        api_version=api_version,
        requests_per_10s=_number(
            extra, "requests_per_10s", DEFAULT_REQUESTS_PER_10S, integer=True, minimum=1
        ),
        timeout=_number(extra, "timeout", DEFAULT_TIMEOUT_SECONDS, integer=False, minimum=0.001),
        max_retries=_number(extra, "max_retries", DEFAULT_MAX_RETRIES, integer=True, minimum=0),
    )
    if auth_type == "private_app":
        token = (password or "").strip()
        if not token:
            raise HubSpotConfigurationError(
                "The connection has no Private App Access Token (password). Paste the private app's "
                "access token, or set extra 'auth_type' to 'oauth' with client_id, client_secret "
                "and refresh_token."
            )
        return HubSpotConnectionConfig(settings=settings, auth_type=auth_type, access_token=token)
    oauth_values = {
        key: _optional_text(extra, key) for key in ("client_id", "client_secret", "refresh_token")
    }
    missing = [key for key, value in oauth_values.items() if not value]
    if missing:
        raise HubSpotConfigurationError(
            f"OAuth connections need the extras client_id, client_secret and refresh_token; "
            f"missing: {', '.join(missing)}."
        )
    return HubSpotConnectionConfig(
        settings=settings,
        auth_type=auth_type,
        client_id=oauth_values["client_id"],
        client_secret=oauth_values["client_secret"],
        refresh_token=oauth_values["refresh_token"],
    )


def read_connection(
    *,
    conn_id: str,
    host: str | None,
    password: str | None,
    extra: Mapping[str, Any],
    requests_per_10s: int | None = None,
    max_retries: int | None = None,
) -> HubSpotConnectionConfig:
    """Parse a connection as both hooks do: warn about unused extras, then apply task overrides.

    :param conn_id: the connection id (named in the warning).
    :param host: the connection's host.
    :param password: the connection's password (the private-app token).
    :param extra: the connection's extras.
    :param requests_per_10s: the task's share of the portal's limit, overriding the connection's.
    :param max_retries: overrides the connection's ``max_retries``.
    :raises HubSpotConfigurationError: when a field is missing or invalid.
    """
    unknown = sorted(set(extra) - KNOWN_EXTRA_FIELDS)
    if unknown:
        log.warning(
            "Connection %s has extras this provider does not use (ignored, never sent): %s",
            conn_id,
            ", ".join(unknown),
        )
    config = parse_connection(host=host, password=password, extra=extra)
    overrides: dict[str, Any] = {}
    if requests_per_10s is not None:
        overrides["requests_per_10s"] = requests_per_10s
    if max_retries is not None:
        overrides["max_retries"] = max_retries
    if overrides:
        config = replace(config, settings=replace(config.settings, **overrides))
    return config


def build_token_provider(
    config: HubSpotConnectionConfig,
    settings: ClientSettings,
    *,
    on_new_token: Callable[[str], None] | None = None,
    session: requests.Session | None = None,
) -> TokenProvider:
    """Return the token provider of a parsed connection (no I/O; nothing is fetched yet).

    :param config: the parsed connection.
    :param settings: the client settings (base URL of the OAuth token endpoint, timeout).
    :param on_new_token: called with each new OAuth access token (to mask it in logs).
    :param session: the HTTP session for the OAuth token exchange (share the client's pool).
    """
    if config.auth_type == "oauth":
        return OAuthTokenProvider(
            client_id=config.client_id or "",
            client_secret=config.client_secret or "",
            refresh_token=config.refresh_token or "",
            token_url=oauth_token_url(settings.base_url),
            timeout=settings.timeout,
            on_new_token=on_new_token,
            session=session,
        )
    return StaticTokenProvider(token=config.access_token or "")
