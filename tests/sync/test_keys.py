"""Keyed syncs (issue 16) against the emulator: rows name contacts by email, companies by domain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_hubassoc.client.associations import HubSpotAssociationsClient
from airflow_provider_hubassoc.client.auth import StaticTokenProvider
from airflow_provider_hubassoc.client.settings import ClientSettings
from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_hubassoc.sync.engine import SyncResult, run_sync
from airflow_provider_hubassoc.sync.keys import KeySpec, key_stage
from airflow_provider_hubassoc.sync.outcomes import Outcome, RejectKind
from airflow_provider_hubassoc.sync.spec import SyncMode, SyncSpec

TOKEN = "emulator-token"

#: Contacts 101-104, companies 201-206: two companies share acme.io (202 created first), one is
#: stored with ``www.``; contact 150 was merged into 104; contacts have a unique ``external_id``.
KEYED_SEED: dict[str, Any] = {
    "contacts": [
        {"id": "101", "properties": {"email": "Ada@Example.com", "external_id": "A-1"}},
        {"id": "102", "properties": {"email": "bob@example.com", "external_id": "B-2"}},
        {"id": "103", "properties": {"email": "cy@example.com", "hs_additional_emails": "cy@old.example"}},
        {"id": "104", "properties": {"email": "dee@example.com"}, "mergedIds": ["150"]},
    ],
    "companies": [
        {"id": "201", "properties": {"domain": "example.com"}},
        {"id": "202", "properties": {"domain": "acme.io"}, "createdAt": "2023-01-01T00:00:00.000Z"},
        {"id": "203", "properties": {"domain": "acme.io"}, "createdAt": "2024-06-01T00:00:00.000Z"},
        {"id": "204", "properties": {"domain": "www.widgets.dev"}},
        {"id": "205", "properties": {"domain": "globex.com", "region": "EU"}},
        {"id": "206", "properties": {"domain": "initech.com", "region": "EU"}},
    ],
    "properties": {"contacts": {"external_id": {"hasUniqueValue": True}}},
}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(seed=KEYED_SEED), port=0) as emulator:
        yield emulator


@pytest.fixture
def emulator(server: EmulatorServer) -> EmulatorServer:
    server.reset()
    return server


def _client(emulator: EmulatorServer, version: str = "2026-03") -> HubSpotAssociationsClient:
    return HubSpotAssociationsClient(
        settings=ClientSettings(
            base_url=emulator.url, api_version=version, requests_per_10s=1000, max_retries=0
        ),
        token_provider=StaticTokenProvider(token=TOKEN),
    )


def sync(
    emulator: EmulatorServer,
    rows: list[Any],
    *,
    mode: SyncMode | str = "append",
    from_id_property: str | None = "email",
    to_id_property: str | None = "domain",
    on_ambiguous_match: str = "reject",
    version: str = "2026-03",
    chunk_size: int | None = None,
    dry_run: bool = False,
    max_deletes: object = "100%",
) -> SyncResult:
    spec = SyncSpec.build(
        from_object_type="contacts",
        to_object_type="companies",
        mode=mode,
        max_deletes=max_deletes,
        dry_run=dry_run,
    )
    keys = KeySpec.build(
        from_id_property=from_id_property,
        to_id_property=to_id_property,
        on_ambiguous_match=on_ambiguous_match,
    )
    with _client(emulator, version) as client:
        return run_sync(
            client, spec, rows, keys=key_stage(client, spec, keys), chunk_size=chunk_size, keep_outcomes=True
        )


def pairs(emulator: EmulatorServer) -> set[tuple[int, int]]:
    return {(p["fromObjectId"], p["toObjectId"]) for p in emulator.state.pairs("0-1", "0-2")}


def writes(emulator: EmulatorServer) -> int:
    by_endpoint: dict[str, dict[str, int]] = emulator.runtime.stats.snapshot()["by_endpoint"]
    names = ("batch_create", "batch_associate_default", "batch_archive", "batch_labels_archive")
    return sum(sum(by_endpoint.get(n, {}).values()) for n in names)


@pytest.mark.parametrize("version", ["v4", "2025-09", "2026-03", "2026-09"])
def test_append_by_email_and_domain_then_a_rerun_writes_nothing(
    emulator: EmulatorServer, version: str
) -> None:
    rows = [
        {"from_id": "ada@example.com", "to_id": "example.com"},
        {"from_id": "bob@example.com", "to_id": "https://www.Widgets.dev/about"},
    ]
    first = sync(emulator, rows, version=version)
    assert [o.outcome for o in first.outcomes] == [Outcome.CREATED, Outcome.CREATED]
    assert pairs(emulator) == {(101, 201), (102, 204)}
    assert first.summary.lookups == 2  # one batch read by email, one search by domain
    assert first.summary.to_dict()["lookups"] == 2
    before = writes(emulator)
    again = sync(emulator, rows, version=version)
    assert [o.outcome for o in again.outcomes] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    assert writes(emulator) == before


def test_mixed_case_and_duplicate_keys_are_one_lookup_each(emulator: EmulatorServer) -> None:
    rows = [
        {"from_id": " ADA@example.COM ", "to_id": "EXAMPLE.com"},
        {"from_id": "ada@example.com", "to_id": "example.com."},
        {"from_id": "Ada@Example.com", "to_id": "http://example.com:443/x?y#z"},
    ]
    result = sync(emulator, rows)
    assert result.summary.created == 3  # one pair; every row gets its outcome
    assert pairs(emulator) == {(101, 201)}
    assert result.summary.lookups == 2
    assert result.outcomes[0].row == rows[0]  # the report shows the row as given


def test_unmatched_keys_are_rejected_naming_property_and_value(emulator: EmulatorServer) -> None:
    rows = [
        {"from_id": "nobody@example.com", "to_id": "example.com"},
        {"from_id": "ada@example.com", "to_id": "nowhere.org"},
        {"from_id": "", "to_id": "example.com"},
    ]
    result = sync(emulator, rows)
    assert [o.outcome for o in result.outcomes] == [Outcome.REJECTED] * 3
    assert result.outcomes[0].reason == "no contacts record has email 'nobody@example.com'"
    assert result.outcomes[0].kind is RejectKind.UNRESOLVED_KEY
    assert result.outcomes[1].reason == "no companies record has domain 'nowhere.org'"
    assert result.outcomes[2].reason == "from_id is empty"
    assert result.outcomes[0].to_report()["row"] == rows[0]
    assert pairs(emulator) == set()


def test_ambiguous_domain_is_rejected_with_the_matching_ids(emulator: EmulatorServer) -> None:
    result = sync(emulator, [{"from_id": "ada@example.com", "to_id": "acme.io"}])
    outcome = result.outcomes[0]
    assert outcome.outcome is Outcome.REJECTED
    assert "domain 'acme.io' matches 2 companies records (202, 203)" in (outcome.reason or "")
    assert pairs(emulator) == set()


def test_oldest_picks_the_record_created_first_and_says_so(emulator: EmulatorServer) -> None:
    result = sync(emulator, [{"from_id": "ada@example.com", "to_id": "acme.io"}], on_ambiguous_match="oldest")
    outcome = result.outcomes[0]
    assert outcome.outcome is Outcome.CREATED
    assert "chose 202, created first" in (outcome.note or "")
    assert pairs(emulator) == {(101, 202)}


def test_secondary_email_finds_its_contact(emulator: EmulatorServer) -> None:
    result = sync(emulator, [{"from_id": "CY@old.example", "to_id": "example.com"}])
    assert result.summary.created == 1
    assert pairs(emulator) == {(103, 201)}


@pytest.mark.parametrize("mode", ["replace", "mirror"])
def test_replace_and_mirror_by_keys(emulator: EmulatorServer, mode: str) -> None:
    sync(emulator, [{"from_id": "ada@example.com", "to_id": "example.com"}])
    result = sync(emulator, [{"from_id": "ada@example.com", "to_id": "globex.com"}], mode=mode)
    assert result.summary.created == 1
    expected = {(101, 205)} if mode == "mirror" else {(101, 201), (101, 205)}
    assert pairs(emulator) == expected
    assert result.summary.pruned == (1 if mode == "mirror" else 0)


def test_mirror_with_an_unresolved_key_prunes_nothing_of_that_record(emulator: EmulatorServer) -> None:
    sync(emulator, [{"from_id": "ada@example.com", "to_id": "example.com"}])
    rows = [
        {"from_id": "ada@example.com", "to_id": "globex.com"},
        {"from_id": "ada@example.com", "to_id": "nowhere.org"},  # unresolved: Ada's pairs are kept
        {"from_id": "bob@example.com", "to_id": "acme.io"},  # ambiguous: Bob is tainted too
    ]
    result = sync(emulator, rows, mode="mirror")
    assert result.summary.rejected == 2
    assert result.summary.pruned == 0
    assert (101, 201) in pairs(emulator)


def test_delete_by_keys(emulator: EmulatorServer) -> None:
    sync(emulator, [{"from_id": "ada@example.com", "to_id": "example.com"}])
    result = sync(
        emulator, [{"from_id": "ADA@example.com", "to_id": "www.example.com"}], mode=SyncMode.DELETE
    )
    assert result.summary.removed == 1
    assert pairs(emulator) == set()


def test_dry_run_resolves_keys_and_writes_nothing(emulator: EmulatorServer) -> None:
    result = sync(emulator, [{"from_id": "ada@example.com", "to_id": "example.com"}], dry_run=True)
    assert result.summary.created == 1
    assert result.summary.lookups == 2
    assert writes(emulator) == 0


def test_streamed_rows_are_resolved_once_per_key(emulator: EmulatorServer) -> None:
    rows = [{"from_id": "ada@example.com", "to_id": d} for d in ("example.com", "globex.com", "initech.com")]
    result = sync(emulator, rows, chunk_size=1)
    assert result.summary.created == 3
    assert result.summary.lookups == 2  # keys are looked up 10,000 rows at a time, whatever the chunk


def test_one_side_keyed_the_other_by_id(emulator: EmulatorServer) -> None:
    result = sync(emulator, [{"from_id": "101", "to_id": "initech.com"}], from_id_property=None)
    assert result.summary.created == 1
    assert pairs(emulator) == {(101, 206)}


def test_unique_custom_property_uses_batch_read_and_non_unique_uses_search(emulator: EmulatorServer) -> None:
    result = sync(
        emulator, [{"from_id": "B-2", "to_id": "EU"}], from_id_property="external_id", to_id_property="region"
    )
    assert "region 'EU' matches 2 companies records (205, 206)" in (result.outcomes[0].reason or "")
    result = sync(
        emulator,
        [{"from_id": "B-2", "to_id": "EU"}],
        from_id_property="external_id",
        to_id_property="region",
        on_ambiguous_match="oldest",
    )
    assert pairs(emulator) == {(102, 205)}
    # one property read per side, one batch read, one search
    assert result.summary.lookups == 4


def test_unknown_property_fails_the_run(emulator: EmulatorServer) -> None:
    from airflow_provider_hubassoc.sync.errors import SyncConfigurationError

    with pytest.raises(SyncConfigurationError, match="no property 'nope'"):
        sync(emulator, [{"from_id": "x", "to_id": "example.com"}], from_id_property="nope")


def test_record_ids_checked_by_hs_object_id_follow_merges_and_reject_unknown_ids(
    emulator: EmulatorServer,
) -> None:
    rows = [{"from_id": "150", "to_id": "201"}, {"from_id": "999", "to_id": "201"}]
    result = sync(emulator, rows, from_id_property="hs_object_id", to_id_property=None)
    assert result.outcomes[0].outcome is Outcome.CREATED
    assert result.outcomes[0].note == "contacts record 150 was merged into 104; the row uses 104"
    assert result.outcomes[1].reason == "no contacts record with id 999 exists in HubSpot"
    assert pairs(emulator) == {(104, 201)}


def test_on_ambiguous_match_is_validated() -> None:
    from airflow_provider_hubassoc.sync.errors import SyncConfigurationError

    with pytest.raises(SyncConfigurationError, match="on_ambiguous_match"):
        KeySpec.build(from_id_property="email", on_ambiguous_match="newest")
    assert not KeySpec.build(from_id_property="", to_id_property="None").active


def test_daily_limit_during_lookups_rejects_the_unresolved_rows_and_says_so(emulator: EmulatorServer) -> None:
    from airflow_provider_hubassoc.sync.outcomes import DAILY_LIMIT_REASON, DailyLimitReachedError

    emulator.runtime.reconfigure({"daily_limit": 1})  # the email batch read passes, the search does not
    try:
        rows = [{"from_id": "ada@example.com", "to_id": "example.com"}, {"from_id": "x", "to_id": "y.com"}]
        with pytest.raises(DailyLimitReachedError) as raised:
            sync(emulator, rows, mode="mirror")
    finally:
        emulator.runtime.reconfigure({"daily_limit": None})
    summary = raised.value.summary
    assert summary.rejected == summary.rows == 2
    assert raised.value.not_written == 2
    assert summary.rejected_sample[0]["reason"] == f"{DAILY_LIMIT_REASON}: key not resolved"
    assert pairs(emulator) == set()


def test_hubspots_per_input_read_errors_are_the_reason_not_a_missing_record(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_hubassoc.client.models import BatchRowError
    from airflow_provider_hubassoc.client.objects import HubSpotObjectsClient, ObjectsRead

    refused = BatchRowError(
        category="VALIDATION_ERROR",
        message="Property values were not valid",
        context={"ids": ["bad@example.com"]},
    )

    def batch_read_objects(self: HubSpotObjectsClient, object_type: str, values: Any, **kwargs: Any) -> Any:
        return ObjectsRead(missing=["gone@example.com"], errors=[refused])

    monkeypatch.setattr(HubSpotObjectsClient, "batch_read_objects", batch_read_objects)
    rows = [{"from_id": "bad@example.com", "to_id": "101"}, {"from_id": "gone@example.com", "to_id": "101"}]
    result = sync(emulator, rows, to_id_property=None)
    reasons = {o.row["from_id"]: o.reason or "" for o in result.outcomes}  # type: ignore[index]
    assert "VALIDATION_ERROR: Property values were not valid" in reasons["bad@example.com"]
    assert "no contacts record has email 'gone@example.com'" in reasons["gone@example.com"]
