"""Per-version answers of the Associations API: which status and body shape each version sends.

One table, read by the routes: the request's path says which version answers. Each row names the
spec file it was taken from, in the public ``HubSpot/HubSpot-public-api-spec-collection``
repository (read at commit ``9989379``); ``A`` is
``PublicApiSpecs/CRM/Associations/Rollouts/130902/<version>/associations.json`` and ``S`` is
``PublicApiSpecs/CRM/Associations Schema/Rollouts/130902/<version>/associationsSchema.json``.
Operations not in the table answer alike in every version.

Kept separate from the client's own table on purpose (the emulator imports nothing of the client):
a fact misread on one side then shows up as a failing test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

V4: Final = "v4"
DATE_VERSIONS: Final[tuple[str, ...]] = ("2025-09", "2026-03", "2026-09")
VERSIONS: Final[tuple[str, ...]] = (V4, *DATE_VERSIONS)
#: 2025-09 was published as a beta; 2026-03 is the first generally available date version.
BETA_VERSIONS: Final[frozenset[str]] = frozenset({"2025-09"})


@dataclass(frozen=True)
class Answer:
    """How one operation answers in one version.

    :param ok: the status when every row succeeded.
    :param partial: the status when some rows failed (equal to ``ok`` when errors ride inside a 200).
    :param body: whether a body is sent; ``False`` means 204 without a body, so row errors cannot be
        reported at all.
    :param source: the spec file the row was read from.
    """

    ok: int
    partial: int
    body: bool
    source: str

    def status(self, has_errors: bool) -> int:
        """The status to send.

        :param has_errors: whether any row failed.
        """
        return self.partial if has_errors else self.ok


def _rows(
    operation: str, spec: str, answers: dict[str, tuple[int, int, bool]]
) -> dict[tuple[str, str], Answer]:
    return {
        (operation, version): Answer(ok, partial, body, f"{spec} {version}")
        for version, (ok, partial, body) in answers.items()
    }


_NO_BODY = (204, 204, False)
_ENVELOPE = (200, 200, True)

ANSWERS: Final[dict[tuple[str, str], Answer]] = {
    # v4: 204 without body; 2025-09 and 2026-03: 200 BatchResponse; 2026-09: 200 BatchResponseVoid.
    **_rows(
        "batch_archive",
        "A",
        {V4: _NO_BODY, "2025-09": _ENVELOPE, "2026-03": _ENVELOPE, "2026-09": _ENVELOPE},
    ),
    **_rows(
        "batch_labels_archive",
        "A",
        {V4: _NO_BODY, "2025-09": _ENVELOPE, "2026-03": _ENVELOPE, "2026-09": _ENVELOPE},
    ),
    # 201 / 207 up to 2026-03; 2026-09 declares 200 only (errors inside the envelope).
    **_rows(
        "batch_create",
        "A",
        {
            V4: (201, 207, True),
            "2025-09": (201, 207, True),
            "2026-03": (201, 207, True),
            "2026-09": _ENVELOPE,
        },
    ),
    **_rows(
        "batch_read",
        "A",
        {
            V4: (200, 207, True),
            "2025-09": (200, 207, True),
            "2026-03": (200, 207, True),
            "2026-09": _ENVELOPE,
        },
    ),
    # CRM objects batch read (``O`` = PublicApiSpecs/CRM/Objects/Rollouts/424/<version>/objects.json; the
    # v4 connection reads /crm/v3/objects): 200 / 207 up to 2026-03; 2026-09 declares 200 only.
    **{
        ("objects_batch_read", version): Answer(ok, partial, body, f"O {'v3' if version == V4 else version}")
        for version, (ok, partial, body) in {
            V4: (200, 207, True),
            "2025-09": (200, 207, True),
            "2026-03": (200, 207, True),
            "2026-09": _ENVELOPE,
        }.items()
    },
    # Limit configurations: 2025-09 and 2026-09 declare 200 only for create and update.
    **_rows(
        "config_batch_create",
        "S",
        {V4: (201, 207, True), "2025-09": _ENVELOPE, "2026-03": (201, 207, True), "2026-09": _ENVELOPE},
    ),
    **_rows(
        "config_batch_update",
        "S",
        {V4: (200, 207, True), "2025-09": _ENVELOPE, "2026-03": (200, 207, True), "2026-09": _ENVELOPE},
    ),
    # Purge: v4 204; 2025-09 and 2026-09 BatchResponseVoid, 2026-03 BatchResponse (both carry errors).
    **_rows(
        "config_batch_purge",
        "S",
        {V4: _NO_BODY, "2025-09": _ENVELOPE, "2026-03": _ENVELOPE, "2026-09": _ENVELOPE},
    ),
}


def version_of(path: str) -> str:
    """The API version a request path speaks (``/crm/v4/...``, ``/crm/associations/2026-03/...``).

    :param path: the request path.
    """
    parts = path.split("/")
    for segment in parts[2:4]:
        if segment in VERSIONS:
            return segment
    return V4


def answer(operation: str, version: str) -> Answer:
    """The answer of ``operation`` in ``version``.

    :param operation: a key of :data:`ANSWERS`, e.g. ``"batch_archive"``.
    :param version: an API version.
    """
    return ANSWERS[(operation, version)]
