"""Airflow hooks for HubSpot CRM Associations v4.

``HubSpotAssociationsHook`` derives from :class:`airflow.sdk.BaseHook` and owns one
:class:`~airflow_provider_hubassoc.client.associations.HubSpotAssociationsClient` (one pooled
``requests.Session``) rather than deriving from ``HttpHook``: ``HttpHook`` sends unknown connection
extras (client secret, refresh token) as HTTP headers, binds the method at construction and has no
notion of HubSpot's 429 policies or 207 per-row errors, all of which the client handles.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from airflow_provider_hubassoc.client.models import (
    AssociatedRecord,
    AssociationInput,
    AssociationSpec,
    AssociationType,
    BatchReadResult,
    BatchResult,
    DefaultAssociation,
    HighUsageReport,
    LabelsBetweenObjectPair,
    LimitConfiguration,
    LimitConfigurationInput,
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
        """The hook's one client; built on first use."""
        return self._build_client(self.connection_config.settings)

    def get_conn(self) -> HubSpotAssociationsClient:
        """Return the hook's client (the Airflow name for it)."""
        return self.client

    def get_client(self) -> HubSpotAssociationsClient:
        """Return the hook's client."""
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

    # ------------------------------------------------------------------ records

    def get_associations(
        self, *, from_object_type: str, object_id: RecordId, to_object_type: str, limit: int = 500
    ) -> list[AssociatedRecord]:
        """List every record associated with one record (all pages).

        :param from_object_type: the record's object type, e.g. ``"contacts"`` or ``"0-1"``.
        :param object_id: the record's id.
        :param to_object_type: the associated object type.
        :param limit: page size, at most 500.
        """
        return self.client.get_associations(
            from_object_type=from_object_type,
            object_id=object_id,
            to_object_type=to_object_type,
            limit=limit,
        )

    def associate(
        self,
        *,
        from_object_type: str,
        from_object_id: RecordId,
        to_object_type: str,
        to_object_id: RecordId,
        types: Sequence[AssociationSpec],
    ) -> LabelsBetweenObjectPair:
        """Associate two records with the given types (HubSpot sets the pair's labels to them).

        :param from_object_type: the from-record's object type.
        :param from_object_id: the from-record's id.
        :param to_object_type: the to-record's object type.
        :param to_object_id: the to-record's id.
        :param types: the association types to write.
        """
        return self.client.associate(
            from_object_type=from_object_type,
            from_object_id=from_object_id,
            to_object_type=to_object_type,
            to_object_id=to_object_id,
            types=types,
        )

    def associate_default(
        self, *, from_object_type: str, from_object_id: RecordId, to_object_type: str, to_object_id: RecordId
    ) -> list[DefaultAssociation]:
        """Associate two records with the default (unlabeled) type.

        :param from_object_type: the from-record's object type.
        :param from_object_id: the from-record's id.
        :param to_object_type: the to-record's object type.
        :param to_object_id: the to-record's id.
        """
        return self.client.associate_default(
            from_object_type=from_object_type,
            from_object_id=from_object_id,
            to_object_type=to_object_type,
            to_object_id=to_object_id,
        )

    def remove_association(
        self, *, from_object_type: str, from_object_id: RecordId, to_object_type: str, to_object_id: RecordId
    ) -> None:
        """Remove every association between two records.

        :param from_object_type: the from-record's object type.
        :param from_object_id: the from-record's id.
        :param to_object_type: the to-record's object type.
        :param to_object_id: the to-record's id.
        """
        self.client.remove_association(
            from_object_type=from_object_type,
            from_object_id=from_object_id,
            to_object_type=to_object_type,
            to_object_id=to_object_id,
        )

    def batch_read(
        self, *, from_object_type: str, to_object_type: str, object_ids: Sequence[RecordId]
    ) -> BatchReadResult:
        """Read the associations of many records, every page of every input.

        :param from_object_type: the records' object type.
        :param to_object_type: the associated object type.
        :param object_ids: the records' ids (chunked by 1,000).
        """
        return self.client.batch_read(
            from_object_type=from_object_type, to_object_type=to_object_type, object_ids=object_ids
        )

    def batch_create(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[AssociationInput]
    ) -> BatchResult[LabelsBetweenObjectPair]:
        """Associate many pairs with labels (chunked by 2,000); per-row errors are returned.

        :param from_object_type: the from-records' object type.
        :param to_object_type: the to-records' object type.
        :param inputs: the pairs and their types.
        """
        return self.client.batch_create(
            from_object_type=from_object_type, to_object_type=to_object_type, inputs=inputs
        )

    def batch_associate_default(
        self, *, from_object_type: str, to_object_type: str, pairs: Sequence[tuple[RecordId, RecordId]]
    ) -> BatchResult[DefaultAssociation]:
        """Associate many pairs with the default type; per-row errors are returned.

        :param from_object_type: the from-records' object type.
        :param to_object_type: the to-records' object type.
        :param pairs: ``(from_id, to_id)`` pairs.
        """
        return self.client.batch_associate_default(
            from_object_type=from_object_type, to_object_type=to_object_type, pairs=pairs
        )

    def batch_archive(
        self, *, from_object_type: str, to_object_type: str, pairs: Sequence[tuple[RecordId, RecordId]]
    ) -> None:
        """Remove every association of many pairs.

        :param from_object_type: the from-records' object type.
        :param to_object_type: the to-records' object type.
        :param pairs: ``(from_id, to_id)`` pairs.
        """
        self.client.batch_archive(
            from_object_type=from_object_type, to_object_type=to_object_type, pairs=pairs
        )

    def batch_archive_labels(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[AssociationInput]
    ) -> None:
        """Remove only the given types from many pairs (removing Unlabeled removes the pair).

        :param from_object_type: the from-records' object type.
        :param to_object_type: the to-records' object type.
        :param inputs: the pairs and the types to remove.
        """
        self.client.batch_archive_labels(
            from_object_type=from_object_type, to_object_type=to_object_type, inputs=inputs
        )

    def request_high_usage_report(self, *, user_id: int) -> HighUsageReport:
        """Ask HubSpot to email a user the records near their association limits.

        :param user_id: the HubSpot user who receives the report.
        """
        return self.client.request_high_usage_report(user_id=user_id)

    # ------------------------------------------------------------------ labels

    def list_labels(self, *, from_object_type: str, to_object_type: str) -> list[AssociationType]:
        """List the association types (labels) defined for one direction of an object pair.

        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        """
        return self.client.list_labels(from_object_type=from_object_type, to_object_type=to_object_type)

    def create_label(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        name: str,
        label: str,
        inverse_label: str | None = None,
    ) -> list[AssociationType]:
        """Create a label (a paired one with ``inverse_label``); returns the new type(s).

        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        :param name: the internal name (no hyphen, not starting with a digit).
        :param label: the display label.
        :param inverse_label: the display label of the reverse direction, for a paired label.
        """
        return self.client.create_label(
            from_object_type=from_object_type,
            to_object_type=to_object_type,
            name=name,
            label=label,
            inverse_label=inverse_label,
        )

    def update_label(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        association_type_id: int,
        label: str,
        inverse_label: str | None = None,
    ) -> None:
        """Change a label's display text (its name and type id stay).

        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        :param association_type_id: the label's type id.
        :param label: the new display label.
        :param inverse_label: the new reverse display label, for a paired label.
        """
        self.client.update_label(
            from_object_type=from_object_type,
            to_object_type=to_object_type,
            association_type_id=association_type_id,
            label=label,
            inverse_label=inverse_label,
        )

    def delete_label(self, *, from_object_type: str, to_object_type: str, association_type_id: int) -> None:
        """Delete a label that no association uses.

        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        :param association_type_id: the label's type id.
        """
        self.client.delete_label(
            from_object_type=from_object_type,
            to_object_type=to_object_type,
            association_type_id=association_type_id,
        )

    # ------------------------------------------------------------------ limit configurations

    def get_limit_configurations(
        self, *, from_object_type: str | None = None, to_object_type: str | None = None
    ) -> list[LimitConfiguration]:
        """Read the association limits: of one object pair, or of all pairs when both are ``None``.

        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        """
        return self.client.get_limit_configurations(
            from_object_type=from_object_type, to_object_type=to_object_type
        )

    def create_limit_configurations(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[LimitConfigurationInput]
    ) -> BatchResult[LimitConfiguration]:
        """Set association limits for an object pair.

        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        :param inputs: the types and their maximum number of to-records.
        """
        return self.client.create_limit_configurations(
            from_object_type=from_object_type, to_object_type=to_object_type, inputs=inputs
        )

    def update_limit_configurations(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[LimitConfigurationInput]
    ) -> BatchResult[LimitConfiguration]:
        """Change association limits for an object pair.

        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        :param inputs: the types and their new maximum number of to-records.
        """
        return self.client.update_limit_configurations(
            from_object_type=from_object_type, to_object_type=to_object_type, inputs=inputs
        )

    def purge_limit_configurations(
        self, *, from_object_type: str, to_object_type: str, inputs: Sequence[AssociationSpec]
    ) -> None:
        """Remove association limits, so the system defaults apply again.

        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        :param inputs: the types whose limits to remove.
        """
        self.client.purge_limit_configurations(
            from_object_type=from_object_type, to_object_type=to_object_type, inputs=inputs
        )


from airflow_provider_hubassoc.hooks.async_associations import HubSpotAssociationsAsyncHook  # noqa: E402, F401
