"""The typed error hierarchy of the HubSpot client.

Permanent errors (bad settings, 400, 401, 403, 404, a 429 ``DAILY``) say what to fix and are never
retried; transient ones (429 ``TEN_SECONDLY_ROLLING``, 5xx, connection errors) are retried by the
transport and surface as :class:`HubSpotTransientError` subclasses only once retries are spent.
No error text ever contains a token or another secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

#: Longest message (in characters) an error, a log line or a row reason carries; a longer text a
#: server sent is cut here, so a hostile 5 MB message cannot flood logs, XCom or a rejects report.
MAX_MESSAGE_CHARS: Final = 2_000
_CUT_MARK: Final = " [... cut]"


def cap_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Return ``text`` cut to at most ``limit`` characters (with a mark saying it was cut).

    :param text: any text that may have come from a server.
    :param limit: the longest text to keep.
    """
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(_CUT_MARK))] + _CUT_MARK


class HubSpotError(Exception):
    """Base class of every error this client raises.

    :param message: what went wrong and, where known, what to fix.
    :param status: the HTTP status, when the error came from a response.
    :param category: HubSpot's error category, e.g. ``"VALIDATION_ERROR"``.
    :param correlation_id: HubSpot's correlation id, to quote to HubSpot support.
    :param context: HubSpot's error context.

    A batch write that fails partway (it sends one request per chunk) sets, before re-raising,
    ``applied_inputs``: how many of the call's inputs were sent in requests HubSpot answered, and
    ``partial_result``: the merged answer of those requests (a ``BatchResult``, or ``None`` for
    calls that return nothing). Callers use them to account for every input exactly.
    """

    permanent: bool = True
    applied_inputs: int | None = None
    partial_result: object = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        category: str | None = None,
        correlation_id: str | None = None,
        context: Mapping[str, object] | None = None,
    ) -> None:
        message = cap_text(message)
        super().__init__(message)
        self.message = message
        self.status = status
        self.category = category
        self.correlation_id = correlation_id
        self.context = dict(context or {})

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.category:
            parts.append(f"category {self.category}")
        if self.correlation_id:
            parts.append(f"correlation id {self.correlation_id}")
        return " | ".join(parts)


class HubSpotConfigurationError(HubSpotError):
    """The client's settings are unusable (e.g. plain HTTP to a non-loopback host)."""


class HubSpotOAuthError(HubSpotError):
    """The OAuth refresh-token exchange failed; the refresh token or app credentials need fixing."""


class HubSpotValidationError(HubSpotError):
    """HubSpot rejected the request as invalid (400)."""


class HubSpotAuthenticationError(HubSpotError):
    """The token is missing, wrong or expired (401)."""


class HubSpotPermissionError(HubSpotError):
    """The token lacks scopes the call needs (403).

    :param missing_scopes: the scopes HubSpot says are required, when it says so.
    """

    def __init__(self, message: str, *, missing_scopes: Sequence[str] = (), **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.missing_scopes = tuple(missing_scopes)


class HubSpotNotFoundError(HubSpotError):
    """The object type, record or label does not exist (404)."""


class HubSpotDailyLimitError(HubSpotError):
    """The portal's daily API limit is spent (429 ``DAILY``); retrying before midnight is futile."""


class HubSpotTransientError(HubSpotError):
    """A failure that may pass; raised only after the transport's retries are spent."""

    permanent = False


class HubSpotRateLimitError(HubSpotTransientError):
    """Still rate limited (429 ``TEN_SECONDLY_ROLLING``) after every retry."""


class HubSpotServerError(HubSpotTransientError):
    """HubSpot kept answering 5xx after every retry."""


class HubSpotConnectionError(HubSpotTransientError):
    """The connection kept failing (reset, refused, timed out) after every retry."""


class HubSpotUnexpectedResponseError(HubSpotError):
    """HubSpot answered with a status or a body this client does not understand.

    Raised rather than guessing, e.g. for a body that is not the documented JSON shape, is not
    JSON at all, or is larger than :data:`~.wire.MAX_BODY_BYTES`.
    """


class HubSpotPagingError(HubSpotUnexpectedResponseError):
    """HubSpot's paging did not end: a repeated cursor, or more pages than its limits allow."""
