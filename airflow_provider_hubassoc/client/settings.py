"""Client settings: where HubSpot is, which API version, how fast, how patient.

Settings hold no secret; tokens live in :mod:`airflow_provider_hubassoc.client.auth`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from airflow_provider_hubassoc import __version__
from airflow_provider_hubassoc.client.errors import HubSpotConfigurationError
from airflow_provider_hubassoc.client.paths import (
    DEFAULT_API_VERSION,
    VALID_API_VERSIONS,
    validate_api_version,
)

DEFAULT_BASE_URL: Final = "https://api.hubapi.com"
DEFAULT_USER_AGENT: Final = f"airflow-provider-hubassoc/{__version__}"
LOOPBACK_HOSTNAMES: Final[frozenset[str]] = frozenset({"localhost", "localhost."})


def is_loopback_host(host: str) -> bool:
    """Tell whether ``host`` is this machine (``localhost``, ``127.0.0.0/8`` or ``::1``).

    :param host: a host name or IP address, without brackets or port.
    """
    host = host.strip().lower()
    if host in LOOPBACK_HOSTNAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ensure_secure_url(url: str, *, what: str = "base_url") -> str:
    """Return ``url`` without a trailing slash when it is safe to send a token to.

    HTTPS is always accepted. Plain HTTP is accepted only to a loopback host (the local emulator):
    anywhere else the token would travel in clear.

    :param url: an absolute ``http`` or ``https`` URL.
    :param what: the setting's name, quoted in error messages.
    :raises HubSpotConfigurationError: when the URL is malformed, uses another scheme, carries
        credentials, or is plain HTTP to a non-loopback host.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError as exc:
        raise HubSpotConfigurationError(f"{what} {url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise HubSpotConfigurationError(
            f"{what} {url!r} must be an absolute http(s) URL such as {DEFAULT_BASE_URL!r}."
        )
    if parts.username is not None or parts.password is not None:
        raise HubSpotConfigurationError(
            f"{what} must not carry credentials in the URL; put the token in the connection's password."
        )
    if parts.query or parts.fragment:
        raise HubSpotConfigurationError(f"{what} {url!r} must not have a query string or fragment.")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise HubSpotConfigurationError(
            f"{what} {url!r} uses plain http to a non-loopback host, so the access token would travel "
            f"in clear text. Use https (e.g. {DEFAULT_BASE_URL!r}); plain http is allowed only to "
            "localhost, 127.0.0.0/8 or ::1 (a local emulator)."
        )
    return url.strip().rstrip("/")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientSettings:
    """How the client talks to HubSpot.

    :param base_url: the API root; https, or plain http to a loopback host only.
    :param api_version: a date version (``"2026-03"``, the default; ``"2025-09"``, ``"2026-09"``) or
        ``"v4"``.
    :param requests_per_10s: the client-side pace, requests per rolling 10 seconds (per client).
    :param timeout: seconds to wait to connect, and again to read a response.
    :param max_retries: retries after the first attempt for transient failures (0 disables them).
    :param user_agent: the ``User-Agent`` header.
    :raises HubSpotConfigurationError: when a value is unusable (see :func:`ensure_secure_url`).
    """

    base_url: str = DEFAULT_BASE_URL
    api_version: str = DEFAULT_API_VERSION
    requests_per_10s: int = 100
    timeout: float = 30.0
    max_retries: int = 5
    user_agent: str = DEFAULT_USER_AGENT

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", ensure_secure_url(self.base_url, what="base_url"))
        self.validate()

    def validate(self) -> None:
        """Check every value.

        :raises HubSpotConfigurationError: with a message saying which value is wrong and why.
        """
        ensure_secure_url(self.base_url, what="base_url")
        if self.api_version not in VALID_API_VERSIONS:
            validate_api_version(self.api_version)
        if isinstance(self.requests_per_10s, bool) or not isinstance(self.requests_per_10s, int):
            raise HubSpotConfigurationError(
                f"requests_per_10s must be a whole number, got {self.requests_per_10s!r}."
            )
        if self.requests_per_10s <= 0:
            raise HubSpotConfigurationError(
                f"requests_per_10s must be positive, got {self.requests_per_10s}; HubSpot's associations "
                "guide allows private apps 100 requests per 10 seconds (Free/Starter), 150 "
                "(Professional/Enterprise) and at most 200 with the API limit increase."
            )
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, int | float) or self.timeout <= 0:
            raise HubSpotConfigurationError(
                f"timeout must be a positive number of seconds, got {self.timeout!r}."
            )
        if (
            isinstance(self.max_retries, bool)
            or not isinstance(self.max_retries, int)
            or self.max_retries < 0
        ):
            raise HubSpotConfigurationError(
                f"max_retries must be zero or a positive whole number, got {self.max_retries!r}."
            )
        if not self.user_agent.strip() or any(ch in self.user_agent for ch in "\r\n"):
            raise HubSpotConfigurationError("user_agent must be a non-empty single line.")
