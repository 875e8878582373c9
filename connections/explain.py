"""Plain words for what a connection's status means and who has to act (ENDPOINTS.md §6.2)."""

from __future__ import annotations

from django.conf import settings

# status: (who acts, meaning for a Sync carrier, meaning for a Send (file) carrier)
STATUS_MEANINGS = {
    "created": ("Noyo", "Just submitted; Noyo has not checked it with the carrier yet.", None),
    "processing": ("Noyo", "Noyo is talking to the carrier (also the state right after a retry).", None),
    "noyo_review": ("Noyo", "Noyo is fixing a problem with the connection.", None),
    "waiting_on_carrier": (
        "the carrier",
        "The carrier is processing the connection.",
        "Waiting for the carrier's setup instructions or its feedback on the test file.",
    ),
    "carrier_authorization": (
        "the platform or the carrier",
        "Noyo cannot pull the group's data from the carrier: the platform may need to contact the carrier.",
        "Noyo is obtaining the group's information from the carrier before testing.",
    ),
    "action_required": (
        "us (the platform)",
        "We must act: see the error below.",
        "We must map the plans and send the census, or fix the discrepancies the carrier reported.",
    ),
    "unable_to_connect": (
        "us (the platform)",
        "The carrier could not install the connection. Fix what the error says and retry.",
        "The carrier could not accept the connection. Fix what the error says and retry.",
    ),
    "completed": ("nobody", "Connected: Noyo can manage enrollment for the group.", "Connected: the production file is approved."),
}


def status_meaning(status: str, carrier_kind: str = "") -> dict | None:
    """``{"who": ..., "meaning": ...}`` for a status, worded for the carrier's kind; None if unknown."""
    entry = STATUS_MEANINGS.get(status)
    if entry is None:
        return None
    who, sync_text, send_text = entry
    meaning = send_text if carrier_kind == "send" and send_text else sync_text
    return {"who": who, "meaning": meaning}


def noyo_console_url(connection) -> str:
    """The connection in Noyo's own console, for what only that console can do (amend, authorise)."""
    base = settings.NOYO_CONSOLE_URL.rstrip("/")
    return f"{base}/group_connections/{connection.pk}"
