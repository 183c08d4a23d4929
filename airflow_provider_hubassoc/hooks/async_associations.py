"""The async hook: HubSpot association reads over aiohttp, for triggers.

It shares every rule with the sync client instead of restating it: URLs come from
:mod:`~airflow_provider_hubassoc.client.paths`, answers are parsed and errors typed by
:mod:`~airflow_provider_hubassoc.client.responses`, retries follow
:mod:`~airflow_provider_hubassoc.client.retrypolicy` (429 other than ``DAILY``, 5xx and
connection errors are retried with ``Retry-After`` honoured; ``DAILY``, 400, 401, 403, 404 are
not), pacing uses :class:`~airflow_provider_hubassoc.client.ratelimit.RateLimiter` (awaited, not
blocking), the connection is parsed by
:func:`~airflow_provider_hubassoc.hooks.connection_config.parse_connection`, and OAuth access
tokens come from the same :class:`~airflow_provider_hubassoc.client.auth.OAuthTokenProvider`
(its blocking refresh runs in a worker thread, rarely: tokens are cached until shortly before
expiry).

Only reads are offered (every call is idempotent, so every transient failure may be retried).
The connection is fetched with the async API (``get_async_connection``), never the sync one,
which can deadlock inside the triggerer's event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from types import TracebackType
from typing import Any

import aiohttp
from airflow.providers.common.compat.connection import get_async_connection, get_async_extra_dejson

from airflow_provider_hubassoc._compat import BaseHook, amask_secret
from airflow_provider_hubassoc.client import bodies, paths
from airflow_provider_hubassoc.client.auth import OAuthTokenProvider, TokenProvider, redact
from airflow_provider_hubassoc.client.bodies import record_id
from airflow_provider_hubassoc.client.errors import (
    HubSpotConnectionError,
    HubSpotError,
    HubSpotTransientError,
    HubSpotUnexpectedResponseError,
)
from airflow_provider_hubassoc.client.models import AssociatedRecord, AssociationType
from airflow_provider_hubassoc.client.ratelimit import RateLimiter
from airflow_provider_hubassoc.client.responses import (
    error_from_response,
    parse_association_types,
    parse_associations_page,
    retry_after_seconds,
)
from airflow_provider_hubassoc.client.retrypolicy import FailureKind, backoff_seconds, retryable_failure_kind
from airflow_provider_hubassoc.hooks.connection_config import (
    HubSpotConnectionConfig,
    build_token_provider,
    read_connection,
)
from airflow_provider_hubassoc.provider_info import CONNECTION_TYPE, HOOK_NAME

log = logging.getLogger(__name__)

RecordId = str | int


def _parse_body(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


class _Transient(Exception):
    """Internal: one failed attempt that may be retried."""

    def __init__(self, error: HubSpotTransientError, kind: FailureKind, retry_after: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.kind = kind
        self.retry_after = retry_after


class HubSpotAssociationsAsyncHook(BaseHook):
    """Read HubSpot associations asynchronously through a ``hubassoc`` connection.

    Use it as an async context manager: one ``aiohttp.ClientSession`` lives from ``__aenter__``
    to ``__aexit__`` (a trigger opens it once per run). Nothing happens at construction.

    :param hubassoc_conn_id: the Airflow connection id.
    :param requests_per_10s: overrides the connection's ``requests_per_10s``.
    :param max_retries: overrides the connection's ``max_retries`` (retries per request).
    """

    conn_name_attr = "hubassoc_conn_id"
    default_conn_name = "hubassoc_default"
    conn_type = CONNECTION_TYPE
    hook_name = HOOK_NAME

    def __init__(
        self,
        hubassoc_conn_id: str = default_conn_name,
        *,
        requests_per_10s: int | None = None,
        max_retries: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.hubassoc_conn_id = hubassoc_conn_id
        self.requests_per_10s = requests_per_10s
        self.max_retries = max_retries
        self._config: HubSpotConnectionConfig | None = None
        self._token_provider: TokenProvider | None = None
        self._limiter: RateLimiter | None = None
        self._session: aiohttp.ClientSession | None = None
        self._last_token: str | None = None
        self._masked_tokens: set[str] = set()

    # ------------------------------------------------------------------ connection

    async def get_config(self) -> HubSpotConnectionConfig:
        """Return the parsed connection, fetched once with the async connection API.

        :raises HubSpotConfigurationError: when a field of the connection is invalid.
        """
        if self._config is not None:
            return self._config
        conn = await get_async_connection(self.hubassoc_conn_id)
        extra = await get_async_extra_dejson(conn)
        config = read_connection(
            conn_id=self.hubassoc_conn_id,
            host=conn.host,
            password=conn.password,
            extra=extra,
            requests_per_10s=self.requests_per_10s,
            max_retries=self.max_retries,
        )
        for secret in config.secrets:
            await amask_secret(secret)
        self._config = config
        self._token_provider = build_token_provider(config, config.settings)
        self._limiter = RateLimiter(requests_per_10s=config.settings.requests_per_10s)
        return config

    async def _token(self) -> str:
        provider = self._token_provider
        assert provider is not None
        if isinstance(provider, OAuthTokenProvider):
            # The refresh is a blocking HTTP call; a worker thread keeps the event loop free.
            token = await asyncio.to_thread(provider.token)
            if token not in self._masked_tokens:
                self._masked_tokens.add(token)
                await amask_secret(token)
        else:
            token = provider.token()
        self._last_token = token
        return token

    # ------------------------------------------------------------------ session

    async def __aenter__(self) -> HubSpotAssociationsAsyncHook:
        await self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            settings = (await self.get_config()).settings
            self._session = aiohttp.ClientSession(
                headers={"User-Agent": settings.user_agent, "Accept": "application/json"},
                timeout=aiohttp.ClientTimeout(sock_connect=settings.timeout, sock_read=settings.timeout),
            )
        return self._session

    async def close(self) -> None:
        """Close the HTTP session, if it is open."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ------------------------------------------------------------------ requests

    async def _pace(self) -> None:
        limiter = self._limiter
        assert limiter is not None
        while (delay := limiter.try_acquire()) is not None:
            log.debug("Rate limiter: waiting %.3f s before the next HubSpot request", delay)
            await asyncio.sleep(delay)

    async def _attempt(self, path: str, params: dict[str, Any] | None) -> Any:
        session = await self._open()
        config = await self.get_config()
        await self._pace()
        token = await self._token()
        url = f"{config.settings.base_url}{path}"
        try:
            async with session.get(
                url, params=params, headers={"Authorization": f"Bearer {token}"}, allow_redirects=False
            ) as response:
                raw = await response.read()
                status = response.status
                headers = response.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            detail = redact(f"{type(exc).__name__}: {exc}", (token,))
            lost = HubSpotConnectionError(f"GET {path} failed without an answer from HubSpot: {detail}")
            raise _Transient(lost, "connection", None) from exc
        assert self._limiter is not None
        self._limiter.observe(headers)
        body = _parse_body(raw)
        log.debug("HubSpot GET %s -> %s", path, status)
        if 200 <= status < 300:
            return body
        error = error_from_response(status, headers, body)
        cleaned = redact(error.message, (token,))
        if cleaned != error.message:
            error.message = cleaned
            error.args = (cleaned,)
        kind = retryable_failure_kind(status, body)
        if kind is None or not isinstance(error, HubSpotTransientError):
            raise error
        raise _Transient(error, kind, retry_after_seconds(headers))

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """``GET`` an API path, retrying transient failures as the sync client does.

        :param path: an API path from :mod:`~airflow_provider_hubassoc.client.paths`.
        :param params: query parameters.
        :returns: the parsed JSON body of the 2xx answer.
        :raises HubSpotError: the typed error (permanent at once; transient after the retries).
        """
        config = await self.get_config()
        retries = config.settings.max_retries
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(path, params)
            except _Transient as failure:
                if attempt > retries:
                    error = failure.error
                    raise type(error)(
                        f"{error.message} (gave up after {attempt} attempt{'s' if attempt != 1 else ''})",
                        status=error.status,
                        category=error.category,
                        correlation_id=error.correlation_id,
                        context=error.context,
                    ) from None
                wait = backoff_seconds(failure.kind, attempt, failure.retry_after)
                if failure.kind == "rate_limit":
                    assert self._limiter is not None
                    self._limiter.penalize(wait)
                log.warning(
                    "HubSpot GET %s failed (%s): %s; retry %s of %s in %.1f s",
                    path,
                    failure.error.status if failure.error.status is not None else failure.kind,
                    failure.error.message,
                    attempt,
                    retries,
                    wait,
                )
                await asyncio.sleep(wait)
            except HubSpotError as error:
                provider = self._token_provider
                if error.status == 401 and isinstance(provider, OAuthTokenProvider) and not refreshed:
                    # An access token revoked or expired early: one fresh token, one more try.
                    refreshed = True
                    provider.invalidate()
                    continue
                raise

    async def get_associations(
        self, *, from_object_type: str, object_id: RecordId, to_object_type: str, limit: int = 500
    ) -> list[AssociatedRecord]:
        """List every record associated with one record, following every page.

        :param from_object_type: the record's object type.
        :param object_id: the record's id.
        :param to_object_type: the associated object type.
        :param limit: page size, at most 500.
        """
        version = (await self.get_config()).settings.api_version
        path = paths.record_associations_path(
            version, from_object_type, record_id(object_id, what="object_id"), to_object_type
        )
        params: dict[str, Any] = {"limit": bodies.page_limit(limit)}
        records: list[AssociatedRecord] = []
        seen: set[str] = set()
        while True:
            page = parse_associations_page(await self.get_json(path, params))
            records.extend(page.records)
            if page.after is None:
                return records
            if page.after in seen:
                raise HubSpotUnexpectedResponseError(
                    f"HubSpot repeated the paging cursor {page.after!r} for {path}; stopping to avoid a loop"
                )
            seen.add(page.after)
            params = {**params, "after": page.after}

    async def list_labels(self, *, from_object_type: str, to_object_type: str) -> list[AssociationType]:
        """List the association types (labels) of one direction.

        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        """
        version = (await self.get_config()).settings.api_version
        path = paths.labels_path(version, from_object_type, to_object_type)
        return parse_association_types(await self.get_json(path))

    def __repr__(self) -> str:
        return f"HubSpotAssociationsAsyncHook(hubassoc_conn_id={self.hubassoc_conn_id!r})"
