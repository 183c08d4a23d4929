"""Pure planning: desired pairs + current state + mode → the fewest writes, and each row's outcome.

Write semantics differ: a batch create may *set* a pair's labels (as HubSpot documents) or *add*
to them. Every plan here reaches the same end state under both:

* a batch create always sends the pair's whole target set (unlabeled type, the labels to keep and
  the labels to add), so "set" cannot drop a label that should stay and "add" adds what is missing;
* labels to drop are also removed with a labels archive, which is a no-op where "set" already
  dropped them (the executor runs label archives before creates).

Primary (the HUBSPOT_DEFINED primary type) is managed by HubSpot unless a row asks for it:

* asking for Primary on a pair makes it the holder's primary (HubSpot moves it: the holder's other
  pairs lose Primary; the plan expects that and never re-sends Primary for those other pairs);
* in ``replace`` and ``mirror`` a pair that has Primary now keeps it when its row omits Primary
  (HubSpot makes a record's first company primary by itself, so removing it would fight HubSpot
  on every run). To remove Primary, use the delete operator with ``labels=["Primary"]``;
  mirror still removes whole pairs absent from the input, Primary or not;
* two rows asking Primary for the same holder (e.g. one contact, two companies) are both rejected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from airflow_provider_hubassoc.client.models import AssociationSpec
from airflow_provider_hubassoc.sync.errors import MassDeletionGuardError, SyncConfigurationError
from airflow_provider_hubassoc.sync.outcomes import Outcome

#: from_id → to_id → every association type on the pair (the unlabeled type included).
CurrentState = Mapping[str, Mapping[str, frozenset[AssociationSpec]]]

Pair = tuple[str, str]


class SyncMode(StrEnum):
    """How an upsert treats what is already there."""

    APPEND = "append"
    REPLACE = "replace"
    MIRROR = "mirror"

    @classmethod
    def parse(cls, value: object) -> SyncMode:
        """Parse a mode name (case-insensitive).

        :param value: ``"append"``, ``"replace"`` or ``"mirror"``.
        :raises SyncConfigurationError: for anything else.
        """
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        raise SyncConfigurationError(f"mode must be one of {', '.join(m.value for m in cls)}, got {value!r}")


@dataclass(frozen=True, slots=True)
class DesiredPair:
    """One (from, to) pair of the input, duplicates merged.

    :param from_id: the from-record id.
    :param to_id: the to-record id.
    :param types: the resolved labels asked for (never the unlabeled type).
    :param row_indexes: the input rows merged into this pair; each gets the pair's outcome.
    :param remove_all: deletes only: remove the whole pair.
    """

    from_id: str
    to_id: str
    types: frozenset[AssociationSpec]
    row_indexes: tuple[int, ...]
    remove_all: bool = False

    @property
    def pair(self) -> Pair:
        """``(from_id, to_id)``."""
        return (self.from_id, self.to_id)


@dataclass(frozen=True, slots=True)
class TypeContext:
    """What planning needs to know about the direction's HubSpot-defined types.

    :param unlabeled_ids: the unlabeled (default) type ids; never removed as labels.
    :param unlabeled: the unlabeled type to send with batch creates, when known.
    :param primary: the direction's Primary type, if it has one.
    :param primary_holder: which side of a pair can have only one Primary.
    """

    unlabeled_ids: frozenset[int]
    unlabeled: AssociationSpec | None = None
    primary: AssociationSpec | None = None
    primary_holder: Literal["from", "to"] = "from"

    def holder(self, pair: Pair) -> str:
        """The record of ``pair`` that holds Primary.

        :param pair: ``(from_id, to_id)``.
        """
        return pair[0] if self.primary_holder == "from" else pair[1]

    def labels_of(self, types: Iterable[AssociationSpec]) -> frozenset[AssociationSpec]:
        """Drop the unlabeled type(s).

        :param types: types on a pair.
        """
        return frozenset(t for t in types if t.type_id not in self.unlabeled_ids)


@dataclass(slots=True)
class PairAction:
    """What to do with one desired pair, and the outcome its rows get when it works.

    :param pair: ``(from_id, to_id)``.
    :param row_indexes: the input rows of the pair.
    :param outcome: the planned outcome.
    :param create_types: types for a batch create (the whole target set), or ``None``.
    :param default_create: create the default association (no labels, new pair).
    :param archive_types: labels to remove with a labels archive.
    :param archive_pair: remove the whole pair.
    """

    pair: Pair
    row_indexes: tuple[int, ...]
    outcome: Outcome
    create_types: tuple[AssociationSpec, ...] | None = None
    default_create: bool = False
    archive_types: tuple[AssociationSpec, ...] = ()
    archive_pair: bool = False

    @property
    def writes(self) -> bool:
        """Whether the action needs any write."""
        return bool(self.create_types or self.default_create or self.archive_types or self.archive_pair)


@dataclass(slots=True)
class SyncPlan:
    """The writes of a sync and the planned outcome of each pair.

    :param actions: one per desired pair that was planned.
    :param prune: pairs mirror mode removes (not input rows).
    :param rejected: pairs rejected while planning, with the reason (Primary conflicts).
    :param current_pairs_in_scope: pairs the mirrored from-records have now.
    """

    actions: list[PairAction] = field(default_factory=list)
    prune: list[Pair] = field(default_factory=list)
    rejected: list[tuple[DesiredPair, str]] = field(default_factory=list)
    current_pairs_in_scope: int = 0

    @property
    def creates(self) -> list[PairAction]:
        """Actions that need a batch create."""
        return [a for a in self.actions if a.create_types]

    @property
    def default_creates(self) -> list[PairAction]:
        """Actions that need a default association."""
        return [a for a in self.actions if a.default_create]

    @property
    def label_archives(self) -> list[PairAction]:
        """Actions that remove some labels."""
        return [a for a in self.actions if a.archive_types]

    @property
    def pair_archives(self) -> list[PairAction]:
        """Actions that remove whole input pairs (deletes)."""
        return [a for a in self.actions if a.archive_pair]

    @property
    def write_count(self) -> int:
        """How many pair-level writes the plan makes."""
        return sum(1 for a in self.actions if a.writes) + len(self.prune)

    def counts(self) -> dict[str, int]:
        """Planned outcome counts per pair (not per row), for the plan log line."""
        counts: dict[str, int] = defaultdict(int)
        for action in self.actions:
            counts[str(action.outcome)] += 1
        counts["pruned"] = len(self.prune)
        counts["rejected"] = len(self.rejected)
        return dict(counts)


def _primary_requests(desired: Sequence[DesiredPair], ctx: TypeContext) -> tuple[dict[str, Pair], set[Pair]]:
    """Return holder → the pair asked to be Primary, and the pairs in conflict."""
    if ctx.primary is None:
        return {}, set()
    wanted: dict[str, list[Pair]] = defaultdict(list)
    for item in desired:
        if ctx.primary in item.types:
            wanted[ctx.holder(item.pair)].append(item.pair)
    targets = {holder: pairs[0] for holder, pairs in wanted.items() if len(pairs) == 1}
    conflicts = {pair for pairs in wanted.values() if len(pairs) > 1 for pair in pairs}
    return targets, conflicts


def plan_upsert(
    desired: Sequence[DesiredPair],
    current: CurrentState,
    *,
    mode: SyncMode,
    ctx: TypeContext,
    mirror_scope: Collection[str] = (),
) -> SyncPlan:
    """Plan an upsert.

    :param desired: the input pairs (duplicates merged, labels resolved).
    :param current: the current state of every from-record in ``desired``.
    :param mode: append, replace or mirror.
    :param ctx: the direction's HubSpot-defined types.
    :param mirror_scope: mirror only: the from-records whose pairs absent from the input are removed.
    """
    plan = SyncPlan()
    targets, conflicts = _primary_requests(desired, ctx)
    primary = ctx.primary
    planned_pairs: set[Pair] = set()
    for item in desired:
        if item.pair in conflicts:
            holder = ctx.holder(item.pair)
            side = 1 if ctx.primary_holder == "from" else 0
            others = sorted(p[side] for p in conflicts if ctx.holder(p) == holder)
            plan.rejected.append(
                (
                    item,
                    f"Primary asked for more than one pair of record {holder} ({', '.join(others)}); "
                    "a record has only one Primary",
                )
            )
            continue
        planned_pairs.add(item.pair)
        plan.actions.append(_plan_pair(item, current, mode=mode, ctx=ctx, targets=targets, primary=primary))
    if mode is SyncMode.MIRROR:
        excluded = {p[0] for p in conflicts}
        for from_id in sorted(set(mirror_scope) - excluded, key=_id_key):
            existing = current.get(from_id, {})
            plan.current_pairs_in_scope += len(existing)
            for to_id in sorted(existing, key=_id_key):
                if (from_id, to_id) not in planned_pairs:
                    plan.prune.append((from_id, to_id))
    return plan


def _id_key(value: str) -> tuple[int, str]:
    return (len(value), value)


def _plan_pair(
    item: DesiredPair,
    current: CurrentState,
    *,
    mode: SyncMode,
    ctx: TypeContext,
    targets: Mapping[str, Pair],
    primary: AssociationSpec | None,
) -> PairAction:
    existing = current.get(item.from_id, {}).get(item.to_id)
    if existing is None:
        if not item.types:
            return PairAction(item.pair, item.row_indexes, Outcome.CREATED, default_create=True)
        return PairAction(
            item.pair, item.row_indexes, Outcome.CREATED, create_types=_write_set(item.types, ctx)
        )
    labels_now = ctx.labels_of(existing)
    has_primary = primary is not None and primary in labels_now
    target_holder = targets.get(ctx.holder(item.pair))
    loses_primary = has_primary and target_holder is not None and target_holder != item.pair
    if mode is SyncMode.APPEND:
        target = labels_now | item.types
    else:
        keep = {primary} if has_primary and primary is not None else set()
        target = item.types | keep
    if loses_primary and primary is not None:
        target = target - {primary}
    to_add = target - labels_now
    to_remove = labels_now - target - ({primary} if primary is not None else set())
    outcome = Outcome.UNCHANGED if target == labels_now else Outcome.UPDATED
    return PairAction(
        item.pair,
        item.row_indexes,
        outcome,
        create_types=_write_set(target, ctx) if to_add else None,
        archive_types=tuple(sorted(to_remove, key=lambda s: s.type_id)),
    )


def _write_set(labels: Iterable[AssociationSpec], ctx: TypeContext) -> tuple[AssociationSpec, ...]:
    types = set(labels)
    if ctx.unlabeled is not None:
        types.add(ctx.unlabeled)
    return tuple(sorted(types, key=lambda s: s.type_id))


def plan_delete(desired: Sequence[DesiredPair], current: CurrentState, *, ctx: TypeContext) -> SyncPlan:
    """Plan a deletion: whole pairs (``remove_all``) or only some labels.

    A pair that is absent, or that carries none of the labels to remove, is ``unchanged``.
    Removing Primary this way is allowed (it is asked for explicitly).

    :param desired: the input pairs (duplicates merged, labels resolved).
    :param current: the current state of every from-record in ``desired``.
    :param ctx: the direction's HubSpot-defined types.
    """
    plan = SyncPlan()
    for item in desired:
        existing = current.get(item.from_id, {}).get(item.to_id)
        if existing is None:
            plan.actions.append(PairAction(item.pair, item.row_indexes, Outcome.UNCHANGED))
        elif item.remove_all:
            plan.actions.append(PairAction(item.pair, item.row_indexes, Outcome.REMOVED, archive_pair=True))
        else:
            to_remove = item.types & ctx.labels_of(existing)
            if to_remove:
                plan.actions.append(
                    PairAction(
                        item.pair,
                        item.row_indexes,
                        Outcome.REMOVED,
                        archive_types=tuple(sorted(to_remove, key=lambda s: s.type_id)),
                    )
                )
            else:
                plan.actions.append(PairAction(item.pair, item.row_indexes, Outcome.UNCHANGED))
    return plan


def parse_max_deletes(value: object) -> int | float | None:
    """Validate the mirror guard.

    :param value: ``None`` (no guard), an ``int`` ≥ 0 (pairs), a ``float`` in ``(0, 1]`` (share of
        the current pairs), or such a number as a string (from a template).
    :raises SyncConfigurationError: for anything else.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("", "none"):
            return None
        try:
            value = int(text) if text.isdigit() else float(text)
        except ValueError:
            raise SyncConfigurationError(f"max_deletes must be an int or a float, got {text!r}") from None
    if isinstance(value, bool):
        raise SyncConfigurationError(f"max_deletes must be an int or a float, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise SyncConfigurationError(f"max_deletes must be ≥ 0, got {value}")
        return value
    if isinstance(value, float):
        if not 0.0 < value <= 1.0:
            raise SyncConfigurationError(
                f"max_deletes as a float is a share of the current pairs and must be in (0, 1], got {value}"
            )
        return value
    raise SyncConfigurationError(f"max_deletes must be an int or a float, got {value!r}")


def check_mass_deletion(plan: SyncPlan, max_deletes: int | float | None) -> None:
    """Refuse a mirror plan that removes more pairs than allowed (call before any write).

    :param plan: the mirror plan.
    :param max_deletes: ``None``, an int (pairs) or a float (share of current pairs in scope).
    :raises MassDeletionGuardError: when the plan removes too many pairs.
    """
    if max_deletes is None:
        return
    would = len(plan.prune)
    if isinstance(max_deletes, float):
        allowed = int(max_deletes * plan.current_pairs_in_scope)
        rule = f"max_deletes={max_deletes} ({max_deletes:.0%} of {plan.current_pairs_in_scope} current pairs)"
    else:
        allowed = max_deletes
        rule = f"max_deletes={max_deletes}"
    if would > allowed:
        raise MassDeletionGuardError(
            f"mirror would remove {would} of the {plan.current_pairs_in_scope} current pairs of the "
            f"from-records in the input, more than {rule} allows ({allowed}); nothing was written. "
            f"If this is intended, raise max_deletes to at least {would} (or a larger share), or run "
            "with dry_run=True to review the plan",
            would_remove=would,
            allowed=allowed,
            current_pairs=plan.current_pairs_in_scope,
        )


def check_mass_deletion_running(
    *,
    would_remove: int,
    current_pairs: int,
    max_deletes: int | float | None,
    already_removed: int,
) -> None:
    """The mirror guard of a streamed sync, checked before each chunk's writes.

    An int guard caps the pairs removed over the whole run (this chunk's and the earlier ones'); a
    float guard caps the share of the current pairs of every from-record read so far (a running
    ratio, which ends equal to the whole run's ratio).

    :param would_remove: pairs removed by the earlier chunks plus this chunk's plan.
    :param current_pairs: current pairs of the mirrored from-records of this and earlier chunks.
    :param max_deletes: ``None``, an int (pairs) or a float (share).
    :param already_removed: pairs removed (or, in a dry run, planned) by earlier chunks.
    :raises MassDeletionGuardError: when the run would go over the guard with this chunk.
    """
    if max_deletes is None:
        return
    if isinstance(max_deletes, float):
        allowed = int(max_deletes * current_pairs)
        rule = f"max_deletes={max_deletes} ({max_deletes:.0%} of {current_pairs} current pairs read so far)"
    else:
        allowed = max_deletes
        rule = f"max_deletes={max_deletes}"
    if would_remove <= allowed:
        return
    earlier = (
        f"earlier chunks of this run already removed {already_removed} pairs; "
        if already_removed
        else "nothing was removed by earlier chunks; "
    )
    raise MassDeletionGuardError(
        f"mirror would remove {would_remove} of the {current_pairs} current pairs of the from-records "
        f"read so far, more than {rule} allows ({allowed}); {earlier}this chunk was not written. "
        f"If this is intended, raise max_deletes to at least {would_remove} (or a larger share), or run "
        "with dry_run=True to review the plan",
        would_remove=would_remove,
        allowed=allowed,
        current_pairs=current_pairs,
    )
