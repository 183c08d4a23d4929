"""Association conditions a sensor waits for: checking them (pure, no I/O) and evaluating them.

Shared by the sensor (sync hook) and the trigger (async hook): both read the same two things,
the direction's label definitions (only when labels or Primary matter) and every associated
record of the from-record, and hand them to :func:`evaluate`.

The parts of a condition combine with AND:

* ``to_object_id``: only that to-record is considered; else every associated record of
  ``to_object_type`` is.
* ``labels``: a considered record *matches* only when it carries every one of these labels
  (display labels, internal names, type ids or ``"Primary"``, resolved per portal and direction).
* ``expect="present"``: with ``to_object_id``, the pair exists (with the labels); without it, at
  least ``min_count`` (default 1) records match.
* ``expect="absent"``: no considered record is associated (the pair, or any record of the type).
* ``require_primary``: a considered record carries the direction's HubSpot-defined Primary type
  (contact, deal or ticket → company: "has a primary company"; company → contact, deal or ticket:
  "is the primary company of").
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from airflow_provider_hubassoc.client.models import AssociatedRecord, AssociationType
from airflow_provider_hubassoc.sync.errors import SyncConfigurationError
from airflow_provider_hubassoc.sync.labels import LabelResolver
from airflow_provider_hubassoc.sync.objects import KNOWN_PRIMARY_TYPE_IDS, canonical_object_type
from airflow_provider_hubassoc.sync.rows import LabelRef, RowError, parse_labels, parse_record_id

Expectation = Literal["present", "absent"]
EXPECTATIONS: Final[tuple[str, ...]] = ("present", "absent")

#: At most this many matching records are listed in an observation (XCom stays small); the
#: counts are always complete.
MAX_OBSERVED_RECORDS: Final = 1_000

#: Argument names, as the sensor and the trigger spell them.
CONDITION_FIELDS: Final[tuple[str, ...]] = (
    "from_object_type",
    "from_object_id",
    "to_object_type",
    "to_object_id",
    "labels",
    "expect",
    "min_count",
    "require_primary",
)


@dataclass(frozen=True, slots=True)
class AssociationCondition:
    """A checked association condition (build it with :func:`build_condition`).

    :param from_object_type: the from object type as given (used in paths).
    :param from_object_id: the from-record's canonical id.
    :param to_object_type: the to object type as given.
    :param to_object_id: the one to-record considered, or ``None`` for every record of the type.
    :param labels: label references every matching record must carry.
    :param expect: ``"present"`` or ``"absent"``.
    :param min_count: matching records needed (``present`` without ``to_object_id``), else ``None``.
    :param require_primary: a considered record must carry the direction's Primary type.
    """

    from_object_type: str
    from_object_id: str
    to_object_type: str
    to_object_id: str | None
    labels: tuple[LabelRef, ...]
    expect: Expectation
    min_count: int | None
    require_primary: bool

    @property
    def needs_label_definitions(self) -> bool:
        """Whether evaluating needs the direction's label definitions (one ``list_labels`` call)."""
        return bool(self.labels) or self.require_primary

    @property
    def needed(self) -> int:
        """How many matching records ``present`` needs."""
        return 1 if self.to_object_id is not None else (self.min_count or 1)

    def describe(self) -> str:
        """Say in words what is awaited, for log lines."""
        target = (
            f"{self.to_object_type} {self.to_object_id}"
            if self.to_object_id is not None
            else f"{self.needed}+ {self.to_object_type}"
        )
        if self.expect == "absent":
            text = f"{self.from_object_type} {self.from_object_id} has no association to {target}"
        else:
            text = f"{self.from_object_type} {self.from_object_id} is associated with {target}"
        if self.labels:
            text += f" carrying {', '.join(repr(label) for label in self.labels)}"
        if self.require_primary:
            text += " (with the Primary association)"
        return text

    def to_kwargs(self) -> dict[str, Any]:
        """Return the condition as JSON-safe keyword arguments of :func:`build_condition`."""
        return {
            "from_object_type": self.from_object_type,
            "from_object_id": self.from_object_id,
            "to_object_type": self.to_object_type,
            "to_object_id": self.to_object_id,
            "labels": list(self.labels),
            "expect": self.expect,
            "min_count": self.min_count,
            "require_primary": self.require_primary,
        }


def _object_type(value: object, name: str) -> str:
    try:
        canonical_object_type(value)
    except SyncConfigurationError as exc:
        raise SyncConfigurationError(f"{name}: {exc.message}") from None
    assert isinstance(value, str)
    return value.strip()


def _record_id(value: object, name: str) -> str:
    try:
        return parse_record_id(value, name)
    except RowError as exc:
        raise SyncConfigurationError(str(exc)) from None


def _has_primary(from_object_type: str, to_object_type: str) -> bool:
    key = (canonical_object_type(from_object_type), canonical_object_type(to_object_type))
    return key in KNOWN_PRIMARY_TYPE_IDS


def check_arguments(
    *,
    from_object_type: object,
    from_object_id: object,
    to_object_type: object,
    to_object_id: object = None,
    labels: object = None,
    expect: object = "present",
    min_count: object = None,
    require_primary: object = False,
    pending: Collection[str] = (),
) -> AssociationCondition | None:
    """Check condition arguments; return the condition when every argument is known.

    Arguments named in ``pending`` (e.g. Jinja templates not rendered yet) are not checked
    themselves, but still count as given (not ``None``) for the rules that combine arguments.

    :param from_object_type: e.g. ``"contacts"`` or ``"0-1"``.
    :param from_object_id: the from-record's id (int or digit string).
    :param to_object_type: the associated object type.
    :param to_object_id: one to-record's id, or ``None``.
    :param labels: label references (see :func:`~airflow_provider_hubassoc.sync.rows.parse_labels`).
    :param expect: ``"present"`` or ``"absent"``.
    :param min_count: at least this many associated records (only without ``to_object_id``).
    :param require_primary: whether the Primary association is required.
    :param pending: names of arguments whose values are not known yet.
    :raises SyncConfigurationError: naming the argument to fix, for an impossible combination.
    """
    unknown = set(pending) - set(CONDITION_FIELDS)
    if unknown:
        raise ValueError(f"unknown pending arguments: {sorted(unknown)}")
    if expect not in EXPECTATIONS:
        raise SyncConfigurationError(f"expect must be 'present' or 'absent', got {expect!r}")
    if not isinstance(require_primary, bool):
        raise SyncConfigurationError(f"require_primary must be True or False, got {require_primary!r}")
    if min_count is not None and (
        isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1
    ):
        raise SyncConfigurationError(f"min_count must be a whole number of at least 1, got {min_count!r}")

    parsed_labels: tuple[LabelRef, ...] = ()
    if "labels" not in pending:
        try:
            parsed_labels = parse_labels(labels)
        except RowError as exc:
            raise SyncConfigurationError(f"labels: {exc}") from None
    labels_given = bool(parsed_labels) if "labels" not in pending else labels is not None
    to_given = to_object_id is not None

    if min_count is not None and to_given:
        raise SyncConfigurationError(
            "min_count counts the associated records of to_object_type, so it cannot be combined with "
            "to_object_id (one pair); drop one of them"
        )
    if expect == "absent":
        if labels_given:
            raise SyncConfigurationError(
                "expect='absent' waits until no association is left, so labels cannot apply; to wait "
                "until a label is removed from a pair, ask for the other labels with expect='present'"
            )
        if min_count is not None:
            raise SyncConfigurationError("min_count applies to expect='present' only")
        if require_primary:
            raise SyncConfigurationError("require_primary applies to expect='present' only")

    from_type = to_type = None
    if "from_object_type" not in pending:
        from_type = _object_type(from_object_type, "from_object_type")
    if "to_object_type" not in pending:
        to_type = _object_type(to_object_type, "to_object_type")
    wants_primary = require_primary or any(
        isinstance(label, str) and label.casefold() == "primary" for label in parsed_labels
    )
    if (
        wants_primary
        and from_type is not None
        and to_type is not None
        and not _has_primary(from_type, to_type)
    ):
        raise SyncConfigurationError(
            f"{from_type} → {to_type} has no Primary association type (only contacts, deals and tickets "
            "have a primary company, in either direction); drop require_primary / the 'Primary' label"
        )
    from_id = None if "from_object_id" in pending else _record_id(from_object_id, "from_object_id")
    to_id = None
    if to_given and "to_object_id" not in pending:
        to_id = _record_id(to_object_id, "to_object_id")

    if pending:
        return None
    assert from_type is not None
    assert to_type is not None
    assert from_id is not None
    return AssociationCondition(
        from_object_type=from_type,
        from_object_id=from_id,
        to_object_type=to_type,
        to_object_id=to_id,
        labels=parsed_labels,
        expect="absent" if expect == "absent" else "present",
        min_count=min_count if isinstance(min_count, int) else None,
        require_primary=require_primary,
    )


def build_condition(**kwargs: Any) -> AssociationCondition:
    """Check every argument and build the condition (same arguments as :func:`check_arguments`).

    :param kwargs: the condition's arguments, all known.
    :raises SyncConfigurationError: naming the argument to fix.
    """
    condition = check_arguments(**kwargs, pending=())
    assert condition is not None
    return condition


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The result of evaluating a condition once.

    :param met: whether the condition holds.
    :param reason: what was seen, in words (for log lines).
    :param observation: the JSON-safe record of what was seen (the sensor's XCom).
    """

    met: bool
    reason: str
    observation: dict[str, Any]


def make_resolver(condition: AssociationCondition, definitions: Sequence[AssociationType]) -> LabelResolver:
    """Build the direction's label resolver from its definitions (``list_labels``).

    :param condition: the condition.
    :param definitions: the direction's association types.
    """
    return LabelResolver(
        from_object_type=condition.from_object_type,
        to_object_type=condition.to_object_type,
        definitions=definitions,
    )


def _type_json(association_type: AssociationType) -> dict[str, Any]:
    return {
        "category": str(association_type.category),
        "type_id": association_type.type_id,
        "label": association_type.label,
    }


def _record_json(record: AssociatedRecord) -> dict[str, Any]:
    return {
        "to_object_id": record.to_object_id,
        "labels": sorted({t.label for t in record.types if t.label}),
        "types": [_type_json(t) for t in sorted(record.types, key=lambda t: (t.type_id, str(t.category)))],
    }


def evaluate(
    condition: AssociationCondition,
    records: Sequence[AssociatedRecord],
    resolver: LabelResolver | None = None,
) -> Evaluation:
    """Evaluate a condition on the from-record's associated records.

    :param condition: the condition.
    :param records: every record associated with the from-record (all pages).
    :param resolver: the direction's label resolver; required when
        :attr:`AssociationCondition.needs_label_definitions`.
    :raises LabelResolutionError: when a label does not exist in the portal for the direction.
    :raises ValueError: when a resolver is needed but missing.
    """
    if condition.needs_label_definitions and resolver is None:
        raise ValueError("this condition needs the direction's label definitions (a LabelResolver)")
    required: frozenset[int] = frozenset()
    primary_type_id: int | None = None
    if resolver is not None:
        required = frozenset(spec.type_id for spec in resolver.resolve_all(condition.labels))
        if condition.require_primary:
            if resolver.primary is None:
                raise SyncConfigurationError(
                    f"{resolver.direction} has no Primary association type; drop require_primary"
                )
            primary_type_id = resolver.primary.type_id

    considered = [
        record
        for record in records
        if condition.to_object_id is None or record.to_object_id == condition.to_object_id
    ]
    matching = [r for r in considered if required <= {t.type_id for t in r.types}]
    primary_records = (
        [r for r in considered if any(t.type_id == primary_type_id for t in r.types)]
        if primary_type_id is not None
        else []
    )

    if condition.expect == "absent":
        met = not matching
        seen = f"{len(matching)} associated record(s) considered"
    else:
        enough = len(matching) >= condition.needed
        has_primary = bool(primary_records) if condition.require_primary else True
        met = enough and has_primary
        seen = f"{len(matching)} of {condition.needed} needed matching record(s)"
        if condition.require_primary:
            seen += ", Primary " + ("present" if primary_records else "missing")
    verdict = "met" if met else "not met"
    reason = f"{verdict}: {condition.describe()}; {seen} ({len(records)} associated in all)"

    listed = matching[:MAX_OBSERVED_RECORDS]
    observation: dict[str, Any] = {
        **condition.to_kwargs(),
        "met": met,
        "associated_count": len(records),
        "matching_count": len(matching),
        "required_type_ids": sorted(required),
        "primary_type_id": primary_type_id,
        "primary_to_object_ids": [r.to_object_id for r in primary_records],
        "records": [_record_json(r) for r in listed],
        "records_truncated": len(matching) > len(listed),
    }
    return Evaluation(met=met, reason=reason, observation=observation)
