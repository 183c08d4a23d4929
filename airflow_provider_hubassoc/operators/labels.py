"""Operator that makes sure an association label exists."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_hubassoc._compat import BaseOperator
from airflow_provider_hubassoc.operators._common import parse_bool, run_permanent_as_fail
from airflow_provider_hubassoc.sync.labels import ensure_label

if TYPE_CHECKING:
    from airflow_provider_hubassoc._compat import Context
    from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook


class HubSpotCreateAssociationLabelOperator(BaseOperator):
    """Make sure a custom association label (optionally paired) exists; create only what is missing.

    Idempotent, matched by ``name``. HubSpot's label list does not return internal names, so an
    existing label is recognised by its display label, or by a name that is its display label in
    lowercase with ``_`` (``"Decision maker"`` ↔ ``decision_maker``); a different display label for
    such a name is updated (or the task fails with ``update_existing=False``). A name that exists
    under a display label that cannot be tied to it fails with an explanation.

    Returns ``{"name", "label", "type_id", "inverse_label", "inverse_type_id", "created"}``: the
    type id of each direction (``inverse_type_id`` is ``None`` for an unpaired label).

    :param from_object_type: e.g. ``"contacts"``.
    :param to_object_type: e.g. ``"companies"``.
    :param name: the internal name (letters, digits, ``_``; not starting with a digit).
    :param label: the display label of the from → to direction.
    :param inverse_label: the display label of the to → from direction (a paired label).
    :param update_existing: update the display label of an existing name (else fail).
    :param hubassoc_conn_id: the ``hubassoc`` connection.
    """

    ui_color = "#ff7a59"
    template_fields: Sequence[str] = (
        "from_object_type",
        "to_object_type",
        "name",
        "display_label",
        "inverse_label",
        "update_existing",
        "hubassoc_conn_id",
    )

    def __init__(
        self,
        *,
        from_object_type: str,
        to_object_type: str,
        name: str,
        label: str,
        inverse_label: str | None = None,
        update_existing: bool = True,
        hubassoc_conn_id: str = "hubassoc_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.from_object_type = from_object_type
        self.to_object_type = to_object_type
        self.name = name
        # BaseOperator.label is a read-only property (the task's display label): store it aside.
        self.display_label = label
        self.inverse_label = inverse_label
        self.update_existing = update_existing
        self.hubassoc_conn_id = hubassoc_conn_id

    @cached_property
    def hook(self) -> HubSpotAssociationsHook:
        """The hook (one client per hook)."""
        from airflow_provider_hubassoc.hooks.associations import HubSpotAssociationsHook

        return HubSpotAssociationsHook(hubassoc_conn_id=self.hubassoc_conn_id)

    def execute(self, context: Context) -> dict[str, object]:
        """Ensure the label and return its type ids (to XCom).

        :param context: the task context.
        :raises AirflowFailException: on permanent errors (bad name, conflicts, 4xx).
        """
        try:
            return self._ensure()
        finally:
            if "hook" in self.__dict__:
                self.hook.close()  # the task's one HTTP session

    def _ensure(self) -> dict[str, object]:
        update_existing = parse_bool(self.update_existing, "update_existing")
        result = run_permanent_as_fail(
            lambda: ensure_label(
                self.hook.get_client(),
                from_object_type=self.from_object_type,
                to_object_type=self.to_object_type,
                name=self.name,
                label=self.display_label,
                inverse_label=self.inverse_label or None,
                update_existing=update_existing,
            )
        )
        self.log.info(
            "Label %s (%r) for %s → %s: type id %s, inverse type id %s; %s",
            result.name,
            result.label,
            self.from_object_type,
            self.to_object_type,
            result.type_id,
            result.inverse_type_id,
            "created" if result.created else ("updated" if result.updated else "already existed"),
        )
        return result.to_dict()


__all__ = ["HubSpotCreateAssociationLabelOperator"]
