"""Demo data: an embedded SQLite warehouse and the matching HubSpot emulator seed.

Both are built from one deterministic generator, so that the warehouse's ids exist in the
emulator's portal. ``scale`` multiplies every size (``DEMO_SCALE``): at 1 the warehouse holds
20,000 contacts, 2,000 companies, 5,000 deals, 50,000 contact-company role rows and about 10,000
deal-company rows. The portal starts with some of those associations already present (some
unlabeled, so that the sync updates them; some deal-company pairs absent from the warehouse, so
that mirror removes them). A few invalid rows show how rejections are reported.

Tables (column names are the warehouse's, mapped by the DAG's ``*_field`` parameters):

* ``crm_contacts(contact_id, email)``, ``crm_companies(company_id, name)``, ``crm_deals(deal_id, name)``
* ``contact_company_roles(contact_id, company_id, roles)``: ``roles`` is empty, one label,
  ``"Consultant;Board member"`` or a JSON array
* ``deal_companies(deal_id, company_id)``
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CONTACT_BASE = 1_000_001
COMPANY_BASE = 2_000_001
DEAL_BASE = 3_000_001

#: The contact-company pair the example DAG's sensor checks: it always carries "Consultant".
SAMPLE_CONTACT_ID = CONTACT_BASE
SAMPLE_COMPANY_ID = COMPANY_BASE
#: The pair ``hubassoc_keyed_sync`` names by key by default (``contact1000031@example.com``,
#: ``company2000032.example.com``).
KEYED_CONTACT_ID = 1_000_031
KEYED_COMPANY_ID = 2_000_032
#: Every record id the example DAGs name in their default params (``hubassoc_labels_and_primary``:
#: contacts 1000011-1000014, companies 2000011-2000012; ``hubassoc_wait_for_label``: contact 1000021,
#: company 2000021; ``hubassoc_warehouse_sync``: the sample pair; ``hubassoc_keyed_sync``: the keyed
#: pair). The portal holds them at every scale, so that the example DAGs run against the demo seed
#: with their defaults.
EXAMPLE_CONTACT_IDS = (
    SAMPLE_CONTACT_ID,
    1_000_011,
    1_000_012,
    1_000_013,
    1_000_014,
    1_000_021,
    KEYED_CONTACT_ID,
)
EXAMPLE_COMPANY_IDS = (SAMPLE_COMPANY_ID, 2_000_011, 2_000_012, 2_000_021, KEYED_COMPANY_ID)

LABELS = ("Consultant", "Board member")
#: Role values and how often they appear (None: an association without a label).
ROLE_CHOICES: tuple[tuple[str | None, int], ...] = (
    (None, 50),
    ("Consultant", 25),
    ("Board member", 10),
    ("Consultant;Board member", 8),
    ('["Board member", "Consultant"]', 4),
    ('["Consultant"]', 3),
)
#: Rows that are rejected, each for another reason (kept at every scale). None of them costs a write:
#: a pair naming a record that does not exist would be sent by every run and rejected by HubSpot
#: (one batch-create request per run), and the demo shows that a second run makes reads only.
INVALID_ROWS: tuple[tuple[Any, Any, str | None, str], ...] = (
    (None, COMPANY_BASE, "Consultant", "validation: contact_id is missing"),
    ("abc", COMPANY_BASE, None, "validation: contact_id is not a number"),
    (CONTACT_BASE + 1, -5, None, "validation: company_id is negative"),
    (CONTACT_BASE + 2, COMPANY_BASE + 1, "Advisr", "unknown label (a typo of a label)"),
)


@dataclass
class DemoExpectations:
    """What the first and second runs of ``hubassoc_warehouse_sync`` must report.

    :param contact_rows: rows of ``contact_company_roles``.
    :param contact_rejected: invalid rows among them.
    :param contact_created: valid pairs absent from the portal.
    :param contact_updated: valid pairs present, unlabeled, whose row has labels.
    :param contact_unchanged: valid pairs present, unlabeled, whose row has no label.
    :param deal_rows: rows of ``deal_companies``.
    :param deal_created: deal-company pairs absent from the portal.
    :param deal_unchanged: deal-company pairs present already.
    :param deal_removed: portal pairs of the warehouse's deals absent from the warehouse.
    """

    contact_rows: int = 0
    contact_rejected: int = 0
    contact_created: int = 0
    contact_updated: int = 0
    contact_unchanged: int = 0
    deal_rows: int = 0
    deal_created: int = 0
    deal_unchanged: int = 0
    deal_removed: int = 0


@dataclass
class DemoData:
    """Where the demo data was written and what the sync should report.

    :param warehouse: the SQLite warehouse file.
    :param seed: the emulator seed JSON file.
    :param counts: records and rows per table.
    :param expected: expected sync outcomes.
    """

    warehouse: Path
    seed: Path
    counts: dict[str, int] = field(default_factory=dict)
    expected: DemoExpectations = field(default_factory=DemoExpectations)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "warehouse": str(self.warehouse),
            "seed": str(self.seed),
            "counts": self.counts,
            "expected": asdict(self.expected),
        }


def _scaled(value: int, scale: float, minimum: int) -> int:
    return max(minimum, round(value * scale))


def _assoc(from_type: str, from_id: int, to_type: str, to_id: int) -> dict[str, Any]:
    return {
        "fromObjectType": from_type,
        "fromObjectId": from_id,
        "toObjectType": to_type,
        "toObjectId": to_id,
    }


def build_demo_data(out_dir: Path, *, scale: float = 1.0, seed: int = 20_240_601) -> DemoData:
    """Write ``warehouse.db`` and ``emulator_seed.json`` into ``out_dir`` (replacing them).

    :param out_dir: the folder to write into (created if needed).
    :param scale: multiplies every size (``DEMO_SCALE``); at least a few records of each kind remain.
    :param seed: the random seed (same seed and scale, same data).
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    rnd = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_contacts = _scaled(20_000, scale, max(EXAMPLE_CONTACT_IDS) - CONTACT_BASE + 1)
    n_companies = _scaled(2_000, scale, max(EXAMPLE_COMPANY_IDS) - COMPANY_BASE + 1)
    n_deals = _scaled(5_000, scale, 10)
    contacts = [CONTACT_BASE + i for i in range(n_contacts)]
    companies = [COMPANY_BASE + i for i in range(n_companies)]
    deals = [DEAL_BASE + i for i in range(n_deals)]
    role_values = [value for value, _ in ROLE_CHOICES]
    role_weights = [weight for _, weight in ROLE_CHOICES]
    expected = DemoExpectations()
    portal_assocs: list[dict[str, Any]] = []

    roles: list[tuple[Any, Any, str | None]] = []
    for position, contact in enumerate(contacts):
        per_contact = 3 if position % 2 == 0 else 2  # 2.5 companies per contact on average
        chosen = rnd.sample(companies, min(per_contact, n_companies))
        if contact == SAMPLE_CONTACT_ID:
            chosen = [SAMPLE_COMPANY_ID, *[c for c in chosen if c != SAMPLE_COMPANY_ID][: per_contact - 1]]
        for rank, company in enumerate(chosen):
            label = rnd.choices(role_values, role_weights)[0]
            if contact == SAMPLE_CONTACT_ID and company == SAMPLE_COMPANY_ID:
                label = "Consultant"
            roles.append((contact, company, label))
            if position % 10 == 5 and rank == 0:  # present in the portal already, unlabeled
                portal_assocs.append(_assoc("contacts", contact, "companies", company))
                if label:
                    expected.contact_updated += 1
                else:
                    expected.contact_unchanged += 1
            else:
                expected.contact_created += 1
    invalid = [(a, b, c) for a, b, c, _ in INVALID_ROWS]
    # spread the invalid rows through the table
    for offset, row in enumerate(invalid):
        roles.insert((offset + 1) * len(roles) // (len(invalid) + 1), row)
    expected.contact_rows = len(roles)
    expected.contact_rejected = len(invalid)

    deal_links: list[tuple[int, int]] = []
    for position, deal in enumerate(deals):
        chosen = rnd.sample(companies, min(1 + position % 3, n_companies))  # 1-3 companies, ~2 on average
        for company in chosen:
            deal_links.append((deal, company))
            if position % 5 < 2:  # 40% of deals: their pairs are in the portal already
                portal_assocs.append(_assoc("deals", deal, "companies", company))
                expected.deal_unchanged += 1
            else:
                expected.deal_created += 1
        if position % 10 == 3:  # 10% of deals: one pair the warehouse no longer has (mirror removes it)
            extra = next(c for c in rnd.sample(companies, len(companies)) if c not in chosen)
            portal_assocs.append(_assoc("deals", deal, "companies", extra))
            expected.deal_removed += 1
    expected.deal_rows = len(deal_links)

    warehouse = out_dir / "warehouse.db"
    warehouse.unlink(missing_ok=True)
    with sqlite3.connect(warehouse) as conn:
        conn.executescript(
            """
            CREATE TABLE crm_contacts (contact_id INTEGER PRIMARY KEY, email TEXT NOT NULL);
            CREATE TABLE crm_companies (company_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE crm_deals (deal_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE contact_company_roles (contact_id, company_id, roles TEXT);
            CREATE TABLE deal_companies (deal_id INTEGER NOT NULL, company_id INTEGER NOT NULL);
            """
        )
        conn.executemany(
            "INSERT INTO crm_contacts VALUES (?, ?)", ((c, f"contact{c}@example.com") for c in contacts)
        )
        conn.executemany("INSERT INTO crm_companies VALUES (?, ?)", ((c, f"Company {c}") for c in companies))
        conn.executemany("INSERT INTO crm_deals VALUES (?, ?)", ((d, f"Deal {d}") for d in deals))
        conn.executemany("INSERT INTO contact_company_roles VALUES (?, ?, ?)", roles)
        conn.executemany("INSERT INTO deal_companies VALUES (?, ?)", deal_links)
        conn.execute("CREATE INDEX deal_companies_deal ON deal_companies (deal_id)")

    seed_file = out_dir / "emulator_seed.json"
    seed_data = {
        # emails and domains: what hubassoc_keyed_sync matches on (the warehouse holds the same emails)
        "contacts": [{"id": str(c), "properties": {"email": f"contact{c}@example.com"}} for c in contacts],
        "companies": [{"id": str(c), "properties": {"domain": f"company{c}.example.com"}} for c in companies],
        "deals": [{"id": str(d)} for d in deals],
        "associations": portal_assocs,
    }
    seed_file.write_text(json.dumps(seed_data, separators=(",", ":")), encoding="utf-8")
    counts = {
        "contacts": n_contacts,
        "companies": n_companies,
        "deals": n_deals,
        "contact_company_roles": len(roles),
        "deal_companies": len(deal_links),
        "portal_associations": len(portal_assocs),
    }
    return DemoData(warehouse=warehouse, seed=seed_file, counts=counts, expected=expected)
