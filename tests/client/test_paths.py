from __future__ import annotations

import pytest

from airflow_provider_hubassoc.client import HubSpotConfigurationError, paths


@pytest.mark.parametrize(
    ("version", "records", "assoc"),
    [
        ("v4", "/crm/v4/objects", "/crm/v4/associations"),
        ("2025-09", "/crm/objects/2025-09", "/crm/associations/2025-09"),
        ("2026-03", "/crm/objects/2026-03", "/crm/associations/2026-03"),
        ("2026-09", "/crm/objects/2026-09", "/crm/associations/2026-09"),
    ],
)
def test_every_path_for_each_version(version: str, records: str, assoc: str) -> None:
    assert paths.record_associations_path(version, "contacts", 101, "companies") == (
        f"{records}/contacts/101/associations/companies"
    )
    assert (
        paths.record_pair_path(version, "0-1", "101", "0-2", 202) == f"{records}/0-1/101/associations/0-2/202"
    )
    assert paths.default_association_path(version, "contacts", 1, "companies", 2) == (
        f"{records}/contacts/1/associations/default/companies/2"
    )
    for action in ("read", "create", "associate/default", "archive", "labels/archive"):
        assert paths.batch_path(version, "contacts", "companies", action) == (
            f"{assoc}/contacts/companies/batch/{action}"
        )
    assert paths.labels_path(version, "contacts", "companies") == f"{assoc}/contacts/companies/labels"
    assert paths.labels_path(version, "contacts", "companies", 36) == f"{assoc}/contacts/companies/labels/36"
    assert paths.limit_configurations_all_path(version) == f"{assoc}/definitions/configurations/all"
    assert paths.limit_configurations_pair_path(version, "0-1", "0-2") == (
        f"{assoc}/definitions/configurations/0-1/0-2"
    )
    for action in ("create", "update", "purge"):
        assert paths.limit_configurations_batch_path(version, "0-1", "0-2", action) == (
            f"{assoc}/definitions/configurations/0-1/0-2/batch/{action}"
        )
    assert paths.high_usage_report_path(version, 42) == f"{assoc}/usage/high-usage-report/42"


def test_segments_are_quoted_so_they_cannot_add_path_segments() -> None:
    path = paths.record_associations_path("v4", "2-123/../x", "1?a=b", "p_custom obj")
    assert path == "/crm/v4/objects/2-123%2F..%2Fx/1%3Fa%3Db/associations/p_custom%20obj"


def test_unknown_version_lists_the_valid_ones() -> None:
    with pytest.raises(HubSpotConfigurationError) as info:
        paths.records_prefix("v3")
    assert "v4, 2025-09, 2026-03, 2026-09" in str(info.value)


def test_empty_segment_and_unknown_action_are_refused() -> None:
    with pytest.raises(ValueError, match="from_object_type"):
        paths.labels_path("v4", " ", "companies")
    with pytest.raises(ValueError, match="unknown batch action"):
        paths.batch_path("v4", "a", "b", "delete")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown limit configuration action"):
        paths.limit_configurations_batch_path("v4", "a", "b", "read")  # type: ignore[arg-type]
