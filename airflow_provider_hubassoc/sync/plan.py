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
from typing import Literal

import msgspec

from airflow_provider_hubassoc.client.models import AssociationSpec
from airflow_provider_hubassoc.sync.outcomes import Outcome
from airflow_provider_hubassoc.sync.spec import SyncMode

#: from_id → to_id → every association type on the pair (the unlabeled type included).
CurrentState = Mapping[str, Mapping[str, frozenset[AssociationSpec]]]

Pair = tuple[str, str]


class DesiredPair(msgspec.Struct, frozen=True, gc=False):
    """One (from, to) pair of the input, duplicates merged (a frozen ``msgspec.Struct``: one per pair).

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


class PairAction(msgspec.Struct, gc=False):
    """What to do with one desired pair, and the outcome its rows get when it works (a ``msgspec.Struct``).

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
    """The writes of one chunk and the planned outcome of each of its pairs.

    :param actions: one per desired pair that was planned, except those already as desired.
    :param unchanged: the desired pairs already as desired: no write, outcome ``unchanged`` (on a
        scheduled re-run, most pairs; kept apart so that they cost no action each).
    :param prune: mirror: pairs of the chunk's from-records absent from the chunk's input. They are
        candidates: the pipeline removes them at the end of the run, after the creates, and only
        for from-records without a rejected row and pairs the run did not name (either way round).
    :param rejected: pairs rejected while planning, with the reason (Primary conflicts).
    :param current_pairs: mirror: from-id -> how many pairs it has now (for the guard's share).
    """

    actions: list[PairAction] = field(default_factory=list)
    unchanged: list[DesiredPair] = field(default_factory=list)
    prune: list[Pair] = field(default_factory=list)
    rejected: list[tuple[DesiredPair, str]] = field(default_factory=list)
    current_pairs: dict[str, int] = field(default_factory=dict)

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


#: How many planned writes :class:`PlanTotals` keeps as examples.
PLAN_SAMPLE_SIZE = 5


@dataclass(slots=True)
class PlanTotals:
    """The one description of what a run writes (or, in a dry run, would write), chunk after chunk.

    :param creates: pairs sent to batch create.
    :param defaults: pairs sent to batch associate default.
    :param label_removals: pairs sent to labels archive.
    :param pair_removals: input pairs removed whole (deletes).
    :param prunes: pairs mirror removes (counted when the run's prunes are decided).
    :param as_desired: pairs already as desired.
    :param chunks: chunks planned.
    :param largest_chunk: the most rows in one chunk.
    :param examples: a few planned writes.
    """

    creates: int = 0
    defaults: int = 0
    label_removals: int = 0
    pair_removals: int = 0
    prunes: int = 0
    as_desired: int = 0
    chunks: int = 0
    largest_chunk: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, plan: SyncPlan, rows: int) -> None:
        """Count one chunk's plan.

        :param plan: the chunk's plan.
        :param rows: the chunk's rows.
        """
        self.chunks += 1
        self.largest_chunk = max(self.largest_chunk, rows)
        self.as_desired += len(plan.unchanged)
        for action in plan.actions:
            if not action.writes:
                self.as_desired += 1
                continue
            self.creates += bool(action.create_types)
            self.defaults += action.default_create
            self.label_removals += bool(action.archive_types)
            self.pair_removals += action.archive_pair
            if len(self.examples) < PLAN_SAMPLE_SIZE:
                self.examples.append(_describe_action(action))

    def merge(self, other: PlanTotals) -> None:
        """Add another chunk's totals.

        :param other: the totals of one chunk.
        """
        self.creates += other.creates
        self.defaults += other.defaults
        self.label_removals += other.label_removals
        self.pair_removals += other.pair_removals
        self.prunes += other.prunes
        self.as_desired += other.as_desired
        self.chunks += other.chunks
        self.largest_chunk = max(self.largest_chunk, other.largest_chunk)
        self.examples += other.examples[: max(0, PLAN_SAMPLE_SIZE - len(self.examples))]

    def add_prunes(self, pairs: Sequence[Pair]) -> None:
        """Count the run's mirror removals.

        :param pairs: the pairs mirror removes.
        """
        self.prunes += len(pairs)
        room = PLAN_SAMPLE_SIZE - len(self.examples)
        self.examples += [f"{f}→{t}: remove pair (mirror)" for f, t in pairs[: max(0, room)]]

    def describe(self) -> str:
        """Counts and a few planned writes, in one line."""
        text = (
            f"{self.creates} batch-create pairs; {self.defaults} default associations; "
            f"{self.label_removals} label removals; {self.pair_removals + self.prunes} pair removals; "
            f"{self.as_desired} pairs already as desired; "
            f"{self.chunks} chunk(s) of at most {self.largest_chunk} rows"
        )
        return f"{text}. Sample: {' | '.join(self.examples)}" if self.examples else text


def _describe_action(action: PairAction) -> str:
    what = []
    if action.create_types:
        what.append("write " + ",".join(str(t.type_id) for t in action.create_types))
    if action.default_create:
        what.append("default")
    if action.archive_types:
        what.append("remove " + ",".join(str(t.type_id) for t in action.archive_types))
    if action.archive_pair:
        what.append("remove pair")
    return f"{action.pair[0]}→{action.pair[1]}: {' + '.join(what)}"


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
    same_type: bool = False,
) -> SyncPlan:
    """Plan an upsert.

    :param desired: the input pairs (duplicates merged, labels resolved).
    :param current: the current state of every from-record in ``desired``.
    :param mode: append, replace or mirror.
    :param ctx: the direction's HubSpot-defined types.
    :param mirror_scope: mirror only: the from-records whose pairs absent from the input are removed.
    :param same_type: both sides are one object type: a current pair whose inverse is in the input
        is the same association, never a prune candidate.
    """
    plan = SyncPlan()
    targets, conflicts = _primary_requests(desired, ctx)
    sets = _TypeSets(ctx)
    planned_pairs: set[Pair] = set()
    for item in desired:
        if conflicts and item.pair in conflicts:
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
        if mode is SyncMode.MIRROR:
            planned_pairs.add(item.pair)
        pairs_now = current.get(item.from_id)
        existing = pairs_now.get(item.to_id) if pairs_now is not None else None
        action = _plan_pair(item, existing, sets, mode, targets)
        if action is None:
            plan.unchanged.append(item)
        else:
            plan.actions.append(action)
    if mode is SyncMode.MIRROR:
        named = {pair for pair in planned_pairs}
        if same_type:
            named |= {(t, f) for f, t in planned_pairs}
        for from_id in sorted(set(mirror_scope), key=id_order):
            record_pairs = current.get(from_id, {})
            plan.current_pairs[from_id] = len(record_pairs)
            for to_id in sorted(record_pairs, key=id_order):
                if (from_id, to_id) not in named:
                    plan.prune.append((from_id, to_id))
    return plan


def id_order(value: str) -> tuple[int, str]:
    """Sort key of canonical ids in numeric order (shorter is smaller).

    :param value: a canonical record id.
    """
    return (len(value), value)


class _TypeSets:
    """What planning derives from a set of types, computed once per distinct set: a read shares
    one set between the pairs that carry the same types, and most rows ask for the same labels.

    :param ctx: the direction's HubSpot-defined types.
    """

    __slots__ = ("_labels", "_writes", "ctx")

    def __init__(self, ctx: TypeContext) -> None:
        self.ctx = ctx
        self._labels: dict[frozenset[AssociationSpec], frozenset[AssociationSpec]] = {}
        self._writes: dict[frozenset[AssociationSpec], tuple[AssociationSpec, ...]] = {}

    def labels_now(self, types: frozenset[AssociationSpec]) -> frozenset[AssociationSpec]:
        """The labels of a pair's current types (the unlabeled type dropped).

        :param types: every type on the pair.
        """
        labels = self._labels.get(types)
        if labels is None:
            labels = self._labels[types] = self.ctx.labels_of(types)
        return labels

    def write_set(self, labels: frozenset[AssociationSpec]) -> tuple[AssociationSpec, ...]:
        """The types a batch create sends for a pair that should carry ``labels``.

        :param labels: the pair's target labels.
        """
        types = self._writes.get(labels)
        if types is None:
            types = self._writes[labels] = _write_set(labels, self.ctx)
        return types


def _plan_pair(
    item: DesiredPair,
    existing: frozenset[AssociationSpec] | None,
    sets: _TypeSets,
    mode: SyncMode,
    targets: Mapping[str, Pair],
) -> PairAction | None:
    """Plan one pair against its current types (``None``: absent); ``None`` when already as desired."""
    ctx = sets.ctx
    if existing is None:
        if not item.types and ctx.unlabeled is None:
            # the direction's unlabeled type is unknown: only the default endpoint can write it
            return PairAction(item.pair, item.row_indexes, Outcome.CREATED, default_create=True)
        # a new unlabeled pair is a batch create of the unlabeled type (2,000 per request, in the
        # same requests as the labelled pairs) rather than batch/associate/default (1,000)
        return PairAction(
            item.pair, item.row_indexes, Outcome.CREATED, create_types=sets.write_set(item.types)
        )
    labels_now = sets.labels_now(existing)
    primary = ctx.primary
    has_primary = primary is not None and primary in labels_now
    target_holder = targets.get(ctx.holder(item.pair)) if has_primary and targets else None
    loses_primary = target_holder is not None and target_holder != item.pair
    if mode is SyncMode.APPEND and not loses_primary and item.types <= labels_now:
        return None  # already as desired (the common case of a scheduled re-run)
    if mode is SyncMode.APPEND:
        target = labels_now | item.types
    else:
        keep = {primary} if has_primary and primary is not None else set()
        target = item.types | keep
    if loses_primary and primary is not None:
        target = target - {primary}
    if target == labels_now:
        return None
    to_add = target - labels_now
    to_remove = labels_now - target - ({primary} if primary is not None else set())
    return PairAction(
        item.pair,
        item.row_indexes,
        Outcome.UPDATED,
        create_types=sets.write_set(frozenset(target)) if to_add else None,
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
    sets = _TypeSets(ctx)
    for item in desired:
        pairs_now = current.get(item.from_id)
        existing = pairs_now.get(item.to_id) if pairs_now is not None else None
        if existing is None:
            plan.unchanged.append(item)
        elif item.remove_all:
            plan.actions.append(PairAction(item.pair, item.row_indexes, Outcome.REMOVED, archive_pair=True))
        else:
            to_remove = item.types & sets.labels_now(existing)
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
                plan.unchanged.append(item)
    return plan
