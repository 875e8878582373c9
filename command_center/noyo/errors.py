"""What can go wrong talking to Noyo, as types a caller can act on.

Every error carries ``status_code`` (None when no HTTP answer came), ``message``
in plain words fit to show an ops user, and ``body`` (Noyo's answer, parsed JSON
when it is JSON, else text). Nothing here ever holds a token or a secret: errors
are built from the response status and body only, never from the request.
"""

from __future__ import annotations

from typing import Any


class NoyoError(Exception):
    """Base of every error the Noyo client raises."""

    default_message = "Noyo could not complete the request."

    def __init__(self, message: str | None = None, *, status_code: int | None = None, body: Any = None) -> None:
        self.message = message or self.default_message
        self.status_code = status_code
        self.body = body
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, message={self.message!r})"


class AuthenticationError(NoyoError):
    """401 (or a refused token request): Noyo refused our credentials, even after fetching a fresh token once."""

    default_message = "Noyo refused our API credentials. Check NOYO_CLIENT_ID and NOYO_CLIENT_SECRET."


class Forbidden(NoyoError):
    """403 on an API call: the credentials are good, but this API key may not use this endpoint or record."""

    default_message = "Noyo does not let this API key do that."


class NotFound(NoyoError):
    """404: the record does not exist, or this API key cannot see it."""

    default_message = "Noyo has no such record, or this API key cannot see it."


class Conflict(NoyoError):
    """409: a duplicate (same carrier_id + carrier_group_id) or an action the record's state forbids."""

    default_message = "Noyo refused this: it conflicts with an existing record or with the record's current state."


class ValidationFailed(NoyoError):
    """422: Noyo rejected the data; ``field_errors`` maps each field to its messages."""

    default_message = "Noyo rejected the data as invalid."

    def __init__(
        self,
        message: str | None = None,
        *,
        status_code: int | None = 422,
        body: Any = None,
        field_errors: dict[str, list[str]] | None = None,
    ) -> None:
        self.field_errors = field_errors or {}
        super().__init__(message, status_code=status_code, body=body)


class RateLimited(NoyoError):
    """429: Noyo asks us to slow down; ``retry_after`` is in seconds when Noyo said so."""

    default_message = "Noyo is limiting our request rate. Try again shortly."

    def __init__(
        self,
        message: str | None = None,
        *,
        status_code: int | None = 429,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, status_code=status_code, body=body)


class ServerError(NoyoError):
    """5xx: a fault or outage at Noyo."""

    default_message = "Noyo had a server error. Try again later."


class NetworkError(NoyoError):
    """No HTTP answer: connect or read error, timeout, dropped connection.

    ``may_have_reached_noyo`` is False only when the request provably never left
    us (connection refused, connect or pool timeout); a caller that sent a write
    must check Noyo's state before sending it again when it is True.
    """

    default_message = "Could not reach Noyo. Try again later."

    def __init__(self, message: str | None = None, *, may_have_reached_noyo: bool = True) -> None:
        self.may_have_reached_noyo = may_have_reached_noyo
        super().__init__(message, status_code=None, body=None)


class BadRequest(NoyoError):
    """Any other 4xx (400 malformed request, 405, a retry in a status Noyo does not accept, ...)."""

    default_message = "Noyo refused the request."


def noyo_message(body: Any) -> str:
    """Noyo's own human message from an error body, or ''."""
    if isinstance(body, dict):
        for key in ("message", "detail", "error", "title"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    if isinstance(body, str):
        return body.strip()[:300]
    return ""


def field_errors_from(body: Any) -> dict[str, list[str]]:
    """Field messages from a 422 body.

    The documented shape (contract.UNCONFIRMED_CHOICES["error_body"]) is
    ``{"errors": {field: [str, ...]}}``; a list of ``{"field"|"loc", "message"|"msg"}``
    items and bare strings are read as well, since the real shape is unconfirmed.
    """
    if not isinstance(body, dict):
        return {}
    raw = body.get("errors", body.get("detail"))
    found: dict[str, list[str]] = {}
    if isinstance(raw, dict):
        for field, messages in raw.items():
            found[str(field)] = [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict):
                field = item.get("field", item.get("loc", ""))
                if isinstance(field, list):
                    field = ".".join(str(part) for part in field)
                message = item.get("message", item.get("msg", ""))
                found.setdefault(str(field), []).append(str(message))
            else:
                found.setdefault("", []).append(str(item))
    return found


def error_for_response(status_code: int, body: Any, *, retry_after: float | None = None) -> NoyoError:
    """The error type a caller can act on for a non-2xx answer."""
    said = noyo_message(body)
    if status_code == 401:
        return AuthenticationError(status_code=status_code, body=body)
    if status_code == 403:
        text = f"Noyo does not let this API key do that: {said}" if said else None
        return Forbidden(text, status_code=status_code, body=body)
    if status_code == 404:
        return NotFound(status_code=status_code, body=body)
    if status_code == 409:
        text = f"Noyo refused this: {said}" if said else None
        return Conflict(text, status_code=status_code, body=body)
    if status_code == 422:
        fields = field_errors_from(body)
        return ValidationFailed(
            _validation_message(said, fields), status_code=status_code, body=body, field_errors=fields
        )
    if status_code == 429:
        wait = f" Noyo asked us to wait {retry_after:g} seconds." if retry_after is not None else ""
        return RateLimited(f"Noyo is limiting our request rate.{wait}", body=body, retry_after=retry_after)
    if status_code >= 500:
        return ServerError(
            f"Noyo had a server error ({status_code}). Try again later.", status_code=status_code, body=body
        )
    text = f"Noyo refused the request ({status_code}): {said}" if said else f"Noyo refused the request ({status_code})."
    return BadRequest(text, status_code=status_code, body=body)


def _validation_message(said: str, fields: dict[str, list[str]]) -> str:
    details = "; ".join(
        f"{field}: {', '.join(messages)}" if field else ", ".join(messages) for field, messages in fields.items()
    )
    parts = [part for part in (said, details) if part]
    return "Noyo rejected the data: " + " — ".join(parts) if parts else ValidationFailed.default_message
