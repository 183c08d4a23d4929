"""Everything one running emulator holds: config, portal state, limiter, faults, stats, OAuth tokens."""

from __future__ import annotations

import collections
import hmac
import secrets
import threading
import time
from dataclasses import fields
from typing import Any

from airflow_provider_hubassoc.emulator.config import EmulatorConfig
from airflow_provider_hubassoc.emulator.faults import FaultInjector
from airflow_provider_hubassoc.emulator.ratelimit import RateLimiter, SearchLimiter
from airflow_provider_hubassoc.emulator.seed import load_seed
from airflow_provider_hubassoc.emulator.state import EmulatorError, Portal

#: Fields ``POST /_emulator/config`` may change at runtime.
RUNTIME_FIELDS = frozenset(
    {
        "requests_per_10s",
        "daily_limit",
        "search_requests_per_second",
        "retry_after",
        "faults",
        "fault_seed",
        "fault_delay_seconds",
        "page_size",
        "label_writes",
        "auto_create_records",
    }
)
_SECRET_FIELDS = frozenset({"tokens", "oauth_client_secret", "oauth_refresh_token"})

MISSING_AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
    "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


class Stats:
    """Request counters for ``GET /_emulator/stats``.

    ``connections`` counts distinct client ``(host, port)`` pairs (TCP connections) that called the
    HubSpot API or OAuth routes; ``/_emulator`` calls are counted by endpoint but not as connections.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_endpoint: collections.Counter[tuple[str, str]] = collections.Counter()
        self.connections: set[tuple[str, int]] = set()
        self.faults: collections.Counter[str] = collections.Counter()
        self.rate_limited = 0
        self.row_errors = 0

    def record(self, endpoint: str, status: str) -> None:
        """Count one response.

        :param endpoint: Operation name (route name) or ``unknown``.
        :param status: HTTP status as text, or ``reset`` for an aborted connection.
        """
        with self.lock:
            self.by_endpoint[(endpoint, status)] += 1
            if status == "429":
                self.rate_limited += 1

    def snapshot(self) -> dict[str, Any]:
        """JSON view of every counter."""
        with self.lock:
            by_endpoint: dict[str, dict[str, int]] = {}
            by_status: collections.Counter[str] = collections.Counter()
            for (endpoint, status), n in sorted(self.by_endpoint.items()):
                by_endpoint.setdefault(endpoint, {})[status] = n
                by_status[status] += n
            return {
                "total_requests": sum(by_status.values()),
                "by_endpoint": by_endpoint,
                "by_status": dict(sorted(by_status.items())),
                "connections": len(self.connections),
                "rate_limited": self.rate_limited,
                "faults": dict(sorted(self.faults.items())),
                "row_errors": self.row_errors,
            }


class EmulatorRuntime:
    """The mutable world of one emulator instance.

    :param config: Emulator configuration.
    """

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.portal = Portal(config.portal_id, config.effective_auto_create, load_seed(config.seed))
        self.limiter = RateLimiter(config.requests_per_10s, config.daily_limit)
        self.search_limiter = SearchLimiter(config.search_requests_per_second)
        self.faults = FaultInjector(config.faults, config.fault_seed)
        self.stats = Stats()
        self.oauth_tokens: dict[str, float] = {}

    def reset(self) -> None:
        """Portal back to its seed, counters zeroed, fault generator re-seeded (issued tokens survive)."""
        self.portal.reset()
        self.limiter.reset()
        self.search_limiter = SearchLimiter(self.config.search_requests_per_second)
        self.faults = FaultInjector(self.config.faults, self.config.fault_seed)
        self.stats = Stats()

    def reconfigure(self, changes: dict[str, Any]) -> None:
        """Change runtime settings (see :data:`RUNTIME_FIELDS`).

        :param changes: Field names and new values.
        :raises ValueError: For unknown fields or invalid values.
        """
        unknown = set(changes) - RUNTIME_FIELDS
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)} at runtime")
        new = self.config.copy(**changes)
        FaultInjector(new.faults, new.fault_seed)  # validate before applying anything
        self.config = new
        if {"requests_per_10s", "daily_limit"} & set(changes):
            self.limiter = RateLimiter(new.requests_per_10s, new.daily_limit)
        if "search_requests_per_second" in changes:
            self.search_limiter = SearchLimiter(new.search_requests_per_second)
        if {"faults", "fault_seed"} & set(changes):
            self.faults = FaultInjector(new.faults, new.fault_seed)
        self.portal.auto_create = new.effective_auto_create

    def public_config(self) -> dict[str, Any]:
        """The configuration without tokens or secrets."""
        return {
            f.name: getattr(self.config, f.name) for f in fields(self.config) if f.name not in _SECRET_FIELDS
        }

    # ------------------------------------------------------------------ auth

    def authenticate(self, authorization: str | None) -> EmulatorError | None:
        """Check an ``Authorization`` header value.

        :param authorization: The header value, or ``None``.
        :return: ``None`` when accepted, else the 401 error to send.
        """
        if not authorization:
            return EmulatorError(401, MISSING_AUTH_MESSAGE, "INVALID_AUTHENTICATION")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return EmulatorError(401, MISSING_AUTH_MESSAGE, "INVALID_AUTHENTICATION")
        encoded = token.encode()
        if any(hmac.compare_digest(encoded, t.encode()) for t in self.config.tokens):
            return None
        expiry = self.oauth_tokens.get(token)
        if expiry is not None:
            if time.monotonic() < expiry:
                return None
            return EmulatorError(
                401, "The OAuth token used to make this call expired.", "EXPIRED_AUTHENTICATION"
            )
        return EmulatorError(
            401, "Authentication credentials are invalid or have been revoked.", "INVALID_AUTHENTICATION"
        )

    def issue_token(self, client_id: str, client_secret: str, refresh_token: str) -> dict[str, Any]:
        """Exchange a refresh token for a new access token.

        :param client_id: OAuth client id.
        :param client_secret: OAuth client secret.
        :param refresh_token: Refresh token.
        :return: ``AccessTokenResponse`` body.
        :raises EmulatorError: 400 with ``category`` set to the OAuth status (``BAD_CLIENT_ID``...).
        """
        cfg = self.config
        if not cfg.oauth_enabled:
            raise EmulatorError(400, "OAuth is not configured on this emulator.", "BAD_CLIENT_ID")
        assert cfg.oauth_client_id is not None
        assert cfg.oauth_client_secret is not None
        assert cfg.oauth_refresh_token is not None
        if not hmac.compare_digest(client_id.encode(), cfg.oauth_client_id.encode()):
            raise EmulatorError(400, "missing or invalid client_id", "BAD_CLIENT_ID")
        if not hmac.compare_digest(client_secret.encode(), cfg.oauth_client_secret.encode()):
            raise EmulatorError(400, "missing or invalid client_secret", "BAD_CLIENT_SECRET")
        if not hmac.compare_digest(refresh_token.encode(), cfg.oauth_refresh_token.encode()):
            raise EmulatorError(400, "missing or unknown refresh token", "BAD_REFRESH_TOKEN")
        now = time.monotonic()
        self.oauth_tokens = {t: exp for t, exp in self.oauth_tokens.items() if exp > now}
        token = "emu-" + secrets.token_urlsafe(48)
        self.oauth_tokens[token] = now + cfg.oauth_token_lifetime
        return {
            "access_token": token,
            "refresh_token": cfg.oauth_refresh_token,
            "expires_in": cfg.oauth_token_lifetime,
            "token_type": "bearer",
            "hub_id": cfg.portal_id,
        }
