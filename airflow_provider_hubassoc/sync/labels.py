"""Label resolution for one direction, and idempotent label creation.

HubSpot's label list returns ``category``, ``typeId`` and the display ``label`` but not the
internal ``name``. A label reference therefore resolves, in this order, as:

1. a type id (``int`` or digit string) defined for the direction;
2. ``"Primary"`` (any case): the direction's HUBSPOT_DEFINED primary type, found by its
   documented type id (contact→company 1, deal→company 5, ticket→company 26, company→contact 2,
   company→deal 6, company→ticket 25), else as the HUBSPOT_DEFINED type whose label contains
   "Primary" (HubSpot renamed "Primary" to e.g. "Contact with Primary Company");
3. a display label, compared case-insensitively;
4. an internal name, inferred from the display label as lowercase with runs of other characters
   replaced by ``_`` (``"Decision maker"`` → ``decision_maker``). Names that are not derived
   from the display label this way (e.g. the name of a paired label) cannot be matched: use the
   display label or the type id (the label operator returns both type ids).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from airflow_provider_hubassoc.client.errors import (
    HubSpotError,
    HubSpotNotFoundError,
    HubSpotValidationError,
)
from airflow_provider_hubassoc.client.models import AssociationCategory, AssociationSpec, AssociationType
from airflow_provider_hubassoc.sync.errors import LabelConflictError, SyncConfigurationError
from airflow_provider_hubassoc.sync.objects import KNOWN_PRIMARY_TYPE_IDS, canonical_object_type
from airflow_provider_hubassoc.sync.protocols import LabelListing, LabelsClient
from airflow_provider_hubassoc.sync.rows import MAX_RECORD_ID, LabelRef, shown

log = logging.getLogger(__name__)

_NON_WORD = re.compile(r"[^a-z0-9]+")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def infer_name(display_label: str) -> str:
    """Return the internal name HubSpot users usually give a display label.

    :param display_label: e.g. ``"Decision maker"``.
    """
    return _NON_WORD.sub("_", display_label.strip().lower()).strip("_")


class LabelResolutionError(ValueError):
    """A label reference does not resolve; the message is the rejection reason.

    :param message: the reason.
    :param primary: whether the reference was ``"Primary"`` (for the reject kind).
    """

    def __init__(self, message: str, *, primary: bool = False) -> None:
        super().__init__(message)
        self.primary = primary


def is_unlabeled(association_type: AssociationType) -> bool:
    """Whether a type is the HubSpot-defined unlabeled (default) type of its direction.

    :param association_type: a type from a label list or a read.
    """
    return association_type.category == AssociationCategory.HUBSPOT_DEFINED and association_type.label is None


class LabelResolver:
    """Resolves label references for one direction from the portal's label definitions.

    :param from_object_type: the from object type as configured.
    :param to_object_type: the to object type as configured.
    :param definitions: the direction's types, as returned by ``list_labels``.
    """

    def __init__(
        self, *, from_object_type: str, to_object_type: str, definitions: Sequence[AssociationType]
    ) -> None:
        self.from_object_type = from_object_type
        self.to_object_type = to_object_type
        self.definitions = tuple(definitions)
        self._by_id: dict[int, AssociationType] = {}
        for definition in self.definitions:
            self._by_id.setdefault(definition.type_id, definition)
        self.unlabeled_type_ids = frozenset(d.type_id for d in self.definitions if is_unlabeled(d))
        self.primary: AssociationType | None = self._find_primary()
        self._by_label: dict[str, AssociationType] = {}
        self._by_name: dict[str, AssociationType] = {}
        # User-defined labels win over HubSpot-defined ones of the same text.
        ordered = sorted(
            (d for d in self.definitions if d.label),
            key=lambda d: (d.category == AssociationCategory.HUBSPOT_DEFINED, d.type_id),
        )
        for definition in ordered:
            assert definition.label is not None
            self._by_label.setdefault(definition.label.strip().casefold(), definition)
            self._by_name.setdefault(infer_name(definition.label), definition)

    @classmethod
    def load(cls, client: LabelListing, *, from_object_type: str, to_object_type: str) -> LabelResolver:
        """Build a resolver from the portal's definitions (one ``list_labels`` call).

        :param client: the HubSpot client.
        :param from_object_type: the from object type.
        :param to_object_type: the to object type.
        :raises SyncConfigurationError: when HubSpot does not know the object types.
        """
        definitions = list_labels_or_config_error(
            client, from_object_type=from_object_type, to_object_type=to_object_type
        )
        return cls(from_object_type=from_object_type, to_object_type=to_object_type, definitions=definitions)

    def _find_primary(self) -> AssociationType | None:
        """The direction's primary type: HubSpot's documented type id first, the label text second.

        The id is what identifies Primary (its label text changed in 2024, from "Primary" to e.g.
        "Contact with Primary Company"); the text is only a fallback for a direction whose id is not
        in :data:`KNOWN_PRIMARY_TYPE_IDS`.
        """
        try:
            key = (canonical_object_type(self.from_object_type), canonical_object_type(self.to_object_type))
        except SyncConfigurationError:
            key = None
        known = KNOWN_PRIMARY_TYPE_IDS.get(key) if key else None
        if known is not None:
            return self._by_id.get(
                known, AssociationType(AssociationCategory.HUBSPOT_DEFINED, known, "Primary")
            )
        for definition in self.definitions:
            if (
                definition.category == AssociationCategory.HUBSPOT_DEFINED
                and definition.label
                and "primary" in definition.label.casefold()
            ):
                return definition
        return None

    @property
    def direction(self) -> str:
        """``from → to``, for messages."""
        return f"{self.from_object_type} → {self.to_object_type}"

    def category_of(self, type_id: int) -> AssociationCategory | None:
        """The category of a defined type id, ``None`` when the direction does not define it.

        :param type_id: an association type id.
        """
        found = self._by_id.get(type_id)
        if found is None and self.primary is not None and self.primary.type_id == type_id:
            return self.primary.category
        return found.category if found else None

    def describe_existing(self) -> str:
        """List the labels that exist for the direction (for rejection reasons)."""
        parts = [f"{d.label!r} ({d.type_id})" for d in self.definitions if d.label]
        listed = {d.type_id for d in self.definitions if d.label}
        if self.primary is not None and self.primary.type_id not in listed:
            parts.append(f"'Primary' ({self.primary.type_id})")
        return ", ".join(parts) if parts else "none"

    def resolve(self, reference: LabelRef) -> AssociationSpec:
        """Resolve one label reference.

        :param reference: a display label, an internal name, a type id or ``"Primary"``.
        :raises LabelResolutionError: with the reason when it does not resolve.
        """
        text = reference.strip() if isinstance(reference, str) else ""
        if isinstance(reference, int) or (text.isascii() and text.isdigit()):
            category = None
            if isinstance(reference, int) or len(text) <= len(str(MAX_RECORD_ID)):
                type_id = int(reference)
                category = self.category_of(type_id)
            if category is None:
                raise LabelResolutionError(
                    f"unknown association type id {shown(reference)} for {self.direction}; "
                    f"labels that exist: {self.describe_existing()}"
                )
            return AssociationSpec(category, type_id)
        folded = text.casefold()
        if folded == "primary":
            if self.primary is None:
                raise LabelResolutionError(
                    f"'Primary' is not available for {self.direction} "
                    "(only contacts, deals and tickets have a primary company)",
                    primary=True,
                )
            return self.primary.spec
        found = self._by_label.get(folded) or self._by_name.get(infer_name(text))
        if found is None:
            raise LabelResolutionError(
                f"unknown label {shown(text)} for {self.direction}; "
                f"labels that exist: {self.describe_existing()}"
            )
        return found.spec

    def resolve_all(self, references: Iterable[LabelRef]) -> frozenset[AssociationSpec]:
        """Resolve several references; unlabeled types are dropped (they are always present).

        :param references: label references.
        :raises LabelResolutionError: on the first one that does not resolve.
        """
        specs = {self.resolve(reference) for reference in references}
        return frozenset(s for s in specs if s.type_id not in self.unlabeled_type_ids)


def list_labels_or_config_error(
    client: LabelListing, *, from_object_type: str, to_object_type: str
) -> list[AssociationType]:
    """Call ``list_labels``, turning "unknown object type" answers into a configuration error.

    :param client: the HubSpot client.
    :param from_object_type: the from object type.
    :param to_object_type: the to object type.
    :raises SyncConfigurationError: when HubSpot answers 400 or 404.
    """
    try:
        return client.list_labels(from_object_type=from_object_type, to_object_type=to_object_type)
    except (HubSpotNotFoundError, HubSpotValidationError) as exc:
        raise SyncConfigurationError(
            f"HubSpot does not accept the object types {from_object_type!r} → {to_object_type!r}: {exc}"
        ) from exc


@dataclass(frozen=True, slots=True)
class EnsureLabelResult:
    """What :func:`ensure_label` found or did.

    :param name: the internal name asked for.
    :param label: the display label.
    :param type_id: the type id of the from → to direction.
    :param inverse_label: the inverse display label of a paired label.
    :param inverse_type_id: the type id of the to → from direction (paired labels only).
    :param created: whether the label was created by this call.
    :param updated: whether an existing label's display text was changed.
    """

    name: str
    label: str
    type_id: int
    inverse_label: str | None
    inverse_type_id: int | None
    created: bool
    updated: bool = False

    def to_dict(self) -> dict[str, object]:
        """Return the XCom form ``{name, label, type_id, inverse_label, inverse_type_id, created}``."""
        return {
            "name": self.name,
            "label": self.label,
            "type_id": self.type_id,
            "inverse_label": self.inverse_label,
            "inverse_type_id": self.inverse_type_id,
            "created": self.created,
        }


def _custom(definitions: Iterable[AssociationType]) -> list[AssociationType]:
    return [d for d in definitions if d.category != AssociationCategory.HUBSPOT_DEFINED and d.label]


def _find_label(definitions: Iterable[AssociationType], text: str, exclude: int | None = None) -> int | None:
    folded = text.strip().casefold()
    for definition in _custom(definitions):
        if definition.type_id != exclude and (definition.label or "").strip().casefold() == folded:
            return definition.type_id
    return None


def _find_by_name(definitions: Iterable[AssociationType], name: str) -> AssociationType | None:
    for definition in _custom(definitions):
        if infer_name(definition.label or "") == name.lower():
            return definition
    return None


def ensure_label(
    client: LabelsClient,
    *,
    from_object_type: str,
    to_object_type: str,
    name: str,
    label: str,
    inverse_label: str | None = None,
    update_existing: bool = True,
) -> EnsureLabelResult:
    """Make sure a (possibly paired) label exists; create only what is missing.

    HubSpot does not return internal names, so an existing label is recognised (a) by its display
    label (the same text, case-insensitively: then nothing is created), or (b) by its name when the
    name is the display label's inferred form (``"Decision maker"`` ↔ ``decision_maker``): then its
    display text differs and is updated (or :class:`LabelConflictError` when
    ``update_existing=False``). Otherwise the label is created; when HubSpot answers that the name
    is taken by a label that (a) and (b) cannot identify, :class:`LabelConflictError` explains it.
    A retried task converges: a label created by a failed attempt is found by its display label.

    :param client: the HubSpot client.
    :param from_object_type: the from object type.
    :param to_object_type: the to object type.
    :param name: the internal name (no ``-``, must not start with a digit).
    :param label: the display label of the from → to direction.
    :param inverse_label: the display label of the to → from direction, for a paired label.
    :param update_existing: update a different display label of an existing name (else fail).
    :raises SyncConfigurationError: on an invalid name or label, or unknown object types.
    :raises LabelConflictError: when the existing label cannot be updated or identified.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise SyncConfigurationError(
            f"label name {name!r} is invalid: use letters, digits and '_', not starting with a digit "
            "(HubSpot rejects '-')"
        )
    if not isinstance(label, str) or not label.strip():
        raise SyncConfigurationError("label (the display label) must be a non-empty string")
    if inverse_label is not None and (not isinstance(inverse_label, str) or not inverse_label.strip()):
        raise SyncConfigurationError("inverse_label must be a non-empty string or None")
    forward = list_labels_or_config_error(
        client, from_object_type=from_object_type, to_object_type=to_object_type
    )
    inverse: list[AssociationType] = []
    if inverse_label is not None:
        inverse = list_labels_or_config_error(
            client, from_object_type=to_object_type, to_object_type=from_object_type
        )

    def locate_inverse(forward_id: int) -> int | None:
        if inverse_label is None:
            return None
        found = _find_label(inverse, inverse_label, exclude=forward_id)
        return found if found is not None else _find_label(forward, inverse_label, exclude=forward_id)

    def result(type_id: int, inverse_id: int | None, *, created: bool, updated: bool) -> EnsureLabelResult:
        return EnsureLabelResult(
            name=name,
            label=label,
            type_id=type_id,
            inverse_label=inverse_label,
            inverse_type_id=inverse_id,
            created=created,
            updated=updated,
        )

    existing_id = _find_label(forward, label)
    existing: AssociationType | None = None
    if existing_id is None:
        existing = _find_by_name(forward, name)
        existing_id = existing.type_id if existing else None
    if existing_id is not None:
        inverse_id = locate_inverse(existing_id)
        label_differs = existing is not None and existing.label != label
        inverse_differs = inverse_label is not None and inverse_id is None
        if not label_differs and not inverse_differs:
            return result(existing_id, inverse_id, created=False, updated=False)
        if not update_existing:
            raise LabelConflictError(
                f"label {name!r} exists for {from_object_type} → {to_object_type} (type id {existing_id}) "
                f"with display label {existing.label if existing else label!r}"
                + (f" and another inverse label than {inverse_label!r}" if inverse_differs else "")
                + "; update_existing=False, so it was not changed"
            )
        client.update_label(
            from_object_type=from_object_type,
            to_object_type=to_object_type,
            association_type_id=existing_id,
            label=label,
            inverse_label=inverse_label,
        )
        log.info("Updated label %s (type id %s) to %r / %r", name, existing_id, label, inverse_label)
        if inverse_differs:
            inverse = list_labels_or_config_error(
                client, from_object_type=to_object_type, to_object_type=from_object_type
            )
            forward = list_labels_or_config_error(
                client, from_object_type=from_object_type, to_object_type=to_object_type
            )
            inverse_id = locate_inverse(existing_id)
        return result(existing_id, inverse_id, created=False, updated=True)

    try:
        created = client.create_label(
            from_object_type=from_object_type,
            to_object_type=to_object_type,
            name=name,
            label=label,
            inverse_label=inverse_label,
        )
    except HubSpotValidationError as exc:
        raise LabelConflictError(
            f"HubSpot refused to create label {name!r} ({label!r}) for {from_object_type} → "
            f"{to_object_type}: {exc}. If a label with this internal name already exists, HubSpot's "
            "API does not return internal names, so it cannot be matched by name: pass its current "
            f"display label as label=, or its type id. Existing labels: "
            f"{', '.join(f'{d.label!r} ({d.type_id})' for d in _custom(forward)) or 'none'}"
        ) from exc
    except HubSpotError:
        raise
    type_id = _find_label(created, label)
    inverse_id = _find_label(created, inverse_label, exclude=type_id) if inverse_label is not None else None
    if type_id is None or (inverse_label is not None and inverse_id is None):
        # The answer did not say which id is which: read the definitions back.
        forward = list_labels_or_config_error(
            client, from_object_type=from_object_type, to_object_type=to_object_type
        )
        if inverse_label is not None:
            inverse = list_labels_or_config_error(
                client, from_object_type=to_object_type, to_object_type=from_object_type
            )
        type_id = _find_label(forward, label)
        if type_id is None:
            ids = sorted(d.type_id for d in created)
            if not ids:
                raise LabelConflictError(f"HubSpot created label {name!r} but returned no type id")
            type_id = ids[0]
        inverse_id = locate_inverse(type_id)
    log.info("Created label %s: type id %s, inverse type id %s", name, type_id, inverse_id)
    return result(type_id, inverse_id, created=True, updated=False)
