"""Static HubSpot facts: object type ids and names, and the HUBSPOT_DEFINED association types."""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTACT = "0-1"
COMPANY = "0-2"
DEAL = "0-3"
TICKET = "0-5"
LINE_ITEM = "0-8"
QUOTE = "0-14"
TASK = "0-27"
NOTE = "0-46"
MEETING = "0-47"
CALL = "0-48"
EMAIL = "0-49"
LEAD = "0-136"

#: Standard object type id -> (singular name, plural name).
STANDARD_OBJECT_TYPES: dict[str, tuple[str, str]] = {
    CONTACT: ("contact", "contacts"),
    COMPANY: ("company", "companies"),
    DEAL: ("deal", "deals"),
    TICKET: ("ticket", "tickets"),
    "0-7": ("product", "products"),
    LINE_ITEM: ("line_item", "line_items"),
    QUOTE: ("quote", "quotes"),
    "0-18": ("communication", "communications"),
    "0-19": ("feedback_submission", "feedback_submissions"),
    TASK: ("task", "tasks"),
    NOTE: ("note", "notes"),
    MEETING: ("meeting", "meetings"),
    CALL: ("call", "calls"),
    EMAIL: ("email", "emails"),
    "0-53": ("invoice", "invoices"),
    "0-69": ("subscription", "subscriptions"),
    "0-101": ("payment", "payments"),
    "0-116": ("postal_mail", "postal_mail"),
    "0-123": ("order", "orders"),
    LEAD: ("lead", "leads"),
    "0-142": ("cart", "carts"),
    "0-162": ("service", "services"),
    "0-410": ("course", "courses"),
    "0-420": ("listing", "listings"),
    "0-421": ("appointment", "appointments"),
    "0-970": ("project", "projects"),
}

NAME_TO_TYPE_ID: dict[str, str] = {}
for _tid, (_singular, _plural) in STANDARD_OBJECT_TYPES.items():
    NAME_TO_TYPE_ID[_singular] = _tid
    NAME_TO_TYPE_ID[_plural] = _tid
    NAME_TO_TYPE_ID[_singular.replace("_", "")] = _tid
    NAME_TO_TYPE_ID[_plural.replace("_", "")] = _tid

CUSTOM_TYPE_ID = re.compile(r"^2-\d+$")
#: Records of these types may have a Primary company.
PRIMARY_OWNER_TYPES = (CONTACT, DEAL, TICKET)


@dataclass(frozen=True)
class BuiltinPair:
    """HUBSPOT_DEFINED types between two object types, written from ``from_type`` to ``to_type``.

    :param from_type: Object type id of the "from" side.
    :param to_type: Object type id of the "to" side.
    :param types: ``(forward type id, reverse type id, forward label, reverse label)`` tuples; the first
        one is the default (unlabeled) type.
    :param primary: ``(forward id, reverse id)`` of the Primary type; the ``from_type`` record owns it.
    """

    from_type: str
    to_type: str
    types: tuple[tuple[int, int, str | None, str | None], ...]
    primary: tuple[int, int] | None = None


#: The Primary types' label text since HubSpot renamed it on 2024-02-19 ("Primary Company" became
#: "<Object> with Primary Company"; developer changelog "Changes to primary labels for HubSpot-defined
#: association labels"). Clients must key on the type id, not on this text.
CONTACT_PRIMARY_LABEL = "Contact with Primary Company"
DEAL_PRIMARY_LABEL = "Deal with Primary Company"
TICKET_PRIMARY_LABEL = "Ticket with Primary Company"

#: Unlabeled HUBSPOT_DEFINED types of the other standard pairs: ``(from, to, from->to id, to->from id)``.
#: Source: the ``AssociationType`` constants of HubSpot's own SDKs, hubspot-api-ruby
#: ``lib/hubspot/helpers/association_type.rb`` (commit 1c8329fc, 2025-10-01) and hubspot-api-python
#: ``hubspot/crm/association_type.py`` (commit f09ead9d, 2025-10-01). Only pairs whose two directions
#: both SDKs name with the same id are here; the two SDKs agree on every id they share (the Python one
#: lists 15 more feedback-submission ids, 1155-1174, left out as single-source). Left out as well:
#: one-way entries (lead->call/email/meeting/note/task/communication, order/cart->task, cart->ticket and
#: cart->feedback_submission both given as 594, invoice->ticket, payment->subscription) and pairs with
#: object types this emulator does not model (discounts, fees, taxes, payment links, threads, ...).
#: The ids of BUILTIN_PAIRS below match these SDK constants too. No constant of either SDK names
#: products (0-7): the emulator knows no pair with products and refuses them.
_UNLABELED_PAIRS: tuple[tuple[str, str, int, int], ...] = (
    ("0-18", "0-1", 81, 82),  # communication / contact
    ("0-18", "0-5", 83, 84),  # communication / ticket
    ("0-18", "0-3", 85, 86),  # communication / deal
    ("0-18", "0-2", 87, 88),  # communication / company
    ("0-1", "0-19", 97, 98),  # contact / feedback_submission
    ("0-5", "0-19", 99, 100),  # ticket / feedback_submission
    ("0-53", "0-3", 175, 176),  # invoice / deal
    ("0-53", "0-1", 177, 178),  # invoice / contact
    ("0-53", "0-2", 179, 180),  # invoice / company
    ("0-14", "0-27", 217, 218),  # quote / task
    ("0-69", "0-1", 295, 296),  # subscription / contact
    ("0-69", "0-2", 297, 298),  # subscription / company
    ("0-69", "0-3", 299, 300),  # subscription / deal
    ("0-69", "0-8", 301, 302),  # subscription / line_item
    ("0-69", "0-14", 303, 304),  # subscription / quote
    ("0-101", "0-1", 387, 388),  # payment / contact
    ("0-101", "0-2", 389, 390),  # payment / company
    ("0-101", "0-3", 391, 392),  # payment / deal
    ("0-101", "0-8", 395, 396),  # payment / line_item
    ("0-101", "0-14", 397, 398),  # payment / quote
    ("0-48", "0-47", 399, 400),  # call / meeting
    ("0-53", "0-14", 407, 408),  # invoice / quote
    ("0-53", "0-8", 409, 410),  # invoice / line_item
    ("0-116", "0-1", 453, 454),  # postal_mail / contact
    ("0-116", "0-5", 455, 456),  # postal_mail / ticket
    ("0-116", "0-3", 457, 458),  # postal_mail / deal
    ("0-116", "0-2", 459, 460),  # postal_mail / company
    ("0-123", "0-1", 507, 508),  # order / contact
    ("0-123", "0-2", 509, 510),  # order / company
    ("0-3", "0-123", 511, 512),  # deal / order
    ("0-123", "0-8", 513, 514),  # order / line_item
    ("0-69", "0-123", 515, 516),  # subscription / order
    ("0-53", "0-123", 517, 518),  # invoice / order
    ("0-123", "0-101", 523, 524),  # order / payment
    ("0-123", "0-5", 525, 526),  # order / ticket
    ("0-53", "0-101", 541, 542),  # invoice / payment
    ("0-142", "0-1", 586, 587),  # cart / contact
    ("0-142", "0-8", 590, 591),  # cart / line_item
    ("0-142", "0-123", 592, 593),  # cart / order
    ("0-53", "0-69", 622, 623),  # invoice / subscription
    ("0-123", "0-14", 730, 731),  # order / quote
    ("0-142", "0-14", 732, 733),  # cart / quote
    ("0-162", "0-2", 792, 793),  # service / company
    ("0-162", "0-3", 794, 795),  # service / deal
    ("0-162", "0-5", 796, 797),  # service / ticket
    ("0-162", "0-1", 798, 799),  # service / contact
    ("0-162", "0-46", 836, 837),  # service / note
    ("0-162", "0-47", 838, 839),  # service / meeting
    ("0-162", "0-48", 840, 841),  # service / call
    ("0-162", "0-49", 842, 843),  # service / email
    ("0-162", "0-18", 846, 847),  # service / communication
    ("0-162", "0-116", 848, 849),  # service / postal_mail
    ("0-162", "0-27", 852, 853),  # service / task
    ("0-410", "0-1", 860, 861),  # course / contact
    ("0-410", "0-3", 862, 863),  # course / deal
    ("0-410", "0-48", 866, 867),  # course / call
    ("0-410", "0-49", 870, 871),  # course / email
    ("0-410", "0-47", 872, 873),  # course / meeting
    ("0-410", "0-46", 874, 875),  # course / note
    ("0-410", "0-27", 876, 877),  # course / task
    ("0-410", "0-18", 878, 879),  # course / communication
    ("0-410", "0-116", 880, 881),  # course / postal_mail
    ("0-420", "0-1", 882, 883),  # listing / contact
    ("0-420", "0-2", 884, 885),  # listing / company
    ("0-420", "0-3", 886, 887),  # listing / deal
    ("0-420", "0-48", 890, 891),  # listing / call
    ("0-420", "0-49", 894, 895),  # listing / email
    ("0-420", "0-47", 896, 897),  # listing / meeting
    ("0-420", "0-46", 898, 899),  # listing / note
    ("0-420", "0-27", 900, 901),  # listing / task
    ("0-420", "0-18", 902, 903),  # listing / communication
    ("0-420", "0-116", 904, 905),  # listing / postal_mail
    ("0-421", "0-1", 906, 907),  # appointment / contact
    ("0-421", "0-2", 908, 909),  # appointment / company
    ("0-421", "0-48", 912, 913),  # appointment / call
    ("0-421", "0-49", 916, 917),  # appointment / email
    ("0-421", "0-47", 918, 919),  # appointment / meeting
    ("0-421", "0-46", 920, 921),  # appointment / note
    ("0-421", "0-27", 922, 923),  # appointment / task
    ("0-421", "0-18", 924, 925),  # appointment / communication
    ("0-421", "0-116", 926, 927),  # appointment / postal_mail
    ("0-19", "0-2", 928, 929),  # feedback_submission / company
    ("0-410", "0-2", 938, 939),  # course / company
    ("0-410", "0-5", 940, 941),  # course / ticket
    ("0-420", "0-5", 942, 943),  # listing / ticket
    ("0-421", "0-3", 944, 945),  # appointment / deal
    ("0-421", "0-5", 946, 947),  # appointment / ticket
    ("0-19", "0-3", 984, 985),  # feedback_submission / deal
    ("0-69", "0-5", 1121, 1122),  # subscription / ticket
    # Leads: both SDKs name only lead->contact 608 and lead->company 610. The reverse ids, contact->lead 609
    # and company->lead 611, come from one source only, HubSpot's "Associate records" guide (type id
    # tables, as recorded in the project's HubSpot reference, section 7.2); no SDK lists them.
    (LEAD, CONTACT, 608, 609),
    (LEAD, COMPANY, 610, 611),
)

BUILTIN_PAIRS: tuple[BuiltinPair, ...] = (
    BuiltinPair(
        CONTACT,
        COMPANY,
        ((279, 280, None, None), (1, 2, CONTACT_PRIMARY_LABEL, CONTACT_PRIMARY_LABEL)),
        (1, 2),
    ),
    BuiltinPair(
        DEAL, COMPANY, ((341, 342, None, None), (5, 6, DEAL_PRIMARY_LABEL, DEAL_PRIMARY_LABEL)), (5, 6)
    ),
    BuiltinPair(
        TICKET,
        COMPANY,
        ((339, 340, None, None), (26, 25, TICKET_PRIMARY_LABEL, TICKET_PRIMARY_LABEL)),
        (26, 25),
    ),
    BuiltinPair(CONTACT, DEAL, ((4, 3, None, None),)),
    BuiltinPair(CONTACT, TICKET, ((15, 16, None, None),)),
    BuiltinPair(DEAL, TICKET, ((27, 28, None, None),)),
    BuiltinPair(DEAL, LINE_ITEM, ((19, 20, None, None),)),
    BuiltinPair(CONTACT, CONTACT, ((449, 449, None, None),)),
    BuiltinPair(
        COMPANY,
        COMPANY,
        (
            (450, 450, None, None),
            (13, 14, "Parent Company", "Child Company"),
            (14, 13, "Child Company", "Parent Company"),
        ),
    ),
    BuiltinPair(DEAL, DEAL, ((451, 451, None, None),)),
    BuiltinPair(TICKET, TICKET, ((452, 452, None, None),)),
    BuiltinPair(DEAL, QUOTE, ((63, 64, None, None),)),
    BuiltinPair(QUOTE, LINE_ITEM, ((67, 68, None, None),)),
    BuiltinPair(QUOTE, CONTACT, ((69, 70, None, None),)),
    BuiltinPair(QUOTE, COMPANY, ((71, 72, None, None),)),
    # Activities (contact->activity, activity->contact), §7.2 of the reference.
    BuiltinPair(CONTACT, CALL, ((193, 194, None, None),)),
    BuiltinPair(CONTACT, EMAIL, ((197, 198, None, None),)),
    BuiltinPair(CONTACT, MEETING, ((199, 200, None, None),)),
    BuiltinPair(CONTACT, NOTE, ((201, 202, None, None),)),
    BuiltinPair(CONTACT, TASK, ((203, 204, None, None),)),
    BuiltinPair(COMPANY, CALL, ((181, 182, None, None),)),
    BuiltinPair(COMPANY, EMAIL, ((185, 186, None, None),)),
    BuiltinPair(COMPANY, MEETING, ((187, 188, None, None),)),
    BuiltinPair(COMPANY, NOTE, ((189, 190, None, None),)),
    BuiltinPair(COMPANY, TASK, ((191, 192, None, None),)),
    BuiltinPair(DEAL, CALL, ((205, 206, None, None),)),
    BuiltinPair(DEAL, EMAIL, ((209, 210, None, None),)),
    BuiltinPair(DEAL, MEETING, ((211, 212, None, None),)),
    BuiltinPair(DEAL, NOTE, ((213, 214, None, None),)),
    BuiltinPair(DEAL, TASK, ((215, 216, None, None),)),
    BuiltinPair(TICKET, CALL, ((219, 220, None, None),)),
    BuiltinPair(TICKET, EMAIL, ((223, 224, None, None),)),
    BuiltinPair(TICKET, MEETING, ((225, 226, None, None),)),
    BuiltinPair(TICKET, NOTE, ((227, 228, None, None),)),
    BuiltinPair(TICKET, TASK, ((229, 230, None, None),)),
    *(BuiltinPair(a, b, ((fwd, rev, None, None),)) for a, b, fwd, rev in _UNLABELED_PAIRS),
)


def singular_name(type_id: str) -> str:
    """Singular object name used in messages (``"contact"``), or the type id for custom objects.

    :param type_id: Object type id such as ``0-1``.
    """
    names = STANDARD_OBJECT_TYPES.get(type_id)
    return names[0] if names else type_id
