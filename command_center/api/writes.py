"""The API's writes: what every write shares, and the console's own (start a sync; acknowledge, assign
and snooze an attention item).

Each write is a ``WriteView``: the permission the console's button checks (a Viewer gets 403 in
the button's words, and nothing is done), then the button's form and function, once per
``Idempotency-Key`` (``command_center.api.idempotency``). The answer is JSON: ``detail``, the
outcome in plain words, and the record as it is now; a form's refusal is 400 with ``errors`` by
field. The writes that call Noyo live with their app (``connections.api.writes``).
"""

from __future__ import annotations

from functools import partial

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from command_center import attention
from command_center.api.serializers import AttentionItemSerializer, SyncRunSerializer
from command_center.models import AttentionItem, SyncRun
from command_center.sync import runs
from command_center.sync.records import NOYO_ID_LENGTH
from command_center.views import attention as attention_views
from command_center.views import syncs as sync_views

from . import idempotency

# --- What every write shares ---------------------------------------------------------------------


class HasPermission(permissions.BasePermission):
    """The Django permission a console button checks, refused in the button's words."""

    def __init__(self, codename: str, message: str):
        self.codename, self.message = codename, message

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(self.codename))


class WriteView(APIView):
    """A POST that does what a console button does. Subclasses set ``permission`` and ``refused``
    and implement ``write(request, token, **path_arguments)``, which answers a ``Response``."""

    permission = ""
    refused = ""
    # Writes that send something to Noyo need the key; the others take it if given.
    key_required = True

    def get_permissions(self):
        # The project's defaults first (signed in; an API key's scope), then the button's permission.
        return [*super().get_permissions(), HasPermission(self.permission, self.refused)]

    def post(self, request, **kwargs):
        if not isinstance(request.data, dict):
            return problem(status.HTTP_400_BAD_REQUEST, "Send the values as a JSON object. Nothing was done.")
        if _has_nul(request.data):
            return problem(
                status.HTTP_400_BAD_REQUEST, "A value holds a NUL character, which no field accepts. Nothing was done."
            )
        return idempotency.once(request, partial(self.write, request, **kwargs), required=self.key_required)

    def write(self, request, token, **kwargs) -> Response:
        raise NotImplementedError


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def read(
    serializer_class, request, detail: str = "Nothing was done: fix the values named in errors and send it again."
):
    """The request's values as the write's serializer types them (``(values, None)``), or ``(None, the 400)``.

    The serializer reads the JSON (a date where a date goes, text where text goes); the button's form,
    given those values, decides as it does for the page.
    """
    given = serializer_class(data=request.data)
    if given.is_valid():
        return dict(given.validated_data), None
    return None, form_refused(given.errors, detail)


def found(queryset, pk):
    """The row with this id, or None (an id no row can have, e.g. with a NUL byte, finds none)."""
    pk = str(pk)
    if "\x00" in pk or len(pk) > NOYO_ID_LENGTH:
        return None
    return queryset.filter(pk=pk).first()


def problem(code: int, detail: str, errors: dict | None = None) -> Response:
    body = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=code)


def not_found(what: str) -> Response:
    return problem(status.HTTP_404_NOT_FOUND, f"No {what} with this id in the mirror. Nothing was done.")


def form_refused(
    errors, detail: str = "Nothing was done: fix the values named in errors and send it again."
) -> Response:
    """A form's refusal: 400 with its messages by field (``non_field_errors`` for the rest)."""
    return problem(status.HTTP_400_BAD_REQUEST, detail, field_errors(errors))


def field_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """A form's (or serializer's) errors as {field: [messages]}; nested ones as ``lines[0].plans``."""
    flat = {}
    for name, messages in dict(errors).items():
        name = "non_field_errors" if name == "__all__" else name
        if isinstance(name, int):  # an item of a list (DRF keys those by position)
            key = f"{prefix}[{name}]"
        elif prefix:  # a nested part's own errors go under the part's name
            key = prefix if name == "non_field_errors" else f"{prefix}.{name}"
        else:
            key = name
        if isinstance(messages, dict):
            flat.update(field_errors(messages, key))
        elif messages and isinstance(messages, list) and isinstance(messages[0], dict):
            for n, row in enumerate(messages):
                flat.update(field_errors(row, f"{key}[{n}]"))
        else:
            flat[key] = [str(message) for message in messages]
    return flat


class ProblemSerializer(serializers.Serializer):
    """Why nothing was done, in plain words."""

    detail = serializers.CharField()


class RefusalSerializer(serializers.Serializer):
    """Why nothing was done, and the values to fix, by field."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages by field; a line of a list as lines[0].plans; non_field_errors for the rest.",
    )


def write_schema(
    operation_id: str,
    *,
    request,
    outcome,
    success: int,
    summary: str,
    description: str,
    key_required: bool = True,
    codes: tuple[int, ...] = (),
):
    """The OpenAPI description of a write: its body, the Idempotency-Key header, and every answer it gives.

    ``codes``: the statuses whose body is the outcome (e.g. 409 for "not sent", 422 and 502 for Noyo's
    refusals). 409 and 422 are also the Idempotency-Key's own answers (``detail`` alone), so for those
    the outcome is described with only ``detail`` required.
    """
    responses = {
        success: outcome,
        400: RefusalSerializer,
        403: ProblemSerializer,
        404: ProblemSerializer,
        409: ProblemSerializer,
        422: ProblemSerializer,
    }
    for code in codes:
        responses[code] = outcome_or_problem(outcome) if code in (409, 422) else outcome
    # On the POST itself: an operation_id given on the class would go to every method.
    return extend_schema_view(
        post=extend_schema(
            operation_id=operation_id,
            request=request,
            responses=responses,
            summary=summary,
            description=description,
            parameters=[idempotency.parameter(key_required)],
        )
    )


_OR_PROBLEM: dict[type, type] = {}


def outcome_or_problem(outcome: type) -> type:
    """``outcome`` with everything but ``detail`` optional: a body either an outcome or a bare problem fits.

    (A oneOf of the two would not do: an outcome, having a ``detail``, fits both.) One class per
    outcome, so the document names it once.
    """
    if outcome not in _OR_PROBLEM:
        fields = {
            # Made again from its arguments: DRF copies a declared field that way, so a changed attribute would not last.
            name: type(field)(*field._args, **{**field._kwargs, "required": name == "detail"})
            for name, field in outcome._declared_fields.items()
        }
        name = outcome.__name__.removesuffix("Serializer")
        doc = f"{name}, or only a detail when nothing was done (the Idempotency-Key's 409 and 422)."
        _OR_PROBLEM[outcome] = type(f"{name}OrProblemSerializer", (serializers.Serializer,), {**fields, "__doc__": doc})
    return _OR_PROBLEM[outcome]


# --- Start a sync ----------------------------------------------------------------------------------

NOT_STARTED = "Nothing was started: choose what to sync."


class SyncStartRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sync_views.KIND_CHOICES, help_text="What to sync: full, or one family.")


class SyncStartOutcomeSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in plain words.")
    run = SyncRunSerializer()


@write_schema(
    "syncs_start",
    request=SyncStartRequestSerializer,
    outcome=SyncStartOutcomeSerializer,
    success=202,
    codes=(409,),
    key_required=False,
    summary="Start a sync",
    description=(
        "What the Syncs page's Sync now does (command_center.start_sync). 202: the run is queued; follow it at "
        "/api/ or on its page. 409: not started, because a run of the same family holds it (the run, skipped, says which)."
    ),
)
class SyncStart(WriteView):
    permission = "command_center.start_sync"
    refused = "Starting a sync needs the Operator role."
    key_required = False  # a second start while one runs is skipped anyway, and a sync only reads from Noyo

    def write(self, request, token):
        values, refusal = read(SyncStartRequestSerializer, request, NOT_STARTED)
        if refusal:
            return refusal
        form = sync_views.SyncStartForm(values)
        if not form.is_valid():
            return form_refused(form.errors, NOT_STARTED)
        run = sync_views.start_for(request.user, form.cleaned_data["kind"])
        if run.status == SyncRun.Status.SKIPPED:
            detail, code = f"Not started: {run.message}", status.HTTP_409_CONFLICT
        else:
            detail, code = f"Queued: a {runs.kind_label(run.kind)} sync, run #{run.pk}.", status.HTTP_202_ACCEPTED
        return Response(SyncStartOutcomeSerializer({"detail": detail, "run": run}).data, status=code)


# --- Attention items ------------------------------------------------------------------------------


class AttentionOutcomeSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened, in plain words.")
    changed = serializers.BooleanField(help_text="False when the item already was so (or had closed): nothing changed.")
    item = AttentionItemSerializer()


class AssignRequestSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="The id of an Operator to give the item to; null or left out: nobody.",
    )


class SnoozeRequestSerializer(serializers.Serializer):
    until = serializers.DateField(
        allow_null=True,
        required=False,
        help_text=f"Hide the item from the open queue until this day (after today, at most {attention.MAX_SNOOZE_DAYS} days on); "
        "null or left out: back in the open queue now.",
    )


class _AttentionWrite(WriteView):
    permission = attention_views.WORK_PERMISSION
    refused = attention_views.REFUSED
    key_required = False  # each action changes nothing when repeated

    def write(self, request, token, pk):
        item = found(AttentionItem.objects.all(), pk)
        if item is None:
            return not_found("attention item")
        done = self.act(request, item)
        if isinstance(done, Response):
            return done
        # The item as the read API shows it: the queue's queryset, with its record's page and name.
        item = attention.attach_links([attention_views.items_for_list().get(pk=item.pk)])[0]
        return Response(
            AttentionOutcomeSerializer({"detail": done.message, "changed": done.changed, "item": item}).data
        )

    def act(self, request, item) -> attention.Done | Response:
        raise NotImplementedError


_SAME_EACH_TIME = "Repeating it changes nothing, so the Idempotency-Key is optional."


@write_schema(
    "attention_acknowledge",
    request=None,
    outcome=AttentionOutcomeSerializer,
    success=200,
    key_required=False,
    summary="Acknowledge an attention item",
    description=f"Say you have seen it, as the item page's button does (command_center.work_attentionitem). {_SAME_EACH_TIME}",
)
class AttentionAcknowledge(_AttentionWrite):
    def act(self, request, item):
        return attention.acknowledge(item, request.user)


@write_schema(
    "attention_assign",
    request=AssignRequestSerializer,
    outcome=AttentionOutcomeSerializer,
    success=200,
    key_required=False,
    summary="Assign an attention item",
    description=f"Give it to an Operator, or to nobody (command_center.work_attentionitem). {_SAME_EACH_TIME}",
)
class AttentionAssign(_AttentionWrite):
    def act(self, request, item):
        values, refusal = read(AssignRequestSerializer, request)
        if refusal:
            return refusal
        form = attention_views.AssignForm(values)
        if not form.is_valid():
            return form_refused(form.errors)
        return attention.assign(item, request.user, form.cleaned_data["assignee"])


@write_schema(
    "attention_snooze",
    request=SnoozeRequestSerializer,
    outcome=AttentionOutcomeSerializer,
    success=200,
    key_required=False,
    summary="Snooze an attention item",
    description=f"Hide it from the open queue until a day, or end its snooze (command_center.work_attentionitem). {_SAME_EACH_TIME}",
)
class AttentionSnooze(_AttentionWrite):
    def act(self, request, item):
        values, refusal = read(SnoozeRequestSerializer, request)
        if refusal:
            return refusal
        form = attention_views.SnoozeForm(values)
        if not form.is_valid():
            return form_refused(form.errors)
        return attention.snooze(item, request.user, form.cleaned_data["until"])
