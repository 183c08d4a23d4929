"""HubSpotAssociationsHook: connection handling, masking, test_connection messages (mocked HTTP)."""

from __future__ import annotations

import json
import logging
from unittest import mock

import pytest
import requests
import responses
from airflow.sdk import Connection

from airflow_provider_hubassoc.hooks import associations as hook_module
from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook
from tests.client.test_hostile_answers import trickle_body
from tests.hostile import connection_env, hostile_server

TOKEN = "pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CLIENT_SECRET = "oauth-client-secret-xyz"
REFRESH_TOKEN = "oauth-refresh-token-xyz"
ACCESS_TOKEN = "oauth-access-token-xyz"
BASE = "https://api.hubapi.com"
LABELS_URL = f"{BASE}/crm/associations/2026-03/contacts/companies/labels"  # the default version
LABELS_BODY = {
    "results": [
        {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
    ]
}


def set_connection(monkeypatch: pytest.MonkeyPatch, conn_id: str = "hubassoc_default", **fields) -> None:
    conn = Connection(conn_id=conn_id, conn_type="hubassoc", **fields)
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", conn.as_json())


@pytest.fixture
def token_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    set_connection(
        monkeypatch,
        password=TOKEN,
        extra=json.dumps({"requests_per_10s": 1000, "max_retries": 2, "portal_id": "42"}),
    )


@pytest.fixture
def oauth_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    set_connection(
        monkeypatch,
        extra=json.dumps(
            {
                "auth_type": "oauth",
                "client_id": "client-id-1",
                "client_secret": CLIENT_SECRET,
                "refresh_token": REFRESH_TOKEN,
            }
        ),
    )


def test_constructor_does_no_io() -> None:
    with mock.patch.object(HubSpotAssociationsHook, "get_connection") as get_connection:
        HubSpotAssociationsHook(hubassoc_conn_id="anything")
    get_connection.assert_not_called()


@responses.activate
def test_connection_looked_up_once_and_one_client(token_connection: None) -> None:
    responses.get(LABELS_URL, json=LABELS_BODY)
    hook = HubSpotAssociationsHook()
    with mock.patch.object(
        HubSpotAssociationsHook, "get_connection", wraps=hook.get_connection
    ) as get_connection:
        hook.client.list_labels(from_object_type="contacts", to_object_type="companies")
        hook.client.list_labels(from_object_type="contacts", to_object_type="companies")
    assert get_connection.call_count == 1
    assert hook.get_conn() is hook.get_client()


@responses.activate
def test_extras_are_never_sent_as_headers(token_connection: None) -> None:
    responses.get(LABELS_URL, json=LABELS_BODY)
    HubSpotAssociationsHook().client.list_labels(from_object_type="contacts", to_object_type="companies")
    headers = {name.lower(): value for name, value in responses.calls[0].request.headers.items()}
    assert headers["authorization"] == f"Bearer {TOKEN}"
    for extra_key in ("portal_id", "requests_per_10s", "max_retries", "auth_type"):
        assert extra_key not in headers
    assert "42" not in headers.values()


def test_token_is_masked(token_connection: None) -> None:
    with mock.patch.object(hook_module, "mask_secret") as mask_secret:
        HubSpotAssociationsHook().connection_config  # noqa: B018
    mask_secret.assert_any_call(TOKEN)


@responses.activate
def test_oauth_tokens_are_masked_and_used(oauth_connection: None) -> None:
    responses.post(
        f"{BASE}/oauth/2026-03/token",
        json={"access_token": ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN, "expires_in": 1800},
    )
    responses.get(LABELS_URL, json=LABELS_BODY)
    with mock.patch.object(hook_module, "mask_secret") as mask_secret:
        hook = HubSpotAssociationsHook()
        hook.client.list_labels(from_object_type="contacts", to_object_type="companies")
    masked = {call.args[0] for call in mask_secret.call_args_list}
    assert {CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN} <= masked
    assert responses.calls[1].request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_requests_per_10s_override(token_connection: None) -> None:
    hook = HubSpotAssociationsHook(requests_per_10s=7)
    assert hook.connection_config.settings.requests_per_10s == 7


def test_unknown_extras_warned_about(token_connection: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        HubSpotAssociationsHook().connection_config  # noqa: B018
    assert "portal_id" in caplog.text


@responses.activate
def test_test_connection_success(token_connection: None) -> None:
    responses.get(LABELS_URL, json=LABELS_BODY)
    ok, message = HubSpotAssociationsHook().test_connection()
    assert ok is True
    assert "API version 2026-03" in message
    assert len(responses.calls) == 1
    assert responses.calls[0].request.method == "GET"


@responses.activate
def test_test_connection_bad_token(token_connection: None) -> None:
    responses.get(
        LABELS_URL,
        status=401,
        json={
            "status": "error",
            "message": "Authentication credentials not found.",
            "category": "INVALID_AUTHENTICATION",
            "correlationId": "c-401",
        },
    )
    ok, message = HubSpotAssociationsHook().test_connection()
    assert ok is False
    assert "401" in message
    assert "private-app access token" in message
    assert message.count("Check") == 1, "the advice is given once"
    assert "hubassoc_default" not in message, "the UI tests a connection under a random id"
    assert TOKEN not in message
    assert len(responses.calls) == 1


@responses.activate
def test_test_connection_missing_scopes(token_connection: None) -> None:
    responses.get(
        LABELS_URL,
        status=403,
        json={
            "status": "error",
            "message": "This app hasn't been granted all required scopes to make this call.",
            "category": "MISSING_SCOPES",
            "correlationId": "c-403",
            "errors": [
                {
                    "message": "One or more of the following scopes are required.",
                    "context": {"requiredGranularScopes": ["crm.objects.contacts.read"]},
                }
            ],
        },
    )
    ok, message = HubSpotAssociationsHook().test_connection()
    assert ok is False
    assert "403" in message
    assert "crm.objects.contacts.read" in message
    assert message.count("HubSpot said") == 1


@responses.activate
def test_test_connection_unreachable(token_connection: None) -> None:
    responses.get(LABELS_URL, body=requests.exceptions.ConnectionError("Connection refused"))
    ok, message = HubSpotAssociationsHook().test_connection()
    assert ok is False
    assert "Cannot reach HubSpot at https://api.hubapi.com" in message
    assert len(responses.calls) == 1, "the Test button must not wait for retries"


def test_test_connection_refuses_plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    set_connection(monkeypatch, host="http://hubspot.example.com", password=TOKEN)
    ok, message = HubSpotAssociationsHook().test_connection()
    assert ok is False
    assert "invalid" in message.lower()
    assert "http" in message
    assert TOKEN not in message


@responses.activate
def test_test_connection_oauth_refresh_failure(oauth_connection: None) -> None:
    responses.post(
        f"{BASE}/oauth/2026-03/token",
        status=400,
        json={"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token"},
    )
    ok, message = HubSpotAssociationsHook().test_connection()
    assert ok is False
    assert "OAuth token refresh failed" in message
    assert REFRESH_TOKEN not in message
    assert CLIENT_SECRET not in message


def test_test_connection_missing_token(monkeypatch: pytest.MonkeyPatch) -> None:
    set_connection(monkeypatch)
    ok, message = HubSpotAssociationsHook().test_connection()
    assert ok is False
    assert "Private App Access Token" in message


def test_test_connection_is_bounded_by_a_total_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    with hostile_server(trickle_body) as server:
        monkeypatch.setenv("AIRFLOW_CONN_HUBASSOC_DEFAULT", connection_env(server.url, timeout=0.5))
        ok, message = HubSpotAssociationsHook().test_connection()
    assert not ok
    assert "deadline of 0.5 s" in message
    assert len(server.requests) == 1


def test_hook_adds_only_what_airflow_needs() -> None:
    # HubSpot's operations are called on hook.client; the hook restates none of their signatures.
    for operation in ("batch_read", "batch_create", "get_associations", "list_labels", "create_label"):
        assert not hasattr(HubSpotAssociationsHook, operation)
