"""Configuration of the local HubSpot Associations emulator (v4 and the date versions)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

#: Maximum number of inputs per request body, per batch endpoint. Batch read (1,000) and batch create
#: (2,000) are HubSpot's documented limits; the other endpoints are undocumented and the emulator is
#: lenient with them.
BATCH_LIMITS: dict[str, int] = {
    "batch_read": 1_000,
    "batch_create": 2_000,
    "batch_associate_default": 10_000,
    "batch_archive": 10_000,
    "batch_labels_archive": 10_000,
    "config_batch_create": 10_000,
    "config_batch_update": 10_000,
    "config_batch_purge": 10_000,
}

#: Largest ``limit`` accepted by the GET list endpoint.
MAX_GET_LIMIT = 500

LabelWriteMode = Literal["set", "add"]


@dataclass
class EmulatorConfig:
    """Every knob of the emulator; the CLI flags map one to one onto these fields.

    :param tokens: Static bearer tokens (private-app tokens) the emulator accepts.
    :param seed: ``"demo"``, a path to a JSON seed file, a seed mapping, or ``None`` for an empty portal.
    :param portal_id: Portal (hub) id; also drives the per-portal start of USER_DEFINED label ids.
    :param requests_per_10s: Rolling ten-second request limit, ``None`` for unlimited.
    :param search_requests_per_second: CRM search's own limit, searches per rolling second (``None``:
        unlimited); HubSpot's search guide documents 5 per second. Search is not counted in the
        ten-second limit (its spec marks it exempt).
    :param daily_limit: Daily request limit (resets at UTC midnight), ``None`` for unlimited.
    :param retry_after: Send a ``Retry-After`` header on 429 responses. Off by default: HubSpot documents no
        such header, and a client must cope without it.
    :param faults: Fault specification such as ``"429=0.05,500=0.02,reset=0.01,row_error=0.01"``.
    :param fault_seed: Seed of the fault random generator (same seed and requests, same faults).
    :param fault_delay_seconds: How long a ``delay`` fault sleeps before answering.
    :param page_size: Page size of GET list and of each input of batch read.
    :param label_writes: ``"set"``: the types sent for a pair replace its labels; ``"add"``: they are added.
    :param oauth_client_id: OAuth client id accepted by ``POST /oauth/2026-03/token`` (OAuth off when
        ``None``).
    :param oauth_client_secret: OAuth client secret.
    :param oauth_refresh_token: The refresh token the emulator accepts.
    :param oauth_token_lifetime: Lifetime in seconds of issued access tokens.
    :param auto_create_records: Create unknown numeric record ids on first use. ``None`` means: on when no
        seed is given, off otherwise.
    """

    tokens: tuple[str, ...] = ("emulator-token",)
    seed: str | dict[str, Any] | None = None
    portal_id: int = 24_681_357
    requests_per_10s: int | None = None
    daily_limit: int | None = None
    search_requests_per_second: int | None = 5
    retry_after: bool = False
    faults: str | None = None
    fault_seed: int = 0
    fault_delay_seconds: float = 35.0
    page_size: int = 500
    label_writes: LabelWriteMode = "set"
    oauth_client_id: str | None = None
    oauth_client_secret: str | None = None
    oauth_refresh_token: str | None = None
    oauth_token_lifetime: int = 1800
    auto_create_records: bool | None = None
    batch_limits: dict[str, int] = field(default_factory=lambda: dict(BATCH_LIMITS))

    def __post_init__(self) -> None:
        if self.label_writes not in ("set", "add"):
            raise ValueError(f"label_writes must be 'set' or 'add', not {self.label_writes!r}")
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")
        if self.requests_per_10s is not None and self.requests_per_10s < 1:
            raise ValueError("requests_per_10s must be at least 1")
        if self.daily_limit is not None and self.daily_limit < 1:
            raise ValueError("daily_limit must be at least 1")
        self.tokens = tuple(self.tokens)

    @property
    def effective_auto_create(self) -> bool:
        """Whether unknown record ids are created on first use (resolves the ``None`` default)."""
        if self.auto_create_records is None:
            return self.seed is None
        return self.auto_create_records

    @property
    def oauth_enabled(self) -> bool:
        """Whether the OAuth token endpoint is configured."""
        return bool(self.oauth_client_id and self.oauth_client_secret and self.oauth_refresh_token)

    def copy(self, **changes: Any) -> EmulatorConfig:
        """Return a copy with some fields changed.

        :param changes: Field names and their new values.
        """
        return replace(self, **changes)
