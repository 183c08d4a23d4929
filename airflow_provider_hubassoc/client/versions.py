"""What each API version answers, where the versions differ: the documented success statuses.

Taken from each version's own spec in the public ``HubSpot/HubSpot-public-api-spec-collection``
repository (read at commit ``9989379``): ``A`` is
``PublicApiSpecs/CRM/Associations/Rollouts/130902/<version>/associations.json``, ``S`` is
``PublicApiSpecs/CRM/Associations Schema/Rollouts/130902/<version>/associationsSchema.json``. The
client reads a 2xx body whenever there is one, whatever the status, so a version that puts row
errors into a 200 envelope is never read as "all done"; the statuses here only spare a warning for
an answer that is documented.

The emulator keeps its own table (``emulator/versions.py``) on purpose: it imports nothing of the
client, so a fact misread on one side shows up as a failing test.
"""

from __future__ import annotations

from typing import Final, Literal

from airflow_provider_hubassoc.client.paths import API_VERSION_V4

VersionedOperation = Literal[
    "batch_read",
    "batch_create",
    "batch_archive",
    "batch_labels_archive",
    "limit_create",
    "limit_update",
    "limit_purge",
    "objects_batch_read",
]

_V4_STATUSES: Final[dict[str, tuple[int, ...]]] = {
    "batch_read": (200, 207),  # A v4
    "batch_create": (201, 207),  # A v4
    "batch_archive": (204,),  # A v4: no body
    "batch_labels_archive": (204,),  # A v4: no body
    "limit_create": (201, 207),  # S v4
    "limit_update": (200, 207),  # S v4
    "limit_purge": (204,),  # S v4: no body
    # O = PublicApiSpecs/CRM/Objects/Rollouts/424/<version>/objects.json (v4 connections read /crm/v3)
    "objects_batch_read": (200, 207),  # O v3
}

#: Per date version, only what differs from v4.
_DATE_STATUSES: Final[dict[str, dict[str, tuple[int, ...]]]] = {
    "2025-09": {
        "batch_archive": (200,),  # A 2025-09: BatchResponse envelope with errors
        "batch_labels_archive": (200,),  # A 2025-09: BatchResponse
        "limit_create": (200,),  # S 2025-09: 200 only
        "limit_update": (200,),  # S 2025-09: 200 only
        "limit_purge": (200,),  # S 2025-09: BatchResponseVoid
    },
    "2026-03": {
        "batch_archive": (200,),  # A 2026-03: BatchResponse
        "batch_labels_archive": (200,),  # A 2026-03: BatchResponse
        "limit_purge": (200,),  # S 2026-03: BatchResponse
    },
    "2026-09": {
        "batch_read": (200,),  # A 2026-09: 200 only, errors inside
        "objects_batch_read": (200,),  # O 2026-09: 200 only, errors and numErrors inside
        "batch_create": (200,),  # A 2026-09: 200 only, errors inside
        "batch_archive": (200,),  # A 2026-09: BatchResponseVoid
        "batch_labels_archive": (200,),  # A 2026-09: BatchResponseVoid
        "limit_create": (200,),  # S 2026-09: 200 only
        "limit_update": (200,),  # S 2026-09: 200 only
        "limit_purge": (200,),  # S 2026-09: BatchResponseVoid
    },
}


def success_statuses(api_version: str, operation: VersionedOperation) -> tuple[int, ...]:
    """The success statuses ``operation`` documents in ``api_version``.

    :param api_version: ``"v4"`` or a date version.
    :param operation: the operation.
    """
    if api_version == API_VERSION_V4:
        return _V4_STATUSES[operation]
    return _DATE_STATUSES.get(api_version, {}).get(operation, _V4_STATUSES[operation])
