"""The wheel and the sdist hold what a user and a packager need, and their metadata passes twine check."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


def test_twine_check_passes(dist: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_wheel_has_the_license_the_example_dags_and_the_project_urls(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = Parser().parsestr(
            archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        )
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    for dag in ("hubassoc_warehouse_sync", "hubassoc_labels_and_primary", "hubassoc_wait_for_label"):
        assert f"airflow_provider_hubassoc/example_dags/{dag}.py" in names
    assert "airflow_provider_hubassoc/demo/__main__.py" in names
    assert not any(n.startswith("tests/") for n in names)
    urls = {value.split(",")[0] for value in metadata.get_all("Project-URL")}
    assert {"Homepage", "Source", "Changelog"} <= urls
    assert "License :: OSI Approved :: Apache Software License" in metadata.get_all("Classifier")
    assert "sqlite" in metadata.get_all("Provides-Extra")
    (airflow,) = [
        r for r in map(Requirement, metadata.get_all("Requires-Dist")) if r.name == "apache-airflow"
    ]
    assert not airflow.specifier.contains("3.0.6")
    assert airflow.specifier.contains("3.1.0")
    assert not airflow.specifier.contains("4.0.0")


def test_the_sdist_has_the_tests_docs_dags_and_ci(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for path in (
        "LICENSE",
        "README.md",
        "CHANGELOG.md",
        "Makefile",
        ".ci/run",
        "docs/emulator.md",
        "scripts/demo/run_demo.py",
        "scripts/ci/airflow_venv.sh",
        "airflow_provider_hubassoc/example_dags/hubassoc_warehouse_sync.py",
        "tests/conftest.py",
        "tests/dags/test_example_dags.py",
        "tests/ui/README.md",
    ):
        assert path in names, path
