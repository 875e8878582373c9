"""Plain words for what a connection's status means and who has to act (ENDPOINTS.md §6.2)."""

from __future__ import annotations

from django.conf import settings

# status: (who acts, meaning for a Sync carrier, meaning for a Send (file) carrier, meaning for either)
# The last is shown when the carrier's kind is unknown (no reference data yet): it holds for both kinds.
STATUS_MEANINGS = {
    "created": ("Noyo", "Just submitted; Noyo has not checked it with the carrier yet.", None, None),
    "processing": ("Noyo", "Noyo is talking to the carrier (also the state right after a retry).", None, None),
    "noyo_review": ("Noyo", "Noyo is fixing a problem with the connection.", None, None),
    "waiting_on_carrier": (
        "the carrier",
        "The carrier is processing the connection.",
        "Waiting for the carrier's setup instructions or its feedback on the test file.",
        "Waiting on the carrier: it is processing the connection or, if Noyo sends it files, Noyo waits for its setup instructions or its feedback on the test file.",
    ),
    "carrier_authorization": (
        "the platform or the carrier",
        "Noyo cannot pull the group's data from the carrier: the platform may need to contact the carrier.",
        "Noyo is obtaining the group's information from the carrier before testing.",
        "Noyo is getting the group's information from the carrier. If the carrier is a Sync carrier, this is an authorization problem and the platform may need to contact the carrier.",
    ),
    "action_required": (
        "us (the platform)",
        "We must act: see the error below.",
        "We must map the plans and send the census, or fix the discrepancies the carrier reported.",
        "We must act: see the error below. If Noyo sends this carrier files, that usually means mapping the plans and sending the census, or fixing the discrepancies the carrier reported.",
    ),
    "unable_to_connect": (
        "us (the platform)",
        "The carrier could not install the connection. Fix what the error says and retry.",
        "The carrier could not accept the connection. Fix what the error says and retry.",
        "The carrier could not install or accept the connection. Fix what the error says and retry.",
    ),
    "completed": (
        "nobody",
        "Connected: Noyo can manage enrollment for the group.",
        "Connected: the production file is approved.",
        "Connected: enrollment and eligibility changes for the group go through Noyo.",
    ),
}


def status_meaning(status: str, carrier_kind: str = "") -> dict | None:
    """``{"who", "meaning", "kind_known"}`` for a status, worded for the carrier's kind; None if unknown.

    A carrier whose kind is unknown (``"unknown"``, blank: no reference data yet) gets the wording
    that holds for Sync and Send carriers alike, never one kind's."""
    entry = STATUS_MEANINGS.get(status)
    if entry is None:
        return None
    who, sync_text, send_text, either_text = entry
    if carrier_kind == "sync":
        meaning = sync_text
    elif carrier_kind == "send":
        meaning = send_text or sync_text
    else:
        meaning = either_text or sync_text
    return {"who": who, "meaning": meaning, "kind_known": carrier_kind in ("sync", "send")}


def noyo_console_url(connection) -> str:
    """The connection in Noyo's own console, for what only that console can do (amend, authorise)."""
    base = settings.NOYO_CONSOLE_URL.rstrip("/")
    return f"{base}/group_connections/{connection.pk}"
