"""The installed provider imports and registers on the Airflow it is installed next to.

``make test`` runs these against the editable install; ``make test-airflow-3.1`` (and 3.2, 3.3) run
them in a fresh environment per Airflow minor that holds the built wheel, with
``HUBASSOC_EXPECT_AIRFLOW`` (the minor) and ``HUBASSOC_EXPECT_WHEEL=1`` set, so that they also check
that the package under test is the wheel (not this source tree) and that the Airflow is that minor.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import pkgutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import airflow_provider_hubassoc
from airflow_provider_hubassoc.provider_info import CONNECTION_TYPE


def _airflow_minor() -> tuple[int, int]:
    from importlib.metadata import version

    major, minor = version("apache-airflow").split(".")[:2]
    return int(major), int(minor)


def test_the_package_under_test_is_the_expected_one() -> None:
    from importlib.metadata import version

    location = Path(airflow_provider_hubassoc.__file__).resolve()
    if os.environ.get("HUBASSOC_EXPECT_WHEEL") == "1":
        assert location.is_relative_to(Path(sysconfig.get_paths()["purelib"]).resolve()), location
        assert (location.parent / "example_dags" / "hubassoc_warehouse_sync.py").is_file()
    expected = os.environ.get("HUBASSOC_EXPECT_AIRFLOW")
    if expected:
        assert version("apache-airflow").startswith(expected + "."), version("apache-airflow")


def test_every_public_module_imports() -> None:
    names = [
        m.name
        for m in pkgutil.walk_packages(airflow_provider_hubassoc.__path__, "airflow_provider_hubassoc.")
        if not any(part.startswith("_") for part in m.name.split(".")[1:]) or m.name.endswith("__main__")
    ]
    assert len(names) > 30
    for name in (
        "hooks.associations",
        "operators.associations",
        "sensors.associations",
        "triggers.associations",
    ):
        assert f"airflow_provider_hubassoc.{name}" in names
    for name in names:
        if name.endswith("__main__"):
            continue
        importlib.import_module(name)


def test_airflow_lists_the_provider_and_its_connection_form() -> None:
    listed = subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "providers", "list", "--output", "json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    # Airflow may log to stdout before the JSON document, which is the last line
    document = next(line for line in reversed(listed.stdout.splitlines()) if line.startswith("["))
    providers = {p["package_name"]: p for p in json.loads(document)}
    assert providers["airflow-provider-hubassoc"]["version"] == airflow_provider_hubassoc.__version__

    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    hook = manager.hooks[CONNECTION_TYPE]
    assert hook is not None
    assert hook.hook_class_name == "airflow_provider_hubassoc.hooks.associations.HubSpotAssociationsHook"
    widgets = {name for name in manager.connection_form_widgets if name.startswith("extra__hubassoc__")}
    if _airflow_minor() >= (3, 2):
        # the form comes from the provider info (ui-field-behaviour, conn-fields), no hook import
        assert {"extra__hubassoc__auth_type", "extra__hubassoc__requests_per_10s"} <= widgets
        behaviour = manager.field_behaviours[CONNECTION_TYPE]
    else:
        # 3.1 reads the hook's get_ui_field_behaviour(), and only when wtforms is installed (it comes
        # with apache-airflow-providers-fab); the options then go in the Extra field as JSON
        assert widgets == set()
        if importlib.util.find_spec("wtforms") is None:
            assert CONNECTION_TYPE not in manager.field_behaviours
        behaviour = manager.field_behaviours.get(CONNECTION_TYPE) or _hook_behaviour()
    assert "password" in behaviour["relabeling"]
    assert "schema" in behaviour["hidden_fields"]


def _hook_behaviour() -> dict[str, Any]:
    from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook

    return HubSpotAssociationsHook.get_ui_field_behaviour()
