"""The client's table of documented success statuses per API version."""

from __future__ import annotations

import pytest

from airflow_provider_hubassoc.client.paths import VALID_API_VERSIONS
from airflow_provider_hubassoc.client.versions import VersionedOperation, success_statuses

#: Read in each version's spec (PublicApiSpecs/CRM/Associations{, Schema}/Rollouts/130902/<version>/).
SPEC: dict[VersionedOperation, dict[str, tuple[int, ...]]] = {
    "batch_archive": {"v4": (204,), "2025-09": (200,), "2026-03": (200,), "2026-09": (200,)},
    "batch_labels_archive": {"v4": (204,), "2025-09": (200,), "2026-03": (200,), "2026-09": (200,)},
    "batch_create": {"v4": (201, 207), "2025-09": (201, 207), "2026-03": (201, 207), "2026-09": (200,)},
    "batch_read": {"v4": (200, 207), "2025-09": (200, 207), "2026-03": (200, 207), "2026-09": (200,)},
    "limit_create": {"v4": (201, 207), "2025-09": (200,), "2026-03": (201, 207), "2026-09": (200,)},
    "limit_update": {"v4": (200, 207), "2025-09": (200,), "2026-03": (200, 207), "2026-09": (200,)},
    "limit_purge": {"v4": (204,), "2025-09": (200,), "2026-03": (200,), "2026-09": (200,)},
}


@pytest.mark.parametrize("operation", sorted(SPEC))
@pytest.mark.parametrize("version", VALID_API_VERSIONS)
def test_success_statuses_follow_each_versions_spec(operation: VersionedOperation, version: str) -> None:
    assert success_statuses(version, operation) == SPEC[operation][version]
