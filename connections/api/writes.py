"""The connections API's writes: each calls the same form and function as the console's button.

Retry (one, or a batch), create a connection, confirm or reject a disconnection request, create a
renewal decision. Each sends something to Noyo, so each needs an ``Idempotency-Key``
(``command_center.api.idempotency``): a resend with the same key answers the first outcome. Under
it, the key's token is the token of the once-only write the button uses (``RetryAttempt``,
``NoyoAction``), so even a request that takes over from one that died sends nothing twice.

Answers: the outcome in plain words (``detail``), the attempt or action, and the record as the
mirror has it now. Noyo's refusals keep Noyo's code where it is the caller's to act on (409, 422,
with Noyo's messages by field) and are 502 otherwise; "not sent" (the mirror says it must not be,
or the same write is in flight from elsewhere) is 409.
"""

from __future__ import annotations

from rest_framework import serializers, status
from rest_framework.response import Response

from command_center.api.fields import RecordSerializer
from command_center.api.idempotency import StillInProgress
from command_center.api.writes import WriteView, field_errors, form_refused, found, not_found, read, write_schema
from command_center.sync.records import NOYO_ID_LENGTH
from connections import actions
from connections import retry as retries
from connections.connect_views import CREATE_PERMISSION as CONNECT_PERMISSION
from connections.disconnection_views import KINDS as DECISION_KINDS
from connections.disconnection_views import REVIEW_PERMISSION
from connections.forms import ConnectForm, DecisionForm, RetryForm
from connections.models import (
    Group,
    GroupConnection,
    GroupDisconnectionRequest,
    NoyoAction,
    RenewalDecision,
    RetryAttempt,
)
from connections.renewal_forms import MAX_ROWS, RenewalEntry, connected_carriers, form_data
from connections.renewal_views import CREATE_PERMISSION as RENEWAL_PERMISSION
from connections.views import RETRY_PERMISSION

# A write answers with the record as the read API shows it.
from .serializers import (
    DisconnectionRequestSerializer,
    GroupConnectionSerializer,
    RenewalDecisionSerializer,
    RetryAttemptSerializer,
)
from .views import attach_carrier_names

NOT_SENT = "Nothing was sent: fix the values named in errors and send it again."


def outcome_status(state: str, noyo_status_code: int | None, success: int = status.HTTP_200_OK) -> int:
    """The HTTP status of a finished attempt or action (both share these states)."""
    if state == NoyoAction.State.SUCCEEDED:
        return success
    if state == NoyoAction.State.SKIPPED:
        return status.HTTP_409_CONFLICT
    if noyo_status_code in (409, 422):
        return noyo_status_code
    return status.HTTP_502_BAD_GATEWAY


# --- Retry ---------------------------------------------------------------------------------------


class RetryRequestSerializer(serializers.Serializer):
    carrier_group_id = serializers.CharField(
        required=False, help_text="The group's number at the carrier; left out: the connection's current one."
    )
    broker_federal_ein = serializers.CharField(required=False, allow_blank=True, help_text="Optional, as 12-3456789.")
    broker_tin = serializers.CharField(required=False, allow_blank=True, help_text="Optional: an EIN or an SSN.")
    note = serializers.CharField(required=False, allow_blank=True, help_text="Why: kept in the audit log, not sent.")


class RetryOutcomeSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in plain words.")
    attempt = RetryAttemptSerializer()
    connection = GroupConnectionSerializer()


@write_schema(
    "connections_retry",
    request=RetryRequestSerializer,
    outcome=RetryOutcomeSerializer,
    success=200,
    codes=(409, 422, 502),
    summary="Retry a connection at Noyo",
    description=(
        "The retry form's values, checked as the form checks them (the carrier's id format), then one retry at Noyo "
        "(connections.retry_groupconnection). 409: not sent (not retryable now, or another retry of it is in flight); "
        "409 or 422 with Noyo's code: Noyo refused (its messages by field in attempt.field_errors); 502: Noyo failed."
    ),
)
class ConnectionRetry(WriteView):
    permission = RETRY_PERMISSION
    refused = "Only Operators can retry connections."

    def write(self, request, token, pk):
        connection = found(GroupConnection.objects.select_related("carrier"), pk)
        if connection is None:
            return not_found("connection")
        values, refusal = read(RetryRequestSerializer, request, NOT_SENT)
        if refusal:
            return refusal
        # Left out: the connection's current number, as the form is prefilled with it.
        data = {"carrier_group_id": connection.carrier_group_id, **values, "token": str(token)}
        form = RetryForm(data, connection=connection)
        if not form.is_valid():
            return form_refused(form.errors, NOT_SENT)
        attempt = retries.prepare_bulk_attempt(connection, request.user, token)
        if attempt.state == RetryAttempt.State.READY:
            attempt = retries.perform_retry(attempt, request.user, form.values())
        elif attempt.state == RetryAttempt.State.IN_FLIGHT:
            attempt = _settled_attempt(attempt)
        connection.refresh_from_db()
        body = RetryOutcomeSerializer({"detail": attempt.message, "attempt": attempt, "connection": connection}).data
        return Response(body, status=outcome_status(attempt.state, attempt.noyo_status_code))


def _settled_attempt(attempt: RetryAttempt) -> RetryAttempt:
    """An attempt found in flight by a request that took over: released if its worker died, else still going."""
    retries.release_stale_attempts(attempt.connection_id)
    attempt.refresh_from_db()
    if attempt.state == RetryAttempt.State.IN_FLIGHT:
        raise StillInProgress
    return attempt


class BulkRetryRequestSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.CharField(max_length=NOYO_ID_LENGTH),
        help_text=f"The connections to retry, at most {retries.BULK_LIMIT}: each with its current ids, once.",
    )


class BulkRetryRowSerializer(serializers.Serializer):
    id = serializers.CharField()
    detail = serializers.CharField(help_text="What happened to this connection, in plain words.")
    attempt = RetryAttemptSerializer(allow_null=True, help_text="null: the mirror has no such connection.")
    connection = GroupConnectionSerializer(allow_null=True)


class BulkRetryOutcomeSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="How many were accepted, not sent or failed.")
    results = BulkRetryRowSerializer(many=True, help_text="One per id, in the order sent.")


@write_schema(
    "connections_bulk_retry",
    request=BulkRetryRequestSerializer,
    outcome=BulkRetryOutcomeSerializer,
    success=200,
    summary="Retry several connections at Noyo",
    description=(
        "What the connections list's bulk retry does (connections.retry_groupconnection): every id once, with its "
        "current ids; those that cannot be retried are not sent. 200 whatever each one's outcome: read results[].attempt.state "
        "(succeeded, skipped, failed)."
    ),
)
class ConnectionBulkRetry(WriteView):
    permission = RETRY_PERMISSION
    refused = "Only Operators can retry connections."

    def write(self, request, token):
        values, refusal = read(
            BulkRetryRequestSerializer, request, "Nothing was sent: give the ids of the connections to retry."
        )
        if refusal:
            return refusal
        ids = list(dict.fromkeys(values["ids"]))
        problem = retries.bulk_problem(ids)
        if problem:
            return form_refused({"ids": [problem]}, f"Nothing was sent: {problem}")
        connections = GroupConnection.objects.select_related("carrier").in_bulk(ids)
        rows = [_bulk_row(request.user, connections.get(pk), pk, token) for pk in ids]
        return Response(BulkRetryOutcomeSerializer({"detail": _bulk_summary(rows), "results": rows}).data)


def _bulk_row(user, connection, pk, batch) -> dict:
    if connection is None:
        return {"id": pk, "detail": retries.NOT_MIRRORED, "attempt": None, "connection": None}
    attempt = retries.retry_in_batch(connection, user, batch)
    connection.refresh_from_db()
    return {"id": pk, "detail": attempt.message, "attempt": attempt, "connection": connection}


_BULK_WORDS = {
    RetryAttempt.State.SUCCEEDED: "accepted by Noyo",
    RetryAttempt.State.SKIPPED: "not sent",
    RetryAttempt.State.FAILED: "failed",
    RetryAttempt.State.IN_FLIGHT: "still being sent",
}


def _bulk_summary(rows) -> str:
    counts = {}
    for row in rows:
        words = _BULK_WORDS.get(row["attempt"].state, "not sent") if row["attempt"] else "not in the mirror"
        counts[words] = counts.get(words, 0) + 1
    parts = ", ".join(f"{n} {words}" for words, n in counts.items())
    return f"Bulk retry of {len(rows)} connection{'s' if len(rows) != 1 else ''}: {parts}."


# --- Writes through connections.actions ----------------------------------------------------------


class NoyoActionSerializer(RecordSerializer):
    requested_by = serializers.CharField(source="requested_by.get_username", default="", read_only=True)

    class Meta:
        model = NoyoAction
        fields = [
            "token",
            "kind",
            "state",
            "message",
            "target_id",
            "result_id",
            "old_status",
            "new_status",
            "noyo_status_code",
            "field_errors",
            "requested_by",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


def _send(user, token, kind, values, **about) -> NoyoAction:
    """The action this key stands for, sent once with the form's values (``connections.actions.perform``)."""
    action = actions.find(token, kind) or actions.prepare(kind, user, token=token, **about)
    if action.state == NoyoAction.State.READY:
        return actions.perform(action, user, values)
    if action.state == NoyoAction.State.IN_FLIGHT:  # taken over from a request that may have died
        actions.release_stale(action.lock_key)
        action.refresh_from_db()
        if action.state == NoyoAction.State.IN_FLIGHT:
            raise StillInProgress
    return action


# Create a connection


class ConnectRequestSerializer(serializers.Serializer):
    group = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="An existing group's id; left out: a new group, made with the connection (give group_name).",
    )
    group_name = serializers.CharField(
        required=False, allow_blank=True, help_text="The new group's name (no group given)."
    )
    federal_ein = serializers.CharField(
        required=False, allow_blank=True, help_text="The new group's EIN, as 12-3456789."
    )
    carrier = serializers.CharField(help_text="The carrier's id.")
    carrier_group_id = serializers.CharField(help_text="The group's number at the carrier, in the carrier's format.")
    broker_federal_ein = serializers.CharField(required=False, allow_blank=True)
    broker_tin = serializers.CharField(required=False, allow_blank=True)


class ConnectOutcomeSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in plain words.")
    action = NoyoActionSerializer()
    connection = GroupConnectionSerializer(
        allow_null=True, help_text="The connection made, or the one Noyo already had."
    )


@write_schema(
    "connections_create",
    request=ConnectRequestSerializer,
    outcome=ConnectOutcomeSerializer,
    success=201,
    codes=(409, 422, 502),
    summary="Create a group connection at Noyo",
    description=(
        "The New connection form's values, checked as the form checks them, then one create at Noyo "
        "(connections.create_groupconnection). 201: made, and mirrored. 409: not sent, or Noyo already has it "
        "(connection is the one it has); 422: Noyo refused values (action.field_errors); 502: Noyo failed."
    ),
)
class ConnectionCreate(WriteView):
    permission = CONNECT_PERMISSION
    refused = "Only Operators can create group connections."

    def write(self, request, token):
        values, refusal = read(ConnectRequestSerializer, request, NOT_SENT)
        if refusal:
            return refusal
        group = None
        if values.get("group"):
            group = found(Group.objects.present(), values["group"])
            if group is None:
                return form_refused(
                    {
                        "group": [
                            "No group with this id in the mirror. Leave it out and give group_name to make a new group with the connection."
                        ]
                    },
                    NOT_SENT,
                )
        form = ConnectForm({**values, "token": str(token)}, group=group)
        if not form.is_valid():
            return form_refused(form.errors, NOT_SENT)
        about = {"target_id": group.pk, "group_id": group.pk} if group else {}
        action = _send(request.user, token, NoyoAction.Kind.CREATE_CONNECTION, form.values(), **about)
        connection = (
            found(GroupConnection.objects.select_related("carrier"), action.result_id) if action.result_id else None
        )
        body = ConnectOutcomeSerializer({"detail": action.message, "action": action, "connection": connection}).data
        return Response(body, status=outcome_status(action.state, action.noyo_status_code, status.HTTP_201_CREATED))


# Confirm or reject a disconnection request


class ConfirmRequestSerializer(serializers.Serializer):
    effective_end_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The last day managed through Noyo; left out: the date the request has.",
    )
    note = serializers.CharField(required=False, allow_blank=True, help_text="Why: kept in the audit log, not sent.")


class RejectRequestSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, help_text="Why: kept in the audit log, not sent.")


class DecisionOutcomeSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in plain words.")
    action = NoyoActionSerializer()
    disconnection = DisconnectionRequestSerializer()


class _Decide(WriteView):
    permission = REVIEW_PERMISSION
    refused = "Only Operators can confirm or reject disconnection requests."
    decision = ""
    request_serializer = None

    def write(self, request, token, pk):
        disconnection = found(GroupDisconnectionRequest.objects.all(), pk)
        if disconnection is None:
            return not_found("disconnection request")
        values, refusal = read(self.request_serializer, request, NOT_SENT)
        if refusal:
            return refusal
        form = DecisionForm({**values, "token": str(token)}, decision=self.decision)
        if not form.is_valid():
            return form_refused(form.errors, NOT_SENT)
        action = _send(
            request.user,
            token,
            DECISION_KINDS[self.decision],
            form.values(),
            target_id=disconnection.pk,
            group_id=disconnection.group_id,
            carrier_id=disconnection.carrier_id,
            old_status=disconnection.status,
        )
        disconnection = GroupDisconnectionRequest.objects.select_related("carrier").get(pk=disconnection.pk)
        body = DecisionOutcomeSerializer(
            {"detail": action.message, "action": action, "disconnection": disconnection}
        ).data
        return Response(body, status=outcome_status(action.state, action.noyo_status_code))


_DECISION_ANSWERS = (
    "409: not sent (the request no longer needs review), or Noyo refused for its state; 422: Noyo refused values; "
    "502: Noyo failed."
)


@write_schema(
    "disconnections_confirm",
    request=ConfirmRequestSerializer,
    outcome=DecisionOutcomeSerializer,
    success=200,
    codes=(409, 422, 502),
    summary="Confirm a disconnection request at Noyo",
    description=f"The confirm step of a request that needs review (connections.review_groupdisconnectionrequest). {_DECISION_ANSWERS}",
)
class DisconnectionConfirm(_Decide):
    decision, request_serializer = "confirm", ConfirmRequestSerializer


@write_schema(
    "disconnections_reject",
    request=RejectRequestSerializer,
    outcome=DecisionOutcomeSerializer,
    success=200,
    codes=(409, 422, 502),
    summary="Reject a disconnection request at Noyo",
    description=f"The reject step of a request that needs review (connections.review_groupdisconnectionrequest). {_DECISION_ANSWERS}",
)
class DisconnectionReject(_Decide):
    decision, request_serializer = "reject", RejectRequestSerializer


# Create a renewal decision


class RenewalLineRequestSerializer(serializers.Serializer):
    line = serializers.CharField(help_text="The line of coverage, e.g. medical.")
    open_enrollment_start_date = serializers.DateField()
    open_enrollment_end_date = serializers.DateField()
    plans = serializers.ListField(
        child=serializers.CharField(max_length=NOYO_ID_LENGTH),
        required=False,
        help_text="Ids of the group's plans with the carrier on this line, expected at renewal.",
    )
    plan_name = serializers.CharField(required=False, allow_blank=True, help_text="A plan to be set up, by name.")
    plan_type = serializers.CharField(required=False, allow_blank=True)
    metal_tier = serializers.CharField(required=False, allow_blank=True)


class RenewalRequestSerializer(serializers.Serializer):
    group = serializers.CharField(max_length=NOYO_ID_LENGTH, help_text="The group's id.")
    carrier = serializers.CharField(
        max_length=NOYO_ID_LENGTH, help_text="One of the carriers the group is connected to."
    )
    renewal_date = serializers.DateField(help_text="The first day of the new plan year.")
    lines = RenewalLineRequestSerializer(many=True, max_length=MAX_ROWS, help_text="One per line of coverage.")


class RenewalOutcomeSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in plain words.")
    action = NoyoActionSerializer()
    renewal = RenewalDecisionSerializer(allow_null=True, help_text="The decision made, or the one Noyo already had.")


@write_schema(
    "renewals_create",
    request=RenewalRequestSerializer,
    outcome=RenewalOutcomeSerializer,
    success=201,
    codes=(409, 422, 502),
    summary="Create a renewal decision at Noyo",
    description=(
        "The New renewal decision form's values, line by line, checked as the form checks them, then one create at Noyo "
        "(connections.create_renewaldecision). 201: made, and mirrored. 409: not sent, or Noyo already has a decision "
        "for this date and carrier; 422: Noyo refused values (action.field_errors); 502: Noyo failed."
    ),
)
class RenewalCreate(WriteView):
    permission = RENEWAL_PERMISSION
    refused = "Only Operators can send renewal decisions to Noyo."

    def write(self, request, token):
        values, refusal = read(RenewalRequestSerializer, request, NOT_SENT)
        if refusal:
            return refusal
        group = found(Group.objects.present(), values["group"])
        if group is None:
            return form_refused({"group": ["No group with this id in the mirror."]}, "Nothing was sent: no such group.")
        rows = [
            {
                **row,
                "open_enrollment_start_date": row["open_enrollment_start_date"].isoformat(),
                "open_enrollment_end_date": row["open_enrollment_end_date"].isoformat(),
            }
            for row in values["lines"]
        ]
        data = form_data(token, group.pk, values["carrier"], values["renewal_date"].isoformat(), rows)
        entry = RenewalEntry(group, connected_carriers(group), data=data)
        if not entry.is_valid():
            return form_refused(_entry_errors(entry), NOT_SENT)
        action = _send(
            request.user, token, NoyoAction.Kind.CREATE_RENEWAL, entry.values(), target_id=group.pk, group_id=group.pk
        )
        renewal = found(RenewalDecision.objects.select_related("group"), action.result_id) if action.result_id else None
        if renewal is not None:
            attach_carrier_names([renewal])
        body = RenewalOutcomeSerializer({"detail": action.message, "action": action, "renewal": renewal}).data
        return Response(body, status=outcome_status(action.state, action.noyo_status_code, status.HTTP_201_CREATED))


def _entry_errors(entry: RenewalEntry) -> dict:
    """The decision's and each line's messages: ``carrier``, ``lines[0].plans``, ``lines`` for the list as a whole."""
    errors = field_errors(entry.form.errors)
    for n, line in enumerate(entry.lines.forms):
        errors.update(field_errors(line.errors, f"lines[{n}]"))
    if entry.lines.non_form_errors():
        errors["lines"] = list(entry.lines.non_form_errors())
    return errors
