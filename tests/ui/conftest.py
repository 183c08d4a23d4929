"""Real-browser tests of the ``hubassoc`` connection form (``make test-ui``).

They are opt-in: unless ``HUBASSOC_UI_TESTS=1`` is set, ``collect_ignore_glob`` below makes pytest
skip this folder during collection, so a plain ``pytest`` / ``make test`` neither runs nor reports
them. They need Chromium at ``/usr/bin/chromium`` (``apt-get install -y chromium chromium-driver``)
and the ``ui`` extra (``pip install -e '.[test,ui]'``).

The session fixtures start, on free loopback ports, the HubSpot emulator and a real Airflow API
server (fresh ``AIRFLOW_HOME``, ``airflow db migrate``, Test button enabled, every user an admin),
and stop both by process group id when the session ends, whatever the outcome. Screenshots and the
server logs go to ``artifacts/ui/``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.ui.state import GOOD_TOKEN, Flow

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.ui.servers import AirflowServer, Emulator

UI_TESTS_ENABLED = os.environ.get("HUBASSOC_UI_TESTS") == "1"
if not UI_TESTS_ENABLED:
    collect_ignore_glob = ["*"]

CHROMIUM = os.environ.get("HUBASSOC_UI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ui"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    (ARTIFACTS / "logs").mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def emulator(artifacts: Path) -> Iterator[Emulator]:
    from tests.ui.servers import start_emulator

    server = start_emulator(artifacts / "logs", token=GOOD_TOKEN)
    try:
        yield server
    finally:
        server.process.stop()


@pytest.fixture(scope="session")
def airflow(artifacts: Path) -> Iterator[AirflowServer]:
    from tests.ui.servers import start_airflow

    home = Path(tempfile.mkdtemp(prefix="hubassoc-ui-airflow-home-"))
    try:
        server = start_airflow(home, artifacts / "logs")
        try:
            yield server
        finally:
            server.process.stop()
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def flow() -> Flow:
    return Flow()


@pytest.fixture(scope="session")
def browser(artifacts: Path) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium was not found at {CHROMIUM}. Install it with "
            "`sudo apt-get install -y chromium chromium-driver` (Debian/Ubuntu), "
            "or point HUBASSOC_UI_CHROMIUM at a Chromium binary.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright is missing: pip install -e '.[test,ui]' (or run `make test-ui`).", pytrace=False
        )

    profile = Path(tempfile.mkdtemp(prefix="hubassoc-ui-chromium-"))
    with sync_playwright() as playwright:
        # A persistent context would need its own user-data-dir argument; launch() already gives
        # every browser a fresh temporary profile, and TMPDIR keeps Chromium's scratch files apart.
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            env={**os.environ, "TMPDIR": str(profile), "HOME": str(profile)},
        )
        try:
            yield launched
        finally:
            launched.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Browser, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    console: list[str] = []
    new_page = context.new_page()
    new_page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    new_page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    try:
        yield new_page
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            new_page.screenshot(path=str(artifacts / f"FAILED-{request.node.name}.png"), full_page=True)
        if console:
            (artifacts / "logs" / f"console-{request.node.name}.log").write_text("\n".join(console) + "\n")
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
