"""One pooled HTTP session to HubSpot: auth, pacing, timeouts, JSON, retries and typed errors.

Retries use tenacity, sleeping on the injected clock, so tests never sleep for real.

What is retried:

* 429 ``TEN_SECONDLY_ROLLING`` (or any 429 other than ``DAILY``): wait ``Retry-After`` when sent,
  else 10 s x attempt (capped); every caller of the shared limiter pauses too.
* 5xx, connection errors (refused, reset, timed out, broken mid-body): exponential back-off.

What is not: 429 ``DAILY`` (:class:`~.errors.HubSpotDailyLimitError` at once), 400, 401, 403, 404
and any other 4xx (their typed errors at once). After the last retry, the transient error of the
last attempt is raised, with HubSpot's last message and correlation id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Literal

import requests
import tenacity
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from airflow_provider_hubassoc.client.auth import BearerAuth, TokenProvider, redact
from airflow_provider_hubassoc.client.clock import Clock, SystemClock
from airflow_provider_hubassoc.client.errors import (
    HubSpotConfigurationError,
    HubSpotConnectionError,
    HubSpotError,
    HubSpotTransientError,
)
from airflow_provider_hubassoc.client.ratelimit import RateLimiter
from airflow_provider_hubassoc.client.responses import (
    correlation_id,
    error_from_response,
    rate_limit_policy,
    retry_after_seconds,
)
from airflow_provider_hubassoc.client.retrypolicy import (
    NON_IDEMPOTENT_RETRYABLE_STATUSES as NON_IDEMPOTENT_RETRYABLE_STATUSES,
)
from airflow_provider_hubassoc.client.retrypolicy import (
    SERVER_BACKOFF_BASE_SECONDS,
    FailureKind,
    backoff_seconds,
    may_retry,
    retryable_failure_kind,
    status_certainly_not_processed,
)
from airflow_provider_hubassoc.client.settings import ClientSettings

logger = logging.getLogger(__name__)

HttpMethod = Literal["GET", "POST", "PUT", "DELETE"]

_CONFIGURATION_EXCEPTIONS: Final = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidHeader,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)
_RETRYABLE_EXCEPTIONS: Final = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


@dataclass(slots=True)
class TransportStats:
    """Counters the operators report.

    :param requests: HTTP attempts sent (retries included).
    :param retries: attempts that were retries.
    :param rate_limited: 429 answers seen.
    :param connection_errors: attempts that failed without an answer.
    :param throttled_seconds: time spent waiting in the client-side rate limiter.
    :param by_status: answers per HTTP status.
    """

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    connection_errors: int = 0
    throttled_seconds: float = 0.0
    by_status: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the counters as plain JSON-able values (e.g. for XCom)."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "rate_limited": self.rate_limited,
            "connection_errors": self.connection_errors,
            "throttled_seconds": round(self.throttled_seconds, 3),
            "by_status": {str(status): count for status, count in sorted(self.by_status.items())},
        }


@dataclass(frozen=True, slots=True)
class TransportResponse:
    """A successful (2xx) answer.

    :param status: the HTTP status.
    :param headers: the response headers (case-insensitive mapping).
    :param body: the parsed JSON, the text of a non-JSON body, or ``None`` when empty.
    """

    status: int
    headers: Mapping[str, str]
    body: Any

    @property
    def correlation_id(self) -> str | None:
        """HubSpot's correlation id, when sent."""
        return correlation_id(self.headers, self.body)


class _RetryableFailure(Exception):
    """Internal: a transient failure, carrying what the retry policy needs."""

    def __init__(
        self,
        error: HubSpotTransientError,
        *,
        kind: FailureKind,
        certainly_not_processed: bool,
        retry_after: float | None = None,
        policy: str | None = None,
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.kind = kind
        self.certainly_not_processed = certainly_not_processed
        self.retry_after = retry_after
        self.policy = policy


def failed_before_sending(exc: BaseException) -> bool:
    """Tell whether a ``requests`` failure happened before the request could reach the server.

    True for a connect timeout and for a refused or unresolvable connection
    (``urllib3`` ``NewConnectionError`` / ``ConnectionRefusedError`` anywhere in the chain).

    :param exc: the exception ``requests`` raised.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
            return True
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)
    return False


def _parse_body(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def new_session(settings: ClientSettings) -> requests.Session:
    """Return a pooled session with only protocol headers (no setting or extra becomes a header).

    The transport creates one when it is given none; a caller that wants the OAuth token exchange
    to share the API's connection pool creates it here and passes it to both.

    :param settings: the client settings (for the User-Agent).
    """
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.clear()
    session.headers.update(
        {
            "User-Agent": settings.user_agent,
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "keep-alive",
        }
    )
    return session


class HubSpotTransport:
    """Sends requests to HubSpot through one pooled session, paced, retried and typed.

    Nothing is sent at construction.

    :param settings: base URL, API version, pace, timeout, retries, user agent.
    :param token_provider: where the access token comes from.
    :param session: a session to use (its owner closes it); by default one is created, with a
        connection pool, and closed by :meth:`close`.
    :param clock: the clock for pacing and retry waits (a FakeClock in tests).
    :param limiter: a rate limiter to share between clients of one portal; by default one is
        created from ``settings.requests_per_10s``.
    :param owns_session: close a given ``session`` in :meth:`close` (a created one always is).
    """

    def __init__(
        self,
        *,
        settings: ClientSettings,
        token_provider: TokenProvider,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
        owns_session: bool = False,
    ) -> None:
        self.settings = settings
        self._clock: Clock = clock or SystemClock()
        self.limiter = limiter or RateLimiter(requests_per_10s=settings.requests_per_10s, clock=self._clock)
        self._auth = BearerAuth(token_provider)
        self._owns_session = session is None or owns_session
        self._session = session if session is not None else new_session(settings)
        self.stats = TransportStats()
        self._stats_lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        """The pooled HTTP session."""
        return self._session

    def url(self, path: str) -> str:
        """Return the absolute URL of an API path.

        :param path: a path from :mod:`~airflow_provider_hubassoc.client.paths`.
        """
        return f"{self.settings.base_url}{path}"

    # ------------------------------------------------------------------ public

    def request(
        self,
        method: HttpMethod,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        expected: Sequence[int] = (200,),
        idempotent: bool = True,
    ) -> TransportResponse:
        """Send one logical request, retrying transient failures.

        :param method: the HTTP method.
        :param path: the API path (already URL-quoted).
        :param params: query parameters.
        :param json: the JSON body, if any.
        :param expected: the documented success statuses; another 2xx is accepted with a warning
            (HubSpot has changed success codes before, e.g. 200 versus 201).
        :param idempotent: ``False`` restricts retries to failures that certainly did not reach
            HubSpot (see :data:`~.retrypolicy.NON_IDEMPOTENT_RETRYABLE_STATUSES`).
        :raises HubSpotError: the typed error of the failure (see the module docstring).
        """
        attempts = 0

        def attempt() -> TransportResponse:
            nonlocal attempts
            attempts += 1
            return self._attempt(method, path, params, json, tuple(expected))

        def retry_this(exc: BaseException) -> bool:
            return isinstance(exc, _RetryableFailure) and may_retry(
                idempotent=idempotent, certainly_not_processed=exc.certainly_not_processed
            )

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.settings.max_retries + 1),
            wait=self._wait_seconds,
            retry=tenacity.retry_if_exception(retry_this),
            sleep=self._clock.sleep,
            before_sleep=self._before_sleep(method, path),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _RetryableFailure as failure:
            raise self._give_up(failure, attempts, idempotent) from failure.__cause__

    def close(self) -> None:
        """Close the session, if this transport created it."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> HubSpotTransport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"HubSpotTransport(base_url={self.settings.base_url!r}, "
            f"api_version={self.settings.api_version!r})"
        )

    # ------------------------------------------------------------------ one attempt

    def _attempt(
        self,
        method: HttpMethod,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        expected: tuple[int, ...],
    ) -> TransportResponse:
        waited = self.limiter.acquire()
        with self._stats_lock:
            self.stats.requests += 1
            self.stats.throttled_seconds += waited
        started = self._clock.monotonic()
        try:
            response = self._session.request(
                method,
                self.url(path),
                params=params,
                json=json_body,
                auth=self._auth,
                timeout=self.settings.timeout,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as exc:
            raise self._connection_failure(method, path, exc) from exc
        self.limiter.observe(response.headers)
        status = response.status_code
        with self._stats_lock:
            self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
            if status == 429:
                self.stats.rate_limited += 1
        body = _parse_body(response)
        logger.debug("HubSpot %s %s -> %s in %.3f s", method, path, status, self._clock.monotonic() - started)
        if 200 <= status < 300:
            if status not in expected:
                logger.warning(
                    "HubSpot %s %s answered %s where %s was documented; accepting it",
                    method,
                    path,
                    status,
                    "/".join(str(code) for code in expected),
                )
            return TransportResponse(status=status, headers=response.headers, body=body)
        error = self._scrub(error_from_response(status, response.headers, body))
        kind = retryable_failure_kind(status, body)
        if kind is None or not isinstance(error, HubSpotTransientError):
            raise error
        raise _RetryableFailure(
            error,
            kind=kind,
            certainly_not_processed=status_certainly_not_processed(status),
            retry_after=retry_after_seconds(response.headers),
            policy=rate_limit_policy(body) if status == 429 else None,
        )

    def _connection_failure(self, method: str, path: str, exc: requests.RequestException) -> Exception:
        detail = redact(f"{type(exc).__name__}: {exc}", (self._auth.last_token,))
        if isinstance(exc, _CONFIGURATION_EXCEPTIONS):
            return HubSpotConfigurationError(f"Cannot send {method} {path}: {detail}")
        with self._stats_lock:
            self.stats.connection_errors += 1
        error = HubSpotConnectionError(f"{method} {path} failed without an answer from HubSpot: {detail}")
        if not isinstance(exc, _RETRYABLE_EXCEPTIONS):
            return error
        return _RetryableFailure(error, kind="connection", certainly_not_processed=failed_before_sending(exc))

    def _scrub(self, error: HubSpotError) -> HubSpotError:
        cleaned = redact(error.message, (self._auth.last_token,))
        if cleaned != error.message:
            error.message = cleaned
            error.args = (cleaned,)
        return error

    # ------------------------------------------------------------------ retry policy

    def _wait_seconds(self, state: tenacity.RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome is not None else None
        attempt = state.attempt_number
        if not isinstance(failure, _RetryableFailure):
            return SERVER_BACKOFF_BASE_SECONDS
        wait = backoff_seconds(failure.kind, attempt, failure.retry_after)
        if failure.kind == "rate_limit":
            # Every caller sharing the limiter holds off too, not only this one.
            self.limiter.penalize(wait)
        return wait

    def _before_sleep(self, method: str, path: str) -> Callable[[tenacity.RetryCallState], None]:
        def log_retry(state: tenacity.RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome is not None else None
            wait = state.next_action.sleep if state.next_action is not None else 0.0
            with self._stats_lock:
                self.stats.retries += 1
            if isinstance(failure, _RetryableFailure):
                logger.warning(
                    "HubSpot %s %s failed (status %s, policy %s): %s; retry %s of %s in %.1f s "
                    "(correlation id %s)",
                    method,
                    path,
                    failure.error.status if failure.error.status is not None else failure.kind,
                    failure.policy or "-",
                    failure.error.message,
                    state.attempt_number,
                    self.settings.max_retries,
                    wait,
                    failure.error.correlation_id or "-",
                )

        return log_retry

    def _give_up(self, failure: _RetryableFailure, attempts: int, idempotent: bool) -> HubSpotTransientError:
        error = failure.error
        if not idempotent and not failure.certainly_not_processed:
            note = "not retried: the call is not idempotent and may have reached HubSpot"
        else:
            note = f"gave up after {attempts} attempt{'s' if attempts != 1 else ''}"
        message = f"{error.message} ({note})"
        final = type(error)(
            message,
            status=error.status,
            category=error.category,
            correlation_id=error.correlation_id,
            context=error.context,
        )
        return final
