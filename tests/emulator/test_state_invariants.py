"""Property tests of the pure portal model: both directions agree and there is at most one Primary."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_hubassoc.emulator.state import EmulatorError, Portal, TypeSpec

CONTACT, COMPANY = "0-1", "0-2"
contacts = st.integers(min_value=1, max_value=4)
companies = st.integers(min_value=11, max_value=14)
ops = st.one_of(
    st.tuples(st.just("set"), contacts, companies, st.sets(st.sampled_from([279, 1, "L"]))),
    st.tuples(st.just("add"), contacts, companies, st.sets(st.sampled_from([279, 1, "L"]))),
    st.tuples(st.just("rev_primary"), contacts, companies, st.just(set())),
    st.tuples(st.just("default"), contacts, companies, st.just(set())),
    st.tuples(st.just("delete"), contacts, companies, st.just(set())),
    st.tuples(st.just("unlabel"), contacts, companies, st.sets(st.sampled_from([279, 1, "L"]), min_size=1)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(ops, max_size=25))
def test_directions_agree_and_single_primary(steps: list[tuple[str, int, int, set[object]]]) -> None:
    portal = Portal(portal_id=5, auto_create=True)
    label = portal.create_label(CONTACT, COMPANY, "lab", "Lab", "Bal")
    fwd_label = next(r["typeId"] for r in label if r["label"] == "Lab")
    rev_label = next(r["typeId"] for r in label if r["label"] == "Bal")
    inverse = {279: 280, 1: 2, fwd_label: rev_label}
    for op, contact, company, raw_types in steps:
        specs: list[TypeSpec] = [(None, fwd_label if t == "L" else int(str(t))) for t in raw_types]
        try:
            if op in ("set", "add"):
                portal.associate(CONTACT, COMPANY, contact, company, specs, op)
            elif op == "rev_primary":
                portal.associate(COMPANY, CONTACT, company, contact, [(None, 2)], "set")
            elif op == "default":
                portal.associate_default(CONTACT, COMPANY, contact, company)
            elif op == "delete":
                portal.remove_pair(CONTACT, COMPANY, contact, company)
            else:
                portal.remove_types(CONTACT, COMPANY, contact, company, specs)
        except EmulatorError:
            raise AssertionError(f"unexpected error for {op}") from None

    forward = {
        (p["fromObjectId"], p["toObjectId"]): set(p["typeIds"]) for p in portal.pairs(CONTACT, COMPANY)
    }
    backward = {
        (p["toObjectId"], p["fromObjectId"]): set(p["typeIds"]) for p in portal.pairs(COMPANY, CONTACT)
    }
    assert set(forward) == set(backward)
    for key, pair_types in forward.items():
        assert 279 in pair_types  # the unlabeled type is present whenever the pair exists
        assert backward[key] == {inverse[t] for t in pair_types}
    for contact in range(1, 5):
        primaries = [company for (c, company), t in forward.items() if c == contact and 1 in t]
        assert len(primaries) <= 1
        assert portal.primary_company(CONTACT, contact) == (primaries[0] if primaries else None)
