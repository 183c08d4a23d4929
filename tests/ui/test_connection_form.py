"""Drive the real Airflow UI in headless Chromium against the real provider metadata and hook.

The steps share one Airflow API server and one emulator (see ``conftest.py``) and run in order:

1. Admin -> Connections -> Add Connection, type "HubSpot Associations": the relabelled standard
   fields, the hidden ones and the extra fields.
2. A connection to the emulator with the valid token: saved, then the list's Test button succeeds.
3. The token edited to a wrong one: Test reports HubSpot's 401 in words.
4. ``GET /api/v2/connections/{id}`` redacts the token and the secret extras, which are stored intact.

Every step leaves screenshots in ``artifacts/ui/``.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Request, Route, expect

from airflow_provider_hubassoc.client.paths import DEFAULT_API_VERSION
from tests.ui.servers import AirflowServer, Emulator
from tests.ui.state import GOOD_TOKEN, WRONG_TOKEN, Flow

EXTRA_FIELD_LABELS = [
    "Auth type",
    "OAuth client id",
    "OAuth client secret",
    "OAuth refresh token",
    "API version",
    "Requests per 10 s",
    "Timeout (seconds)",
    "Max retries",
]
PORT_BUG = "The host or port to test differs from the stored connection"


def shot(page: Page, artifacts: Path, name: str, dialog: Locator | None = None) -> None:
    """Save ``artifacts/<name>.png``: the whole dialog if given (in a tall window), else the window."""
    path = str(artifacts / f"{name}.png")
    if dialog is None:
        page.screenshot(path=path)
        return
    size = page.viewport_size or {"width": 1400, "height": 900}
    page.set_viewport_size({"width": size["width"], "height": 1800})
    try:
        settle(dialog)
        dialog.screenshot(path=path)
    finally:
        page.set_viewport_size(size)


def settle(locator: Locator) -> None:
    """Wait until the CSS animations of ``locator`` (toast slide-in, accordion) have finished."""
    locator.evaluate("el => Promise.all(el.getAnimations({subtree: true}).map((a) => a.finished))")


def toast(page: Page, title: str, text: str, artifacts: Path, name: str) -> None:
    """Assert a toast with ``title`` whose description contains ``text``; screenshot it settled."""
    found = page.locator("[data-scope='toast'][data-part='root']").filter(has_text=title).last
    expect(found).to_be_visible()
    expect(found.locator("[data-part='description']")).to_contain_text(text)
    settle(found)
    page.screenshot(path=str(artifacts / f"{name}.png"))
    found.screenshot(path=str(artifacts / f"{name}-toast.png"))


def open_connections_via_admin_menu(page: Page, airflow: AirflowServer) -> None:
    page.goto(f"{airflow.url}/")
    page.get_by_role("button", name="Admin").click()
    page.get_by_role("menuitem", name="Connections").click()
    expect(page).to_have_url(f"{airflow.url}/connections")
    expect(page.get_by_role("button", name="Add Connection")).to_be_visible()


def open_connections(page: Page, airflow: AirflowServer) -> None:
    page.goto(f"{airflow.url}/connections")
    expect(page.get_by_role("button", name="Add Connection")).to_be_visible()


def add_hubassoc_dialog(page: Page, conn_id: str) -> Locator:
    """Click Add Connection, type the id and pick "HubSpot Associations"; return the dialog."""
    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Add Connection")).to_be_visible()
    dialog.get_by_label("Connection ID").fill(conn_id)
    dialog.get_by_role("combobox").fill("HubSpot")
    page.get_by_role("option", name="HubSpot Associations", exact=True).click()
    expect(dialog.get_by_label("Base URL")).to_be_visible()
    return dialog


def expand(dialog: Locator, section: str) -> None:
    trigger = dialog.get_by_role("button", name=section, exact=True)
    if trigger.get_attribute("aria-expanded") != "true":
        trigger.click()
    expect(trigger).to_have_attribute("aria-expanded", "true")


def connection_row(page: Page, conn_id: str) -> Locator:
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=conn_id, exact=True))
    expect(row).to_have_count(1)
    return row


def fix_port_zero(route: Route, request: Request) -> None:
    """Send ``port: null`` instead of the UI's ``Number(null) == 0`` (the apache/airflow#73298 fix)."""
    body = request.post_data_json
    if isinstance(body, dict) and body.get("port") == 0:
        body["port"] = None
    route.continue_(post_data=json.dumps(body))


def press_test(page: Page, flow: Flow, artifacts: Path, name: str) -> dict[str, object]:
    """Press the list's Test button; return the API's ``{status, message}``.

    Airflow 3.3.1 and 3.3.2 answer 400 for every connection without a port because the UI sends
    ``port: 0`` (apache/airflow#73298, fixed upstream in the API). When that happens the screen is
    recorded and the button is pressed again with the request's port set to null, which is what the
    fixed API does; everything else (UI, API server, hook, emulator) stays real.
    """
    if flow.port_bug_seen:
        page.route("**/api/v2/connections/test", fix_port_zero)
    button = connection_row(page, flow.conn_id).get_by_role("button", name="Test Connection")
    with page.expect_response(lambda r: r.url.endswith("/api/v2/connections/test")) as answer:
        button.click()
    response = answer.value
    if response.status == 400 and PORT_BUG in response.text() and not flow.port_bug_seen:
        toast(page, "Test Connection Failed", "Bad Request", artifacts, f"{name}-airflow-port-bug-73298")
        warnings.warn(
            "Airflow's Test button sent port 0 and the API answered 400 'host or port differs' "
            "(apache/airflow#73298, Airflow 3.3.1-3.3.2); retrying with port null.",
            stacklevel=1,
        )
        flow.port_bug_seen = True
        page.route("**/api/v2/connections/test", fix_port_zero)
        with page.expect_response(lambda r: r.url.endswith("/api/v2/connections/test")) as answer:
            button.click()
        response = answer.value
    assert response.status == 200, (
        f"POST /api/v2/connections/test answered {response.status}: {response.text()}"
    )
    result: dict[str, object] = response.json()
    return result


# ------------------------------------------------------------------------------------------ step 1


def test_1_form_shows_hubassoc_fields(page: Page, airflow: AirflowServer, artifacts: Path) -> None:
    open_connections_via_admin_menu(page, airflow)
    dialog = add_hubassoc_dialog(page, "hubassoc_form_only")

    # Standard fields: relabelled host and password, login/port/schema not rendered at all.
    base_url = dialog.get_by_label("Base URL", exact=True)
    expect(base_url).to_be_visible()
    expect(base_url).to_have_attribute("name", "host")
    expect(base_url).to_have_attribute("placeholder", "https://api.hubapi.com")
    token = dialog.get_by_label("Private App Access Token", exact=True)
    expect(token).to_be_visible()
    expect(token).to_have_attribute("name", "password")
    expect(token).to_have_attribute("type", "password")
    for hidden in ("login", "port", "schema"):
        expect(dialog.locator(f"input[name='{hidden}']")).to_have_count(0)
    for label in ("Host", "Password", "Login", "Port", "Schema"):
        expect(dialog.locator("label").filter(has_text=re.compile(rf"^\s*{label}\s*$"))).to_have_count(0)
    shot(page, artifacts, "01a-add-form-standard-fields", dialog)

    # Extra fields (conn-fields), with their defaults.
    expand(dialog, "Extra Fields")
    for label in EXTRA_FIELD_LABELS:
        expect(dialog.get_by_text(label, exact=True)).to_be_visible()
    expect(dialog.locator("input[name='element_auth_type']")).to_have_value("private_app")
    expect(dialog.locator("input[name='element_api_version']")).to_have_value(DEFAULT_API_VERSION)  # default
    expect(dialog.locator("input[name='element_requests_per_10s']")).to_have_value("100")
    expect(dialog.locator("input[name='element_timeout']")).to_have_value("30")
    expect(dialog.locator("input[name='element_max_retries']")).to_have_value("5")
    expect(dialog.locator("input[name='element_client_secret']")).to_have_attribute("type", "password")
    expect(dialog.locator("input[name='element_refresh_token']")).to_have_attribute("type", "password")
    expect(dialog.locator("input[name='element_client_id']")).not_to_have_attribute("type", "password")
    shot(page, artifacts, "01b-add-form-extra-fields", dialog)

    # The two enum fields are dropdowns with the declared choices.
    dialog.get_by_label("Auth type").click()
    auth_options = [text.strip() for text in page.get_by_role("option").all_inner_texts()]
    shot(page, artifacts, "01c-auth-type-dropdown")
    assert set(auth_options) == {"private_app", "oauth"}, auth_options
    page.get_by_role("option", name="oauth", exact=True).click()
    expect(dialog.locator("input[name='element_auth_type']")).to_have_value("oauth")
    dialog.get_by_label("API version").click()
    version_options = [text.strip() for text in page.get_by_role("option").all_inner_texts()]
    assert set(version_options) == {"v4", "2025-09", "2026-03", "2026-09"}, version_options
    page.get_by_role("option", name="v4", exact=True).click()

    # The extras are mirrored in the "Extra Fields JSON" editor.
    expand(dialog, "Extra Fields JSON")
    shot(page, artifacts, "01d-add-form-extra-json", dialog)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)


# ------------------------------------------------------------------------------------------ step 2


def test_2_save_and_test_succeeds(
    page: Page, airflow: AirflowServer, emulator: Emulator, flow: Flow, artifacts: Path
) -> None:
    open_connections(page, airflow)
    dialog = add_hubassoc_dialog(page, flow.conn_id)
    dialog.get_by_label("Description").fill("Made by the UI test (make test-ui).")
    dialog.get_by_label("Base URL", exact=True).fill(emulator.url)
    dialog.get_by_label("Private App Access Token", exact=True).fill(emulator.token)
    expand(dialog, "Extra Fields")
    # Secret extras are filled too (auth type stays private_app, so the hook ignores them) so that
    # step 4 can check their redaction; one non-default number checks the integer round trip.
    dialog.locator("input[name='element_client_id']").fill("ui-client-id")
    dialog.locator("input[name='element_client_secret']").fill(flow.client_secret)
    dialog.locator("input[name='element_refresh_token']").fill(flow.refresh_token)
    dialog.locator("input[name='element_requests_per_10s']").fill("50")
    shot(page, artifacts, "02a-filled-form", dialog)

    with page.expect_response(
        lambda r: r.url.endswith("/api/v2/connections") and r.request.method == "POST"
    ) as created:
        dialog.get_by_role("button", name="Save").click()
    assert created.value.status == 201, created.value.text()
    expect(page.get_by_role("dialog")).to_have_count(0)
    row = connection_row(page, flow.conn_id)
    expect(row).to_contain_text(emulator.url)
    flow.saved = True
    shot(page, artifacts, "02b-saved-connection-list")

    result = press_test(page, flow, artifacts, "02c")
    assert result["status"] is True, result
    assert str(result["message"]).startswith(
        f"Connected to HubSpot at {emulator.url} with API version {DEFAULT_API_VERSION}"
    )
    toast(
        page,
        "Test Connection Successful",
        f"Connected to HubSpot at {emulator.url}",
        artifacts,
        "02d-test-success",
    )


# ------------------------------------------------------------------------------------------ step 3


def test_3_wrong_token_reports_401(page: Page, airflow: AirflowServer, flow: Flow, artifacts: Path) -> None:
    if not flow.saved:
        pytest.fail("step 2 did not save the connection, so this step cannot run")
    open_connections(page, airflow)
    connection_row(page, flow.conn_id).get_by_role("button", name="Edit Connection").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Edit Connection")).to_be_visible()
    token = dialog.get_by_label("Private App Access Token", exact=True)
    expect(token).to_have_value("***")  # the stored token is never sent to the browser
    token.fill(WRONG_TOKEN)
    shot(page, artifacts, "03a-edit-wrong-token", dialog)
    with page.expect_response(
        lambda r: f"/api/v2/connections/{flow.conn_id}" in r.url and r.request.method == "PATCH"
    ) as patched:
        dialog.get_by_role("button", name="Save").click()
    assert patched.value.status == 200, patched.value.text()
    expect(page.get_by_role("dialog")).to_have_count(0)

    result = press_test(page, flow, artifacts, "03b")
    assert result["status"] is False, result
    assert WRONG_TOKEN not in str(result["message"])
    toast(
        page,
        "Test Connection Failed",
        "HubSpot rejected the credentials (401 Unauthorized)",
        artifacts,
        "03c-test-401",
    )


# ------------------------------------------------------------------------------------------ step 4


def test_4_rest_api_redacts_secrets(page: Page, airflow: AirflowServer, flow: Flow, artifacts: Path) -> None:
    if not flow.saved:
        pytest.fail("step 2 did not save the connection, so this step cannot run")
    status, body = airflow.api("GET", f"/api/v2/connections/{flow.conn_id}")
    assert status == 200, body
    (artifacts / "04-rest-connection.json").write_text(json.dumps(body, indent=2) + "\n")
    raw = json.dumps(body)
    for secret in (GOOD_TOKEN, WRONG_TOKEN, flow.client_secret, flow.refresh_token):
        assert secret not in raw, f"a secret leaked in GET /api/v2/connections/{flow.conn_id}"
    assert body["conn_type"] == "hubassoc"
    assert body["password"] == "***"
    extra = json.loads(body["extra"])
    assert extra["client_secret"] == "***"
    assert extra["refresh_token"] == "***"
    assert extra["client_id"] == "ui-client-id"
    assert extra["auth_type"] == "private_app"
    assert extra["api_version"] == DEFAULT_API_VERSION  # the form's default, saved as is
    assert extra["requests_per_10s"] == 50

    # The same JSON as the browser shows it (for the screenshot).
    page.goto(f"{airflow.url}/api/v2/connections/{flow.conn_id}")
    expect(page.locator("body")).to_contain_text('"password":"***"')
    shot(page, artifacts, "04a-rest-connection-raw")
    # ... and formatted, with the extra JSON string parsed, for a readable screenshot.
    page.set_content(
        f"<h3>GET /api/v2/connections/{html.escape(flow.conn_id)}</h3>"
        f"<pre>{html.escape(json.dumps({**body, 'extra': extra}, indent=2))}</pre>"
    )
    shot(page, artifacts, "04b-rest-connection-formatted")

    # Redacted values are placeholders only: the stored connection still has the real secrets,
    # including after the edit in step 3 posted '***' back for the untouched extras.
    exported = airflow.cli("connections", "get", flow.conn_id, "--output", "json")
    assert exported.returncode == 0, exported.stderr
    stored = json.loads(exported.stdout)
    stored = stored[0] if isinstance(stored, list) else stored
    stored_extra = stored.get("extra_dejson") or json.loads(stored["extra"])
    assert stored["password"] == WRONG_TOKEN
    assert stored_extra["client_secret"] == flow.client_secret
    assert stored_extra["refresh_token"] == flow.refresh_token
