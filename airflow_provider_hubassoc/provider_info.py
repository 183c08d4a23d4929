"""Provider metadata: the connection type, its form, and the provider's components.

Airflow >= 3.2 renders the connection form from ``ui-field-behaviour`` and ``conn-fields`` without
importing the hook; Airflow 3.1 falls back to the hook's legacy ``get_ui_field_behaviour()``, which
reads the same constants defined here.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_hubassoc.client.paths import DEFAULT_API_VERSION

CONNECTION_TYPE = "hubassoc"
HOOK_NAME = "HubSpot Associations"
DEFAULT_BASE_URL = "https://api.hubapi.com"
API_VERSIONS = ("v4", "2025-09", "2026-03", "2026-09")
AUTH_TYPES = ("private_app", "oauth")
DEFAULT_REQUESTS_PER_10S = 100
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_RETRIES = 5

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden_fields": ["login", "port", "schema"],
    "relabeling": {"password": "Private App Access Token", "host": "Base URL"},
    "placeholders": {
        "host": DEFAULT_BASE_URL,
        "password": "pat-na1-... (leave empty with OAuth)",
        "extra": '{"auth_type": "private_app", "requests_per_10s": 100}',
    },
}

CONN_FIELDS: dict[str, dict[str, Any]] = {
    "auth_type": {
        "label": "Auth type",
        "description": "private_app: the token in 'Private App Access Token'. "
        "oauth: a public app's client id, client secret and refresh token.",
        "schema": {"type": ["string", "null"], "enum": list(AUTH_TYPES), "default": "private_app"},
    },
    "client_id": {
        "label": "OAuth client id",
        "description": "The public app's client id (OAuth only).",
        "schema": {"type": ["string", "null"]},
    },
    "client_secret": {
        "label": "OAuth client secret",
        "description": "The public app's client secret (OAuth only).",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
    "refresh_token": {
        "label": "OAuth refresh token",
        "description": "A refresh token of the portal's installation (OAuth only).",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
    "api_version": {
        "label": "API version",
        "description": "2026-03 (default, generally available), 2026-09, 2025-09 (beta) or v4 "
        "(supported by HubSpot until 2027).",
        "schema": {"type": ["string", "null"], "enum": list(API_VERSIONS), "default": DEFAULT_API_VERSION},
    },
    "requests_per_10s": {
        "label": "Requests per 10 s",
        "description": "The client keeps below this rate. 100 is the lowest HubSpot tier; "
        "split it between tasks that share the portal.",
        "schema": {"type": ["integer", "null"], "minimum": 1, "default": DEFAULT_REQUESTS_PER_10S},
    },
    "timeout": {
        "label": "Timeout (seconds)",
        "description": "Connect and read timeout of each HTTP request.",
        "schema": {"type": ["number", "null"], "minimum": 1, "default": DEFAULT_TIMEOUT_SECONDS},
    },
    "max_retries": {
        "label": "Max retries",
        "description": "Retries of a request on 429 TEN_SECONDLY_ROLLING, 5xx and connection errors.",
        "schema": {"type": ["integer", "null"], "minimum": 0, "default": DEFAULT_MAX_RETRIES},
    },
}


def _kebab(behaviour: dict[str, Any]) -> dict[str, Any]:
    return {key.replace("_", "-"): value for key, value in behaviour.items()}


def provider_info() -> dict[str, Any]:
    """Return the dict Airflow validates against ``provider_info.schema.json``."""
    from airflow_provider_hubassoc import __version__

    package = "airflow_provider_hubassoc"
    return {
        "package-name": "airflow-provider-hubassoc",
        "name": "HubSpot Associations",
        "description": "HubSpot CRM Associations v4: labels, association syncs, sensors, local emulator.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "HubSpot Associations",
                "external-doc-url": "https://developers.hubspot.com/docs/api/crm/associations",
                "tags": ["service"],
            }
        ],
        "hooks": [
            {
                "integration-name": "HubSpot Associations",
                "python-modules": [f"{package}.hooks.associations"],
            }
        ],
        "operators": [
            {
                "integration-name": "HubSpot Associations",
                "python-modules": [f"{package}.operators.labels", f"{package}.operators.associations"],
            }
        ],
        "sensors": [
            {
                "integration-name": "HubSpot Associations",
                "python-modules": [f"{package}.sensors.associations"],
            }
        ],
        "triggers": [
            {
                "integration-name": "HubSpot Associations",
                "python-modules": [f"{package}.triggers.associations"],
            }
        ],
        "connection-types": [
            {
                "connection-type": CONNECTION_TYPE,
                "hook-class-name": f"{package}.hooks.associations.HubSpotAssociationsHook",
                "hook-name": HOOK_NAME,
                "ui-field-behaviour": _kebab(UI_FIELD_BEHAVIOUR),
                "conn-fields": CONN_FIELDS,
            }
        ],
    }
