"""Every hook operation over real HTTP against the local emulator, for v4 and a date version."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from airflow_provider_hubassoc.client.errors import (
    HubSpotAuthenticationError,
    HubSpotDailyLimitError,
    HubSpotValidationError,
)
from airflow_provider_hubassoc.client.models import (
    AssociationCategory,
    AssociationInput,
    AssociationSpec,
    LimitConfigurationInput,
)
from airflow_provider_hubassoc.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook

TOKEN = "hook-test-token"
CONTACTS = [str(i) for i in range(101, 131)]
COMPANIES = [str(i) for i in range(201, 211)]
SEED = {
    "contacts": [{"id": i} for i in CONTACTS],
    "companies": [{"id": i} for i in COMPANIES],
    "deals": [{"id": "301"}],
    "tickets": [],
}
UNLABELED = AssociationSpec(AssociationCategory.HUBSPOT_DEFINED, 279)
PRIMARY = AssociationSpec(AssociationCategory.HUBSPOT_DEFINED, 1)


@pytest.fixture(params=["v4", "2026-03"])
def hook(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[HubSpotAssociationsHook]:
    config = EmulatorConfig(tokens=(TOKEN,), seed=json.loads(json.dumps(SEED)), page_size=7)
    with EmulatorServer(config, port=0) as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_HUBASSOC_DEFAULT",
            json.dumps(
                {
                    "conn_type": "hubassoc",
                    "host": server.url,
                    "password": TOKEN,
                    "extra": {"api_version": request.param, "requests_per_10s": 10_000},
                }
            ),
        )
        hook = HubSpotAssociationsHook()
        hook.server = server  # type: ignore[attr-defined]
        yield hook
        hook.close()


def type_ids(records, to_id: str) -> set[int]:
    (record,) = [r for r in records if r.to_object_id == to_id]
    return {t.type_id for t in record.types}


def test_single_record_operations(hook: HubSpotAssociationsHook) -> None:
    created = hook.client.associate(
        from_object_type="contacts",
        from_object_id=101,
        to_object_type="companies",
        to_object_id="201",
        types=[UNLABELED],
    )
    assert (created.from_object_id, created.to_object_id) == ("101", "201")
    defaults = hook.client.associate_default(
        from_object_type="contacts", from_object_id="101", to_object_type="companies", to_object_id="202"
    )
    assert {(d.from_id, d.to_id) for d in defaults} >= {("101", "202")}
    records = hook.client.get_associations(
        from_object_type="contacts", object_id="101", to_object_type="companies"
    )
    assert {r.to_object_id for r in records} == {"201", "202"}
    assert type_ids(records, "201") == {279, 1}, "the first company becomes Primary"
    reverse = hook.client.get_associations(
        from_object_type="companies", object_id="201", to_object_type="contacts"
    )
    assert type_ids(reverse, "101") == {280, 2}
    hook.client.remove_association(
        from_object_type="contacts", from_object_id="101", to_object_type="companies", to_object_id="202"
    )
    records = hook.client.get_associations(
        from_object_type="contacts", object_id="101", to_object_type="companies"
    )
    assert {r.to_object_id for r in records} == {"201"}


def test_get_associations_follows_every_page(hook: HubSpotAssociationsHook) -> None:
    hook.client.batch_associate_default(
        from_object_type="companies", to_object_type="contacts", pairs=[("201", c) for c in CONTACTS]
    )
    records = hook.client.get_associations(
        from_object_type="companies", object_id="201", to_object_type="contacts"
    )
    assert sorted(r.to_object_id for r in records) == sorted(CONTACTS)  # page size 7: 5 pages


def test_batch_operations(hook: HubSpotAssociationsHook) -> None:
    labels = hook.client.create_label(
        from_object_type="contacts", to_object_type="companies", name="consultant", label="Consultant"
    )
    consultant = next(t for t in labels if t.label == "Consultant")
    result = hook.client.batch_create(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[
            AssociationInput(from_id=c, to_id="201", types=(UNLABELED, consultant.spec)) for c in CONTACTS
        ]
        + [AssociationInput(from_id="101", to_id="999999", types=(UNLABELED,))],
    )
    assert len(result.results) == len(CONTACTS)
    (error,) = result.errors
    assert error.input_indexes == (len(CONTACTS),)
    default = hook.client.batch_associate_default(
        from_object_type="contacts", to_object_type="companies", pairs=[(c, "202") for c in CONTACTS[:5]]
    )
    assert not default.errors
    read = hook.client.batch_read(
        from_object_type="contacts", to_object_type="companies", object_ids=[*CONTACTS, "999"]
    )
    assert not read.errors or all("999" in str(e.context) for e in read.errors)
    assert type_ids(read.associations["101"], "201") == {279, 1, consultant.type_id}
    assert {r.to_object_id for r in read.associations["102"]} == {"201", "202"}
    hook.client.batch_archive_labels(
        from_object_type="contacts",
        to_object_type="companies",
        inputs=[AssociationInput(from_id="101", to_id="201", types=(consultant.spec,))],
    )
    hook.client.batch_archive(
        from_object_type="contacts", to_object_type="companies", pairs=[("102", "201"), ("102", "202")]
    )
    read = hook.client.batch_read(
        from_object_type="contacts", to_object_type="companies", object_ids=["101", "102"]
    )
    assert type_ids(read.associations["101"], "201") == {279, 1}
    assert read.associations.get("102", []) == []


def test_label_lifecycle(hook: HubSpotAssociationsHook) -> None:
    created = hook.client.create_label(
        from_object_type="contacts",
        to_object_type="contacts",
        name="manager_employee",
        label="Manager",
        inverse_label="Employee",
    )
    assert {t.label for t in created} == {"Manager", "Employee"}
    manager = next(t for t in created if t.label == "Manager")
    hook.client.update_label(
        from_object_type="contacts",
        to_object_type="contacts",
        association_type_id=manager.type_id,
        label="Line manager",
        inverse_label="Report",
    )
    listed = hook.client.list_labels(from_object_type="contacts", to_object_type="contacts")
    assert "Line manager" in {t.label for t in listed}
    hook.client.delete_label(
        from_object_type="contacts", to_object_type="contacts", association_type_id=manager.type_id
    )
    listed = hook.client.list_labels(from_object_type="contacts", to_object_type="contacts")
    assert manager.type_id not in {t.type_id for t in listed}
    for number in range(10):
        hook.client.create_label(
            from_object_type="contacts", to_object_type="deals", name=f"label_{number}", label=f"L{number}"
        )
    with pytest.raises(HubSpotValidationError):  # HubSpot's rule, checked by the server: 10 per pair
        hook.client.create_label(
            from_object_type="contacts", to_object_type="deals", name="label_10", label="L10"
        )


def test_limit_configurations(hook: HubSpotAssociationsHook) -> None:
    deal_contact = LimitConfigurationInput(
        category=AssociationCategory.HUBSPOT_DEFINED, type_id=3, max_to_object_ids=5
    )
    created = hook.client.create_limit_configurations(
        from_object_type="deals", to_object_type="contacts", inputs=[deal_contact]
    )
    assert [(c.type_id, c.max_to_object_ids) for c in created.results] == [(3, 5)]
    updated = hook.client.update_limit_configurations(
        from_object_type="deals",
        to_object_type="contacts",
        inputs=[
            LimitConfigurationInput(
                category=AssociationCategory.HUBSPOT_DEFINED, type_id=3, max_to_object_ids=4
            )
        ],
    )
    assert [(c.type_id, c.max_to_object_ids) for c in updated.results] == [(3, 4)]
    pair = hook.client.get_limit_configurations(from_object_type="deals", to_object_type="contacts")
    assert [(c.type_id, c.max_to_object_ids) for c in pair] == [(3, 4)]
    assert any(c.type_id == 3 for c in hook.client.get_limit_configurations())
    hook.client.purge_limit_configurations(
        from_object_type="deals",
        to_object_type="contacts",
        inputs=[AssociationSpec(AssociationCategory.HUBSPOT_DEFINED, 3)],
    )
    assert hook.client.get_limit_configurations(from_object_type="deals", to_object_type="contacts") == []


def test_high_usage_report(hook: HubSpotAssociationsHook) -> None:
    report = hook.client.request_high_usage_report(user_id=12345)
    assert report.user_id == 12345


def test_wrong_token_is_an_authentication_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with EmulatorServer(EmulatorConfig(tokens=(TOKEN,)), port=0) as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_HUBASSOC_DEFAULT",
            json.dumps({"conn_type": "hubassoc", "host": server.url, "password": "wrong-token"}),
        )
        hook = HubSpotAssociationsHook()
        with pytest.raises(HubSpotAuthenticationError) as excinfo:
            hook.client.list_labels(from_object_type="contacts", to_object_type="companies")
        assert "wrong-token" not in str(excinfo.value)
        ok, message = hook.test_connection()
        assert not ok
        assert "401" in message


def test_test_connection_against_emulator(hook: HubSpotAssociationsHook) -> None:
    ok, message = hook.test_connection()
    assert ok, message
    assert hook.connection_config.settings.api_version in message


def test_daily_limit_stops_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with EmulatorServer(EmulatorConfig(tokens=(TOKEN,), daily_limit=2), port=0) as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_HUBASSOC_DEFAULT",
            json.dumps({"conn_type": "hubassoc", "host": server.url, "password": TOKEN}),
        )
        hook = HubSpotAssociationsHook()
        hook.client.list_labels(from_object_type="contacts", to_object_type="companies")
        hook.client.list_labels(from_object_type="contacts", to_object_type="companies")
        with pytest.raises(HubSpotDailyLimitError):
            hook.client.list_labels(from_object_type="contacts", to_object_type="companies")
        assert hook.client.stats.requests == 3


def test_one_tcp_connection_per_hook(hook: HubSpotAssociationsHook) -> None:
    import requests

    for _ in range(25):
        hook.client.list_labels(from_object_type="contacts", to_object_type="companies")
    stats = requests.get(hook.server.url + "/_emulator/stats", timeout=5).json()  # type: ignore[attr-defined]
    assert stats["connections"] == 1


def test_oauth_exchange_shares_the_one_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    import requests

    config = EmulatorConfig(
        oauth_client_id="client-1", oauth_client_secret="secret-1", oauth_refresh_token="refresh-1"
    )
    with EmulatorServer(config, port=0) as server:
        monkeypatch.setenv(
            "AIRFLOW_CONN_HUBASSOC_DEFAULT",
            json.dumps(
                {
                    "conn_type": "hubassoc",
                    "host": server.url,
                    "extra": {
                        "auth_type": "oauth",
                        "client_id": "client-1",
                        "client_secret": "secret-1",
                        "refresh_token": "refresh-1",
                    },
                }
            ),
        )
        hook = HubSpotAssociationsHook()
        for _ in range(5):
            hook.client.list_labels(from_object_type="contacts", to_object_type="companies")
        hook.close()
        stats = requests.get(server.url + "/_emulator/stats", timeout=5).json()
    assert stats["by_endpoint"]["oauth"] == {"200": 1}, "one token exchange, then the cached token"
    assert stats["connections"] == 1, "the token exchange and the API calls share one pooled session"
