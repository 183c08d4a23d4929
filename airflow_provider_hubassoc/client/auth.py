"""Where access tokens come from: a private app's static token, or an OAuth refresh token.

Secrets never appear in ``repr``, log lines or exception text.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol, runtime_checkable

import requests
from requests.auth import AuthBase

from airflow_provider_hubassoc.client.clock import Clock, SystemClock
from airflow_provider_hubassoc.client.errors import HubSpotConfigurationError, HubSpotError, HubSpotOAuthError
from airflow_provider_hubassoc.client.settings import DEFAULT_BASE_URL, ensure_secure_url
from airflow_provider_hubassoc.client.wire import (
    AttemptDeadlineExceeded,
    body_or_text,
    bounded_session,
    decode_json,
    send,
)

logger = logging.getLogger(__name__)

#: HubSpot's date-versioned token endpoint (``PublicApiSpecs/Auth/Oauth/Rollouts/279897/2026-03/oauth.json``:
#: form-encoded ``grant_type``, ``client_id``, ``client_secret``, ``refresh_token``, as v1 took them).
#: ``/oauth/v1/token`` is sunset on 2027-02-16 and is never called.
OAUTH_TOKEN_PATH: Final = "/oauth/2026-03/token"
#: Refresh this long before ``expires_in`` runs out (or 10 % of the lifetime, when shorter).
DEFAULT_REFRESH_MARGIN_SECONDS: Final = 60.0
#: Lifetime assumed when HubSpot's answer carries no usable ``expires_in``.
FALLBACK_TOKEN_LIFETIME_SECONDS: Final = 300.0
_REDACTED: Final = "***"
#: What an issued access token may contain (RFC 6750 ``b64token``): anything else (CR/LF, spaces,
#: non-ASCII) could split or corrupt the ``Authorization`` header, and is refused.
_TOKEN_CHARACTERS: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
#: Access tokens issued by one provider that stay scrubbed from text (the current and recent ones).
_REMEMBERED_TOKENS: Final = 8


def oauth_token_url(base_url: str = DEFAULT_BASE_URL) -> str:
    """Return ``{base_url}/oauth/2026-03/token``.

    :param base_url: the API root (https, or http to a loopback host).
    """
    return ensure_secure_url(base_url) + OAUTH_TOKEN_PATH


def redact(text: str, secrets: tuple[str | None, ...]) -> str:
    """Return ``text`` with every non-empty secret replaced by ``***``.

    :param text: any text that may quote a secret.
    :param secrets: the values to hide.
    """
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return text


def _check_secret(value: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise HubSpotConfigurationError(f"{what} must not be empty.")
    if any(ch in value for ch in "\r\n"):
        raise HubSpotConfigurationError(f"{what} must be a single line.")
    return value.strip()


def provider_secrets(provider: object) -> tuple[str, ...]:
    """Return every secret a token provider holds or issued (to scrub from text), or none.

    :param provider: a :class:`TokenProvider`; one without a ``secrets`` method holds none known.
    """
    secrets = getattr(provider, "secrets", None)
    return tuple(secret for secret in secrets() if secret) if callable(secrets) else ()


@runtime_checkable
class TokenProvider(Protocol):
    """Anything that can hand out a current access token."""

    def token(self) -> str:
        """Return a valid access token (may block to refresh it)."""
        ...


class StaticTokenProvider:
    """A private app's access token, which does not expire.

    :param token: the access token (``pat-...``).
    :raises HubSpotConfigurationError: when the token is empty or spans lines.
    """

    def __init__(self, *, token: str) -> None:
        self._token = _check_secret(token, "The private-app access token")

    def token(self) -> str:
        """Return the token."""
        return self._token

    def secrets(self) -> tuple[str, ...]:
        """The token, to scrub from any text that leaves the client."""
        return (self._token,)

    def __repr__(self) -> str:
        return "StaticTokenProvider(token=***)"


class OAuthTokenProvider:
    """Access tokens from HubSpot's OAuth refresh-token exchange, cached until shortly before expiry.

    Nothing is fetched at construction; the first :meth:`token` call does the exchange.
    Thread-safe: concurrent callers share one refresh.

    :param client_id: the OAuth app's client id.
    :param client_secret: the OAuth app's client secret.
    :param refresh_token: the portal's refresh token.
    :param token_url: the token endpoint, by default ``https://api.hubapi.com/oauth/2026-03/token``
        (see :func:`oauth_token_url`).
    :param session: the HTTP session to post with (share the transport's); one is created if omitted.
    :param clock: the clock used for expiry.
    :param timeout: the exchange's total deadline in seconds (connect, headers and body).
    :param on_new_token: called with each new access token (e.g. to mask it in logs).
    :param refresh_margin_seconds: refresh this long before expiry (capped at 10 % of the lifetime).
    :raises HubSpotConfigurationError: when a credential is empty or the URL is unsafe.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        token_url: str | None = None,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        timeout: float = 30.0,
        on_new_token: Callable[[str], None] | None = None,
        refresh_margin_seconds: float = DEFAULT_REFRESH_MARGIN_SECONDS,
    ) -> None:
        self._client_id = _check_secret(client_id, "The OAuth client id")
        self._client_secret = _check_secret(client_secret, "The OAuth client secret")
        self._refresh_token = _check_secret(refresh_token, "The OAuth refresh token")
        self._token_url = ensure_secure_url(token_url or oauth_token_url(), what="token_url")
        self._owns_session = session is None
        self._session = session or bounded_session()
        self._clock: Clock = clock or SystemClock()
        if timeout <= 0:
            raise HubSpotConfigurationError(f"timeout must be positive, got {timeout!r}.")
        self._timeout = timeout
        self._on_new_token = on_new_token
        self._margin = max(0.0, refresh_margin_seconds)
        self._access_token: str | None = None
        self._valid_until = 0.0
        self._issued: list[str] = []
        self._retired_refresh_tokens: list[str] = []
        self._lock = threading.Lock()

    @property
    def token_url(self) -> str:
        """The token endpoint."""
        return self._token_url

    def secrets(self) -> tuple[str, ...]:
        """The client secret, the refresh tokens and the recently issued access tokens.

        Every one is scrubbed from any text that leaves the client (answers, errors, logs). No lock:
        the lists are replaced, never changed in place, so a reader sees a consistent one, and
        scrubbing never waits for a refresh in progress.
        """
        return (self._client_secret, self._refresh_token, *self._retired_refresh_tokens, *self._issued)

    def token(self) -> str:
        """Return the cached access token, refreshing it first when it is (nearly) expired.

        :raises HubSpotOAuthError: when the exchange fails; the message quotes HubSpot, never a secret.
        """
        with self._lock:
            if self._access_token is not None and self._clock.monotonic() < self._valid_until:
                return self._access_token
            return self._refresh()

    def invalidate(self) -> None:
        """Forget the cached access token, so the next :meth:`token` call refreshes it."""
        with self._lock:
            self._access_token = None
            self._valid_until = 0.0

    def _refresh(self) -> str:
        form = {
            "grant_type": "refresh_token",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "refresh_token": self._refresh_token,
        }
        started = self._clock.monotonic()
        what = f"POST {self._token_url}"
        try:
            answer = send(
                self._session,
                "POST",
                self._token_url,
                deadline_seconds=self._timeout,
                what=what,
                data=form,
                headers={"Accept": "application/json"},
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            why = (
                f"no complete answer within {self._timeout:g} s"
                if isinstance(exc, AttemptDeadlineExceeded)
                else f"{type(exc).__name__}: {exc}"
            )
            raise HubSpotOAuthError(
                f"Could not reach HubSpot's OAuth token endpoint {self._token_url}: "
                f"{redact(why, self.secrets())}"
            ) from None
        except HubSpotError as error:
            raise HubSpotOAuthError(redact(error.message, self.secrets()), status=error.status) from None
        if answer.status != 200:
            raise self._failure(answer.status, body_or_text(answer.content, what=what, status=answer.status))
        try:
            body = decode_json(answer.content, what=what, status=200)
        except HubSpotError as error:
            raise HubSpotOAuthError(redact(error.message, self.secrets()), status=200) from None
        data: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
        access_token = data.get("access_token")
        if not isinstance(access_token, str) or not access_token.strip():
            raise HubSpotOAuthError(
                "HubSpot's OAuth token endpoint answered 200 without an access_token.", status=200
            )
        if _TOKEN_CHARACTERS.fullmatch(access_token.strip()) is None:
            raise HubSpotOAuthError(
                "HubSpot's OAuth token endpoint answered 200 with an access_token containing characters "
                "a bearer token cannot have (line breaks, spaces or non-ASCII); refusing it.",
                status=200,
            )
        rotated = data.get("refresh_token")
        if isinstance(rotated, str) and rotated.strip() and rotated != self._refresh_token:
            logger.info("HubSpot rotated the OAuth refresh token; using the new one from now on")
            self._retired_refresh_tokens = [*self._retired_refresh_tokens, self._refresh_token][
                -_REMEMBERED_TOKENS:
            ]
            self._refresh_token = rotated.strip()
        lifetime = _lifetime(data.get("expires_in"))
        margin = min(self._margin, lifetime * 0.1)
        self._access_token = access_token.strip()
        self._issued = [*self._issued, self._access_token][-_REMEMBERED_TOKENS:]
        self._valid_until = started + lifetime - margin
        logger.debug("Obtained a HubSpot OAuth access token valid for %.0f s", lifetime)
        if self._on_new_token is not None:
            self._on_new_token(self._access_token)
        return self._access_token

    def _failure(self, status: int, body: object) -> HubSpotOAuthError:
        data: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
        # HubSpot's Error shape (category, subCategory, message; what the 2026-03 spec and docs show)
        # or the OAuth 2.0 form (error, error_description); v1's "status" held the reason too.
        status_field = data.get("status")
        reason = (
            data.get("subCategory")
            or data.get("error")
            or (status_field if status_field not in (None, "", "error") else None)
            or data.get("category")
        )
        said = data.get("message") or data.get("error_description") or ""
        if not said and isinstance(body, str):
            said = body
        said = redact(str(said), self.secrets())
        reason_text = f" ({redact(str(reason), self.secrets())})" if reason else ""
        return HubSpotOAuthError(
            f"HubSpot refused the OAuth refresh-token exchange{reason_text}: {said or 'no message'}. "
            "Check the OAuth app's client id and client secret, and that the refresh token belongs to "
            "this app and has not been revoked (re-authorize the app to get a new one).",
            status=status,
            category=str(reason) if reason else None,
            correlation_id=str(data["correlationId"]) if data.get("correlationId") else None,
        )

    def close(self) -> None:
        """Close the HTTP session, if this provider created it."""
        if self._owns_session:
            self._session.close()

    def __repr__(self) -> str:
        return (
            f"OAuthTokenProvider(client_id={self._client_id!r}, token_url={self._token_url!r}, secrets=***)"
        )


def _lifetime(value: object) -> float:
    if isinstance(value, bool):
        return FALLBACK_TOKEN_LIFETIME_SECONDS
    if isinstance(value, int | float) and value > 0:
        return float(value)
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return float(value)
    return FALLBACK_TOKEN_LIFETIME_SECONDS


class BearerAuth(AuthBase):
    """``requests`` auth that sets ``Authorization: Bearer <token>`` from a :class:`TokenProvider`.

    :param provider: where the token comes from; asked on every request.
    """

    def __init__(self, provider: TokenProvider) -> None:
        self.provider = provider
        self._last_token: str | None = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Set the ``Authorization`` header on ``request``.

        :param request: the request about to be sent.
        """
        token = self.provider.token()
        self._last_token = token
        request.headers["Authorization"] = f"Bearer {token}"
        return request

    @property
    def last_token(self) -> str | None:
        """The last token applied, so callers can scrub it from text; never shown in ``repr``."""
        return self._last_token

    def __repr__(self) -> str:
        return f"BearerAuth(provider={self.provider!r})"
