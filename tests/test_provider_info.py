"""The provider metadata Airflow reads: valid against Airflow's own schemas, and consistent."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import airflow
import jsonschema
import pytest

import airflow_provider_hubassoc
from airflow_provider_hubassoc.provider_info import API_VERSIONS, AUTH_TYPES

AIRFLOW_DIR = Path(airflow.__file__).parent


@pytest.fixture(scope="module")
def info() -> dict:
    return airflow_provider_hubassoc.get_provider_info()


def test_valid_against_airflow_provider_info_schema(info: dict) -> None:
    schema = json.loads((AIRFLOW_DIR / "provider_info.schema.json").read_text())
    jsonschema.validate(info, schema)


def test_connection_type_valid_against_provider_yaml_schema(info: dict) -> None:
    schema = json.loads((AIRFLOW_DIR / "provider.yaml.schema.json").read_text())
    jsonschema.validate(info["connection-types"], schema["properties"]["connection-types"])


def test_connection_form_layout(info: dict) -> None:
    (conn_type,) = info["connection-types"]
    assert conn_type["connection-type"] == "hubassoc"
    assert conn_type["hook-name"] == "HubSpot Associations"
    behaviour = conn_type["ui-field-behaviour"]
    assert set(behaviour["hidden-fields"]) == {"login", "port", "schema"}
    assert behaviour["relabeling"]["password"] == "Private App Access Token"
    assert behaviour["placeholders"]["host"] == "https://api.hubapi.com"
    fields = conn_type["conn-fields"]
    assert set(fields) == {
        "auth_type",
        "client_id",
        "client_secret",
        "refresh_token",
        "api_version",
        "requests_per_10s",
        "timeout",
        "max_retries",
    }
    secret_fields = {name for name, spec in fields.items() if spec["schema"].get("format") == "password"}
    assert secret_fields == {"client_secret", "refresh_token"}
    assert fields["api_version"]["schema"]["enum"] == list(API_VERSIONS)
    assert fields["auth_type"]["schema"]["enum"] == list(AUTH_TYPES)
    assert fields["requests_per_10s"]["schema"]["default"] == 100


def test_hook_class_matches_metadata(info: dict) -> None:
    from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook

    (conn_type,) = info["connection-types"]
    module, _, name = conn_type["hook-class-name"].rpartition(".")
    assert f"{HubSpotAssociationsHook.__module__}.{HubSpotAssociationsHook.__name__}" == f"{module}.{name}"
    assert HubSpotAssociationsHook.conn_type == conn_type["connection-type"]
    assert HubSpotAssociationsHook.conn_name_attr == "hubassoc_conn_id"
    assert HubSpotAssociationsHook.default_conn_name == "hubassoc_default"
    legacy = HubSpotAssociationsHook.get_ui_field_behaviour()
    assert legacy["hidden_fields"] == conn_type["ui-field-behaviour"]["hidden-fields"]
    assert legacy["relabeling"] == conn_type["ui-field-behaviour"]["relabeling"]


def test_listed_modules_import(info: dict) -> None:
    import importlib

    for kind in ("hooks", "operators", "sensors", "triggers"):
        for entry in info.get(kind, []):
            for module in entry["python-modules"]:
                importlib.import_module(module)


def test_entry_point_registered() -> None:
    (entry,) = [
        ep
        for ep in metadata.entry_points(group="apache_airflow_provider")
        if ep.value.startswith("airflow_provider_hubassoc")
    ]
    assert entry.load() is airflow_provider_hubassoc.get_provider_info


def test_providers_manager_discovers_connection_type() -> None:
    from airflow.providers_manager import ProvidersManager
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    assert "airflow-provider-hubassoc" in ProvidersManager().providers
    hook = ProvidersManagerTaskRuntime().hooks["hubassoc"]
    assert hook is not None
    assert hook.hook_class_name.endswith("HubSpotAssociationsHook")
    assert hook.connection_testable
