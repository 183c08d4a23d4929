"""Airflow hooks for HubSpot CRM Associations v4.

``HubSpotAssociationsHook`` derives from :class:`airflow.sdk.BaseHook` and owns one
:class:`~airflow_provider_hubassoc.client.associations.HubSpotAssociationsClient` (one pooled
``requests.Session``) rather than deriving from ``HttpHook``: ``HttpHook`` sends unknown connection
extras (client secret, refresh token) as HTTP headers, binds the method at construction and has no
notion of HubSpot's 429 policies or 207 per-row errors, all of which the client handles.

The hook adds only what Airflow needs: the connection (looked up once), secret masking, the Test
button and closing. HubSpot's operations are the client's: call them on :attr:`client`
(``hook.client.batch_read(...)``); the hook does not restate their signatures.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import Any

from airflow_provider_hubassoc._compat import BaseHook, mask_secret
from airflow_provider_hubassoc.client.associations import HubSpotAssociationsClient
from airflow_provider_hubassoc.client.errors import (
    HubSpotAuthenticationError,
    HubSpotConfigurationError,
    HubSpotConnectionError,
    HubSpotError,
    HubSpotOAuthError,
    HubSpotPermissionError,
)
from airflow_provider_hubassoc.client.settings import ClientSettings
from airflow_provider_hubassoc.client.transport import new_session
from airflow_provider_hubassoc.hooks.connection_config import (
    HubSpotConnectionConfig,
    build_token_provider,
    read_connection,
)
from airflow_provider_hubassoc.provider_info import CONNECTION_TYPE, HOOK_NAME, UI_FIELD_BEHAVIOUR

RecordId = str | int

#: ``test_connection`` runs in the API server while a user waits: one attempt, a short timeout.
TEST_CONNECTION_TIMEOUT_SECONDS = 10.0


class HubSpotAssociationsHook(BaseHook):
    """Talk to HubSpot's Associations v4 API through a ``hubassoc`` connection.

    The connection is looked up once per hook and the client (one pooled HTTP session, the rate
    limiter and the retry policy) is built once per hook, on first use.

    :param hubassoc_conn_id: the Airflow connection id.
    :param requests_per_10s: overrides the connection's ``requests_per_10s`` (e.g. a share of the
        portal's limit per mapped task).
    """

    conn_name_attr = "hubassoc_conn_id"
    default_conn_name = "hubassoc_default"
    conn_type = CONNECTION_TYPE
    hook_name = HOOK_NAME

    def __init__(
        self,
        hubassoc_conn_id: str = default_conn_name,
        *,
        requests_per_10s: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.hubassoc_conn_id = hubassoc_conn_id
        self.requests_per_10s = requests_per_10s

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Return the connection form layout (Airflow 3.1; 3.2+ reads the provider info)."""
        return {key: value for key, value in UI_FIELD_BEHAVIOUR.items()}

    @cached_property
    def connection_config(self) -> HubSpotConnectionConfig:
        """The parsed connection, looked up once; its secrets are masked in task logs."""
        conn = self.get_connection(self.hubassoc_conn_id)
        config = read_connection(
            conn_id=self.hubassoc_conn_id,
            host=conn.host,
            password=conn.password,
            extra=conn.extra_dejson,
            requests_per_10s=self.requests_per_10s,
        )
        for secret in config.secrets:
            mask_secret(secret)
        return config

    def _build_client(self, settings: ClientSettings) -> HubSpotAssociationsClient:
        # One pooled session per client, shared by the OAuth token exchange (same host, same pool).
        session = new_session(settings)
        provider = build_token_provider(
            self.connection_config, settings, on_new_token=mask_secret, session=session
        )
        return HubSpotAssociationsClient(
            settings=settings, token_provider=provider, session=session, owns_session=True
        )

    @cached_property
    def client(self) -> HubSpotAssociationsClient:
        """The hook's one client, built on first use: every HubSpot operation is called on it."""
        return self._build_client(self.connection_config.settings)

    def get_conn(self) -> HubSpotAssociationsClient:
        """Return :attr:`client` (``BaseHook``'s name for it)."""
        return self.client

    def get_client(self) -> HubSpotAssociationsClient:
        """Return :attr:`client` (the name the operators use)."""
        return self.client

    def close(self) -> None:
        """Close the client's HTTP session, if it was opened."""
        if "client" in self.__dict__:
            self.client.close()
            del self.__dict__["client"]

    # ------------------------------------------------------------------ test button

    def test_connection(self) -> tuple[bool, str]:
        """Make one cheap read-only call and say, in words a user can act on, how it went.

        It lists the contact-company association types (``GET .../contacts/companies/labels``),
        with one attempt and a short timeout, as the UI's Test button waits for it.
        """
        try:
            config = self.connection_config
            settings = config.settings
            quick = replace(
                settings, max_retries=0, timeout=min(settings.timeout, TEST_CONNECTION_TIMEOUT_SECONDS)
            )
            with self._build_client(quick) as client:
                types = client.list_labels(from_object_type="contacts", to_object_type="companies")
        except HubSpotConfigurationError as error:
            return False, f"Connection settings are invalid: {error.message}"
        except HubSpotOAuthError as error:
            return False, (
                f"OAuth token refresh failed: {error.message}. Check client_id, client_secret and "
                "refresh_token, and that the app is still installed in the portal."
            )
        except HubSpotAuthenticationError as error:
            return False, f"HubSpot rejected the credentials (401 Unauthorized). {error.message}"
        except HubSpotPermissionError as error:
            return False, f"HubSpot refused access (403 Forbidden). {error.message}"
        except HubSpotConnectionError as error:
            return False, f"Cannot reach HubSpot at {self._base_url_for_messages()}: {error.message}"
        except HubSpotError as error:
            return False, f"HubSpot answered with an error: {error}"
        return True, (
            f"Connected to HubSpot at {settings.base_url} with API version {settings.api_version} "
            f"({config.auth_type}); {len(types)} contact-company association types visible."
        )

    def _base_url_for_messages(self) -> str:
        try:
            return self.connection_config.settings.base_url
        except HubSpotError:
            return "the configured base URL"


from airflow_provider_hubassoc.hooks.async_associations import HubSpotAssociationsAsyncHook  # noqa: E402, F401
