"""Airflow-free HubSpot Associations v4 client.

Import everything from here::

    from airflow_provider_hubassoc.client import (
        ClientSettings, HubSpotAssociationsClient, StaticTokenProvider,
    )

    settings = ClientSettings(requests_per_10s=100)
    provider = StaticTokenProvider(token=...)
    with HubSpotAssociationsClient(settings=settings, token_provider=provider) as client:
        labels = client.list_labels(from_object_type="contacts", to_object_type="companies")
"""

from __future__ import annotations

from airflow_provider_hubassoc.client.associations import HubSpotAssociationsClient
from airflow_provider_hubassoc.client.auth import (
    BearerAuth,
    OAuthTokenProvider,
    StaticTokenProvider,
    TokenProvider,
    oauth_token_url,
)
from airflow_provider_hubassoc.client.bodies import InputRef
from airflow_provider_hubassoc.client.clock import Clock, FakeClock, SystemClock
from airflow_provider_hubassoc.client.errors import (
    HubSpotAuthenticationError,
    HubSpotConfigurationError,
    HubSpotConnectionError,
    HubSpotDailyLimitError,
    HubSpotError,
    HubSpotNotFoundError,
    HubSpotOAuthError,
    HubSpotPermissionError,
    HubSpotRateLimitError,
    HubSpotServerError,
    HubSpotTransientError,
    HubSpotUnexpectedResponseError,
    HubSpotValidationError,
)
from airflow_provider_hubassoc.client.models import (
    AssociatedRecord,
    AssociationCategory,
    AssociationInput,
    AssociationSpec,
    AssociationType,
    BatchReadResult,
    BatchResult,
    BatchRowError,
    DefaultAssociation,
    HighUsageReport,
    LabelsBetweenObjectPair,
    LimitConfiguration,
    LimitConfigurationInput,
    normalize_id,
)
from airflow_provider_hubassoc.client.paths import VALID_API_VERSIONS
from airflow_provider_hubassoc.client.ratelimit import RateLimiter
from airflow_provider_hubassoc.client.retrypolicy import NON_IDEMPOTENT_RETRYABLE_STATUSES
from airflow_provider_hubassoc.client.settings import ClientSettings, is_loopback_host
from airflow_provider_hubassoc.client.transport import (
    HubSpotTransport,
    TransportResponse,
    TransportStats,
)

__all__ = [
    "NON_IDEMPOTENT_RETRYABLE_STATUSES",
    "VALID_API_VERSIONS",
    "AssociatedRecord",
    "AssociationCategory",
    "AssociationInput",
    "AssociationSpec",
    "AssociationType",
    "BatchReadResult",
    "BatchResult",
    "BatchRowError",
    "BearerAuth",
    "ClientSettings",
    "Clock",
    "DefaultAssociation",
    "FakeClock",
    "HighUsageReport",
    "HubSpotAssociationsClient",
    "HubSpotAuthenticationError",
    "HubSpotConfigurationError",
    "HubSpotConnectionError",
    "HubSpotDailyLimitError",
    "HubSpotError",
    "HubSpotNotFoundError",
    "HubSpotOAuthError",
    "HubSpotPermissionError",
    "HubSpotRateLimitError",
    "HubSpotServerError",
    "HubSpotTransientError",
    "HubSpotTransport",
    "HubSpotUnexpectedResponseError",
    "HubSpotValidationError",
    "InputRef",
    "LabelsBetweenObjectPair",
    "LimitConfiguration",
    "LimitConfigurationInput",
    "OAuthTokenProvider",
    "RateLimiter",
    "StaticTokenProvider",
    "SystemClock",
    "TokenProvider",
    "TransportResponse",
    "TransportStats",
    "is_loopback_host",
    "normalize_id",
    "oauth_token_url",
]
