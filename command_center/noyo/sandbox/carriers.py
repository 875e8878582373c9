"""The sandbox's carriers: fictional, but shaped like Noyo's real network.

Noyo has no carriers endpoint (ENDPOINTS.md §4): carrier ids only appear on
other records, and names, group-number formats, Sync/Send kind and file
cadence live on each carrier's page in Noyo's console. The mirror seeds its
Carrier table from ``CARRIERS`` below, so the ids here are fixed constants,
the same for every sandbox seed.

A group number pattern uses ``#`` for a digit and ``@`` for a capital letter;
everything else is literal. The regex in ``carrier_group_id_format`` is
derived from it, so the two cannot disagree.
"""

from __future__ import annotations

import random
import re

SYNC = "sync"
SEND = "send"
REAL_TIME = "Real time, through the carrier's API"

# (id, name, kind, group number pattern, format hint, file cadence, lines of coverage)
_TABLE = (
    (
        "d5792730-663e-4e24-a4ff-ca68c35f748f",
        "Northwind Health",
        SYNC,
        "NW######",
        "NW followed by 6 digits, e.g. NW204518 (group number on the billing statement)",
        REAL_TIME,
        ("medical",),
    ),
    (
        "0fb49f15-dd89-47f8-b8ae-417b9a285b4a",
        "Cascade Mutual",
        SYNC,
        "#######",
        "7-digit group number, e.g. 4420917; no letters or dashes",
        REAL_TIME,
        ("medical", "dental", "vision"),
    ),
    (
        "36475e91-e211-47c2-b786-b4bcbb18104e",
        "Bluepeak Dental",
        SEND,
        "BP-#####",
        "BP- followed by 5 digits, e.g. BP-30721",
        "Weekly file, Mondays 06:00 Pacific",
        ("dental",),
    ),
    (
        "04a23608-0e07-4bd3-a682-dc0dbc19f11f",
        "ClearSight Vision",
        SEND,
        "#####-###",
        "Master agreement: 5 digits, a dash and a 3-digit division, e.g. 51830-001",
        "Weekly file, Wednesdays",
        ("vision",),
    ),
    (
        "32cdd2ad-fc66-4b68-b987-c61c94fbdaaf",
        "Keystone Life & Disability",
        SYNC,
        "KL#####@",
        "KL, 5 digits and a plan letter, e.g. KL48210B",
        REAL_TIME,
        ("life", "add", "std", "ltd"),
    ),
    (
        "8894a7de-3ef5-4fc8-afec-e2ae8fc3e541",
        "Harborview Benefits",
        SEND,
        "HV#######",
        "HV followed by 7 digits, e.g. HV0043187",
        "Every other Friday",
        ("accident", "critical_illness", "cancer", "hospital_indemnity"),
    ),
    (
        "34ece795-bfa3-4aa9-8c56-ff6948f24db4",
        "Summit Health Plans",
        SEND,
        "SHP-####-@@",
        "SHP-, 4 digits, a dash and a 2-letter region code, e.g. SHP-2207-NW",
        "Weekly file, Thursdays",
        ("medical", "dental"),
    ),
    (
        "337465e7-2611-467d-b1ad-e1ecbe4ca232",
        "Evergreen Guardian Life",
        SEND,
        "##########",
        "10-digit policy number, e.g. 0071234455",
        "Monthly file, first business day",
        ("life", "add", "std", "ltd", "accident", "critical_illness"),
    ),
    (
        "401c6fe3-e7f0-49e8-8d83-f4065cb47cf3",
        "Meridian Dental Alliance",
        SYNC,
        "MDA-####-@@",
        "MDA-, 4 digits, a dash and 2 letters, e.g. MDA-5521-CA",
        REAL_TIME,
        ("dental", "vision"),
    ),
    (
        "59740729-23b0-4e2d-b30a-b3a18b68ae99",
        "Lakeshore Health Cooperative",
        SEND,
        "@@####",
        "2 letters and 4 digits, e.g. LH4410",
        "Weekly file, Tuesdays",
        ("medical", "vision"),
    ),
    (
        "4fb83e66-94dc-47aa-883e-4f36d5589e06",
        "Pioneer Voluntary Benefits",
        SYNC,
        "PV-########",
        "PV- followed by 8 digits, e.g. PV-00218734",
        REAL_TIME,
        ("accident", "cancer", "hospital_indemnity", "critical_illness"),
    ),
    (
        "c354d56a-afe9-4c94-a49d-4878372fa4dc",
        "Redwood Disability Insurance",
        SEND,
        "R####-##",
        "R, 4 digits, a dash and a 2-digit class, e.g. R7713-02",
        "Twice monthly, 1st and 15th",
        ("std", "ltd", "life"),
    ),
)


def pattern_regex(pattern: str) -> str:
    parts = []
    for char in pattern:
        parts.append(r"\d" if char == "#" else "[A-Z]" if char == "@" else re.escape(char))
    return "^" + "".join(parts) + "$"


CARRIERS = [
    {
        "id": carrier_id,
        "name": name,
        "kind": kind,
        "carrier_group_id_format": pattern_regex(pattern),
        "format_hint": hint,
        "file_cadence": cadence,
    }
    for carrier_id, name, kind, pattern, hint, cadence, _lines in _TABLE
]
CARRIER_IDS = tuple(row[0] for row in _TABLE)
CARRIER_BY_ID = {carrier["id"]: carrier for carrier in CARRIERS}
LINES_BY_CARRIER = {row[0]: row[6] for row in _TABLE}
_PATTERNS = {row[0]: row[3] for row in _TABLE}
_REGEXES = {carrier["id"]: re.compile(carrier["carrier_group_id_format"]) for carrier in CARRIERS}


def is_valid_group_number(carrier_id: str, carrier_group_id: str) -> bool:
    regex = _REGEXES.get(carrier_id)
    return bool(regex and regex.match(carrier_group_id or ""))


def make_group_number(carrier_id: str, rng: random.Random) -> str:
    """A carrier_group_id that matches the carrier's format."""
    out = []
    for char in _PATTERNS[carrier_id]:
        if char == "#":
            out.append(str(rng.randrange(10)))
        elif char == "@":
            out.append(chr(65 + rng.randrange(26)))
        else:
            out.append(char)
    return "".join(out)
