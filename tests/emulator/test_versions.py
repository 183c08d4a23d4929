"""Every operation of every API version, through the client, against the per-version emulator.

Each test checks two things: what the emulator answered (status, from its request counters) against
the versions table below, and what the client made of it (results, row errors mapped to inputs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from airflow_provider_hubassoc.client import (
    AssociationCategory,
    AssociationInput,
    AssociationSpec,
    ClientSettings,
    HubSpotAssociationsClient,
    LimitConfigurationInput,
    StaticTokenProvider,
)
from airflow_provider_hubassoc.emulator import EmulatorServer
from airflow_provider_hubassoc.emulator.versions import ANSWERS, VERSIONS, version_of
from tests.emulator.conftest import TOKEN

HUBSPOT = AssociationCategory.HUBSPOT_DEFINED
USER = AssociationCategory.USER_DEFINED
UNLABELED = AssociationSpec(HUBSPOT, 279)

#: (status without row errors, status with row errors) per operation and version, as read in each
#: version's spec (PublicApiSpecs/CRM/Associations{, Schema}/Rollouts/130902/<version>/...json).
EXPECTED: dict[str, dict[str, tuple[int, int]]] = {
    "batch_archive": {"v4": (204, 204), "2025-09": (200, 200), "2026-03": (200, 200), "2026-09": (200, 200)},
    "batch_labels_archive": {
        "v4": (204, 204),
        "2025-09": (200, 200),
        "2026-03": (200, 200),
        "2026-09": (200, 200),
    },
    "batch_create": {"v4": (201, 207), "2025-09": (201, 207), "2026-03": (201, 207), "2026-09": (200, 200)},
    "batch_read": {"v4": (200, 207), "2025-09": (200, 207), "2026-03": (200, 207), "2026-09": (200, 200)},
    # CRM objects (PublicApiSpecs/CRM/Objects/Rollouts/424/<version>/objects.json; v3 for v4 connections)
    "objects_batch_read": {
        "v4": (200, 207),
        "2025-09": (200, 207),
        "2026-03": (200, 207),
        "2026-09": (200, 200),
    },
    "config_batch_create": {
        "v4": (201, 207),
        "2025-09": (200, 200),
        "2026-03": (201, 207),
        "2026-09": (200, 200),
    },
    "config_batch_update": {
        "v4": (200, 207),
        "2025-09": (200, 200),
        "2026-03": (200, 207),
        "2026-09": (200, 200),
    },
    "config_batch_purge": {
        "v4": (204, 204),
        "2025-09": (200, 200),
        "2026-03": (200, 200),
        "2026-09": (200, 200),
    },
}


def test_the_emulator_table_matches_the_specs() -> None:
    assert {(op, v): (a.ok, a.partial) for (op, v), a in ANSWERS.items()} == {
        (op, v): codes for op, by_version in EXPECTED.items() for v, codes in by_version.items()
    }
    for answer in ANSWERS.values():
        assert answer.body == (answer.ok != 204)
        assert answer.source.startswith(("A ", "S ", "O "))


@pytest.mark.parametrize(
    ("path", "version"),
    [
        ("/crm/v4/associations/contacts/companies/batch/archive", "v4"),
        ("/crm/associations/v4/contacts/companies/labels", "v4"),
        ("/crm/v4/objects/contacts/1/associations/companies", "v4"),
        ("/crm/associations/2025-09/contacts/companies/batch/archive", "2025-09"),
        ("/crm/objects/2026-03/contacts/1/associations/companies", "2026-03"),
        ("/crm/associations/2026-09/definitions/configurations/all", "2026-09"),
    ],
)
def test_the_path_says_which_version_answers(path: str, version: str) -> None:
    assert version_of(path) == version


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(emulator: EmulatorServer, version: str) -> Iterator[HubSpotAssociationsClient]:
    with HubSpotAssociationsClient(
        settings=ClientSettings(
            base_url=emulator.url, api_version=version, requests_per_10s=1000, max_retries=0
        ),
        token_provider=StaticTokenProvider(token=TOKEN),
    ) as client:
        yield client


def answered(emulator: EmulatorServer, endpoint: str) -> dict[str, int]:
    """Status -> count of what the emulator answered on one endpoint so far."""
    by_endpoint: dict[str, dict[str, int]] = emulator.runtime.stats.snapshot()["by_endpoint"]
    return by_endpoint.get(endpoint, {})


def expected(operation: str, version: str, *, errors: bool) -> str:
    ok, partial = EXPECTED[operation][version]
    return str(partial if errors else ok)


def counts(*statuses: str) -> dict[str, int]:
    return dict(Counter(statuses))


def row_faults(emulator: EmulatorServer, on: bool) -> None:
    emulator.runtime.reconfigure({"faults": "row_error=1" if on else None})


def pairs(emulator: EmulatorServer) -> set[tuple[int, int]]:
    return {(p["fromObjectId"], p["toObjectId"]) for p in emulator.state.pairs("0-1", "0-2")}


# ---------------------------------------------------------------- single-record operations


def test_single_record_operations(client: HubSpotAssociationsClient, emulator: EmulatorServer) -> None:
    created = client.associate(
        from_object_type="contacts",
        from_object_id="101",
        to_object_type="companies",
        to_object_id="201",
        types=[UNLABELED],
    )
    assert (created.from_object_id, created.to_object_id) == ("101", "201")
    defaults = client.associate_default(
        from_object_type="contacts", from_object_id="102", to_object_type="companies", to_object_id="202"
    )
    assert [(d.from_id, d.to_id, d.spec.type_id) for d in defaults] == [("102", "202", 279)]
    records = client.get_associations(
        from_object_type="contacts", object_id="101", to_object_type="companies"
    )
    assert [r.to_object_id for r in records] == ["201"]
    # the first company became Primary, whose label is today's text; the client keys on the type id
    assert {(t.type_id, t.label) for t in records[0].types} == {
        (279, None),
        (1, "Contact with Primary Company"),
    }
    client.remove_association(
        from_object_type="contacts", from_object_id="101", to_object_type="companies", to_object_id="201"
    )
    assert pairs(emulator) == {(102, 202)}
    assert answered(emulator, "create") == {"201": 1}
    assert answered(emulator, "create_default") == {"200": 1}
    assert answered(emulator, "get_page") == {"200": 1}
    assert answered(emulator, "archive") == {"204": 1}
    report = client.request_high_usage_report(user_id=42)
    assert report.user_id == 42
    assert report.enqueue_time_ms is not None
    assert report.enqueue_time_ms > 1_700_000_000_000


# ---------------------------------------------------------------- batch operations


def test_batch_create_maps_row_errors_in_every_version(
    client: HubSpotAssociationsClient, emulator: EmulatorServer, version: str
) -> None:
    ok = client.batch_create(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[AssociationInput("101", "201", (UNLABELED,))],
    )
    assert ok.errors == []
    assert len(ok.results) == 1
    partial = client.batch_create(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[AssociationInput("102", "202", (UNLABELED,)), AssociationInput("103", "999", (UNLABELED,))],
    )
    assert [(r.from_object_id, r.to_object_id) for r in partial.results] == [("102", "202")]
    assert [(e.category, e.input_indexes) for e in partial.errors] == [("OBJECT_NOT_FOUND", (1,))]
    assert answered(emulator, "batch_create") == counts(
        expected("batch_create", version, errors=False), expected("batch_create", version, errors=True)
    )


def test_batch_read_in_every_version(
    client: HubSpotAssociationsClient, emulator: EmulatorServer, version: str
) -> None:
    client.batch_create(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[AssociationInput("101", "201", (UNLABELED,))],
    )
    row_faults(emulator, True)
    failed = client.batch_read(
        from_object_type="contacts", to_object_type="companies", object_ids=["101", "102"]
    )
    row_faults(emulator, False)
    assert [(e.category, e.input_indexes) for e in failed.errors] == [
        ("INTERNAL_ERROR", (0,)),
        ("INTERNAL_ERROR", (1,)),
    ]
    read = client.batch_read(
        from_object_type="contacts", to_object_type="companies", object_ids=["101", "110"]
    )
    assert read.errors == []  # NO_ASSOCIATIONS_FOUND for 110 means "none", in every version
    assert [r.to_object_id for r in read.associations["101"]] == ["201"]
    assert read.associations["110"] == []
    assert answered(emulator, "batch_read") == {expected("batch_read", version, errors=True): 2}


def test_batch_associate_default_in_every_version(
    client: HubSpotAssociationsClient, emulator: EmulatorServer
) -> None:
    result = client.batch_associate_default(
        from_object_type="contacts", to_object_type="companies", pairs=[("101", "201"), ("102", "999")]
    )
    assert [(d.from_id, d.to_id) for d in result.results] == [("101", "201")]
    assert [(e.category, e.input_indexes) for e in result.errors] == [("OBJECT_NOT_FOUND", (1,))]
    assert answered(emulator, "batch_associate_default") == {"200": 1}


def _seed_pairs(client: HubSpotAssociationsClient) -> None:
    client.batch_create(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[AssociationInput("101", "201", (UNLABELED,)), AssociationInput("101", "202", (UNLABELED,))],
    )


def test_batch_archive_reports_refused_pairs_in_the_date_versions(
    client: HubSpotAssociationsClient, emulator: EmulatorServer, version: str
) -> None:
    _seed_pairs(client)
    row_faults(emulator, True)
    refused = client.batch_archive(
        from_object_type="contacts", to_object_type="companies", pairs=[("101", "201"), ("101", "202")]
    )
    row_faults(emulator, False)
    if version == "v4":  # 204 without a body: nothing can be refused, and nothing was
        assert refused.errors == []
        assert pairs(emulator) == set()
    else:  # the refusal is in the 200 envelope; neither pair may count as removed
        assert sorted(i for e in refused.errors for i in e.input_indexes) == [0, 1]
        assert {e.category for e in refused.errors} == {"INTERNAL_ERROR"}
        assert pairs(emulator) == {(101, 201), (101, 202)}
        done = client.batch_archive(
            from_object_type="contacts", to_object_type="companies", pairs=[("101", "201")]
        )
        assert done.errors == []
        assert pairs(emulator) == {(101, 202)}
    assert set(answered(emulator, "batch_archive")) == {expected("batch_archive", version, errors=True)}


def test_batch_labels_archive_reports_refused_rows_in_the_date_versions(
    client: HubSpotAssociationsClient, emulator: EmulatorServer, version: str
) -> None:
    created = client.create_label(
        from_object_type="contacts", to_object_type="companies", name="billing", label="Billing"
    )
    billing = AssociationSpec(USER, created[0].type_id)
    client.batch_create(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[
            AssociationInput("101", "201", (UNLABELED, billing)),
            AssociationInput("102", "202", (UNLABELED, billing)),
        ],
    )
    inputs = [AssociationInput("101", "201", (billing,)), AssociationInput("102", "202", (billing,))]
    row_faults(emulator, True)
    refused = client.batch_archive_labels(
        from_object_type="contacts", to_object_type="companies", inputs=inputs
    )
    row_faults(emulator, False)
    labelled = {
        (p["fromObjectId"], p["toObjectId"])
        for p in emulator.state.pairs("0-1", "0-2")
        if billing.type_id in p["typeIds"]
    }
    if version == "v4":
        assert refused.errors == []
        assert labelled == set()
    else:
        assert sorted(i for e in refused.errors for i in e.input_indexes) == [0, 1]
        assert labelled == {(101, 201), (102, 202)}
        assert (
            client.batch_archive_labels(
                from_object_type="contacts", to_object_type="companies", inputs=inputs[:1]
            ).errors
            == []
        )
    assert set(answered(emulator, "batch_labels_archive")) == {
        expected("batch_labels_archive", version, errors=False)
    }


# ---------------------------------------------------------------- labels


def test_label_operations_in_every_version(
    client: HubSpotAssociationsClient, emulator: EmulatorServer
) -> None:
    created = client.create_label(
        from_object_type="contacts",
        to_object_type="companies",
        name="mgr",
        label="Manager",
        inverse_label="Employee",
    )
    assert {t.label for t in created} == {"Manager", "Employee"}
    forward = next(
        t
        for t in client.list_labels(from_object_type="contacts", to_object_type="companies")
        if t.label == "Manager"
    )
    client.update_label(
        from_object_type="contacts",
        to_object_type="companies",
        association_type_id=forward.type_id,
        label="Boss",
    )
    labels = {
        t.type_id: t.label
        for t in client.list_labels(from_object_type="contacts", to_object_type="companies")
    }
    assert labels[forward.type_id] == "Boss"
    assert labels[1] == "Contact with Primary Company"
    client.delete_label(
        from_object_type="contacts", to_object_type="companies", association_type_id=forward.type_id
    )
    assert forward.type_id not in {
        t.type_id for t in client.list_labels(from_object_type="contacts", to_object_type="companies")
    }
    assert answered(emulator, "labels_create") == {"200": 1}
    assert answered(emulator, "labels_update") == {"204": 1}
    assert answered(emulator, "labels_delete") == {"204": 1}


# ---------------------------------------------------------------- limit configurations


def test_limit_configurations_in_every_version(
    client: HubSpotAssociationsClient, emulator: EmulatorServer, version: str
) -> None:
    label = client.create_label(
        from_object_type="contacts", to_object_type="companies", name="cap", label="Cap"
    )
    type_id = label[0].type_id
    limit = LimitConfigurationInput(USER, type_id, 3)
    created = client.create_limit_configurations(
        from_object_type="contacts", to_object_type="companies", inputs=[limit]
    )
    assert [(c.type_id, c.max_to_object_ids) for c in created.results] == [(type_id, 3)]
    assert created.errors == []
    again = client.create_limit_configurations(
        from_object_type="contacts", to_object_type="companies", inputs=[limit]
    )  # already configured: a row error, 207 or inside a 200 depending on the version
    assert [e.input_indexes for e in again.errors] == [(0,)]
    assert answered(emulator, "configurations_batch_create") == counts(
        expected("config_batch_create", version, errors=False),
        expected("config_batch_create", version, errors=True),
    )
    updated = client.update_limit_configurations(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[LimitConfigurationInput(USER, type_id, 5), LimitConfigurationInput(HUBSPOT, 279, 2)],
    )
    assert [(c.type_id, c.max_to_object_ids) for c in updated.results] == [(type_id, 5)]
    assert [e.input_indexes for e in updated.errors] == [(1,)]
    assert answered(emulator, "configurations_batch_update") == {
        expected("config_batch_update", version, errors=True): 1
    }
    assert [c.type_id for c in client.get_limit_configurations()] == [type_id]
    pair = client.get_limit_configurations(from_object_type="contacts", to_object_type="companies")
    assert [(c.type_id, c.max_to_object_ids) for c in pair] == [(type_id, 5)]

    row_faults(emulator, True)
    refused = client.purge_limit_configurations(
        from_object_type="contacts", to_object_type="companies", inputs=[AssociationSpec(USER, type_id)]
    )
    row_faults(emulator, False)
    remaining = client.get_limit_configurations(from_object_type="contacts", to_object_type="companies")
    if version == "v4":
        assert refused.errors == []
        assert remaining == []
    else:
        assert [e.input_indexes for e in refused.errors] == [(0,)]
        assert [c.type_id for c in remaining] == [type_id]
        purged = client.purge_limit_configurations(
            from_object_type="contacts", to_object_type="companies", inputs=[AssociationSpec(USER, type_id)]
        )
        assert purged.errors == []
        assert client.get_limit_configurations() == []
    assert set(answered(emulator, "configurations_batch_purge")) == {
        expected("config_batch_purge", version, errors=False)
    }


def test_no_documented_answer_is_met_with_a_warning(
    client: HubSpotAssociationsClient, emulator: EmulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    _seed_pairs(client)
    client.batch_read(from_object_type="contacts", to_object_type="companies", object_ids=["101"])
    client.batch_archive(from_object_type="contacts", to_object_type="companies", pairs=[("101", "201")])
    client.batch_archive_labels(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[AssociationInput("101", "202", (UNLABELED,))],
    )
    assert "was documented" not in caplog.text
