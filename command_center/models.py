import datetime as dt
import uuid

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from command_center.roles import is_operator


class SyncRun(models.Model):
    """One run of a Noyo sync: a row first, then a Celery task that fills it in.

    ``resources`` holds per-resource progress and counts, e.g.
    ``{"group_connections": {"total": 120, "fetched": 120, "created": 3,
    "updated": 5, "unchanged": 112, "removed": 0, "failed": 0, "done": true}}``,
    updated as the run goes so the Syncs page can show live progress. ``families``
    holds each family's own outcome: a full run tries every family whatever another did.
    """

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        USER = "user", "User"
        COMMAND = "command", "Command"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partly synced"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=64, help_text="Resource family synced, or 'full'.")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resources = models.JSONField(default=dict, blank=True)
    # Per family of the run: {"groups": {"status": "failed", "message": "...", "started_at": ..., "finished_at": ...}}.
    families = models.JSONField(default=dict, blank=True)
    api_calls = models.PositiveIntegerField(default=0)
    # What the client absorbed on the way (noyo.client.CallStats): 429s waited out, 5xx retried, tokens...
    absorbed = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="The outcome in plain words.")
    error = models.TextField(blank=True, help_text="Traceback of an unexpected failure.")

    class Meta:
        ordering = ["-created"]
        permissions = [("start_sync", "Can start a Noyo sync")]
        indexes = [
            # Syncs page: newest first, filtered by kind/status.
            models.Index(fields=["kind", "-created"], name="syncrun_kind_created_idx"),
            # "Is one already running?" and the stale-run reaper.
            models.Index(fields=["status", "kind"], name="syncrun_status_kind_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} sync #{self.pk} ({self.status})"

    def get_kind_display(self):
        return self.kind.replace("_", " ").capitalize()

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    COUNT_KEYS = ("fetched", "created", "updated", "unchanged", "removed", "failed")

    @property
    def totals(self) -> dict:
        """The per-resource counts summed over the run's resources."""
        resources = (self.resources or {}).values()
        return {key: sum(int(counts.get(key) or 0) for counts in resources) for key in self.COUNT_KEYS}


class SyncFamily(models.Model):
    """One row per resource family: which run holds it now, and how its latest runs went.

    A run claims a family with a conditional UPDATE (``run IS NULL`` -> its id) and checks
    the row count; it releases it when it ends, and the stale-run reaper (or the next
    trigger) releases what a dead worker left behind. When a run finishes the family, its
    outcome is written here too, so every page can say how current the data is in one
    query: the latest attempt (when, how it ended, why) and the latest success.
    """

    family = models.CharField(primary_key=True, max_length=64)
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="held_families")
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When the latest run of the family ended.")
    last_outcome = models.CharField(max_length=16, blank=True, choices=SyncRun.Status.choices)
    last_message = models.TextField(blank=True, help_text="The latest run's outcome for this family, in plain words.")
    last_read_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a run last read the family's lists (succeeded, or finished with failed records).",
    )
    last_success_at = models.DateTimeField(
        null=True, blank=True, help_text="When a run of the family last fully succeeded."
    )

    class Meta:
        verbose_name_plural = "sync families"

    def __str__(self):
        return f"{self.family}: {f'run #{self.run_id}' if self.run_id else 'free'}"


class SyncChunk(models.Model):
    """A share of a run's per-parent lists (the dependents of 500 employees, ...) that any worker can read.

    ``command_center.sync.chunks`` creates them, a task per chunk, and the run's own task takes
    chunks too while it waits. A worker claims one with a conditional UPDATE (queued -> running);
    one whose heartbeat stops is claimed again, up to ``MAX_ATTEMPTS``. ``result`` holds what the
    chunk read (counts and the ids it saw, per resource), which the run adds to its own.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="chunks")
    step = models.CharField(max_length=64, help_text="The per-parent step, e.g. employees.dependents.")
    number = models.PositiveIntegerField()
    # [[parent id, {field: value}], ...]: the parents whose lists this chunk reads, with their context.
    parents = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True, help_text="host:pid of the worker that took it last.")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # A chunk that failed: the error's class name in command_center.noyo.errors, its HTTP status and message.
    error_type = models.CharField(max_length=64, blank=True)
    error_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "step", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "step", "number"], name="syncchunk_unique_number")]

    def __str__(self):
        return f"run #{self.run_id} {self.step} chunk {self.number} ({self.status})"


class SyncFailure(models.Model):
    """A record a sync could not mirror: kept with its payload so nothing is silently dropped."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="failures")
    # Set when a chunk task wrote it, so that a chunk read again after its worker died replaces its failures.
    chunk = models.ForeignKey(SyncChunk, null=True, blank=True, on_delete=models.CASCADE, related_name="failures")
    resource = models.CharField(max_length=64)
    noyo_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField()
    payload = models.JSONField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.resource} {self.noyo_id}: {self.reason[:60]}"


class AuditEntry(models.Model):
    """Who did what, and what came of it. Written once, never edited from the UI."""

    class Action(models.TextChoices):
        RETRY = "retry", "Retry connection"
        SYNC = "sync", "Start sync"
        EXPORT = "export", "Export CSV"
        CONNECT = "connect", "Create connection"
        CONFIRM = "confirm", "Confirm disconnection"
        REJECT = "reject", "Reject disconnection"
        RENEW = "renew", "Create renewal decision"
        # Attention items and notes (command_center.attention, command_center.notes).
        ACKNOWLEDGE = "acknowledge", "Acknowledge attention item"
        ASSIGN = "assign", "Assign attention item"
        SNOOZE = "snooze", "Snooze attention item"
        NOTE = "note", "Add note"
        # API keys (command_center.views.api_keys).
        CREATE_KEY = "create_key", "Create API key"
        REVOKE_KEY = "revoke_key", "Revoke API key"
        # Something the person's role (or key) does not allow, answered 403 (command_center.middleware).
        REFUSED = "refused", "Refused (not allowed)"

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    summary = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)
    # Done through the API with a key (command_center.api.authentication): which key, and its name as it
    # was then, so the entry still says it when the key is gone with its owner.
    api_key = models.ForeignKey("ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    api_key_name = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            # Audit log page filtered by action, newest first.
            models.Index(fields=["action", "-created"], name="audit_action_created_idx"),
        ]

    # The page of each kind of record an entry can be about (``object_type``).
    RECORD_PAGES = {
        "groupconnection": "connections:connection_detail",
        "groupdisconnectionrequest": "connections:disconnection_detail",
        "renewaldecision": "connections:renewal_detail",
        "group": "connections:group_detail",
        "employee": "members:employee_detail",
        "attentionitem": "attention_detail",
        "syncrun": "sync_detail",
    }

    def __str__(self):
        return self.summary

    @property
    def record_url(self) -> str:
        """The page of the record this entry is about; "" when it has none (an export) or the id cannot name one."""
        page = self.RECORD_PAGES.get(self.object_type)
        if not page or not self.object_id:
            return ""
        try:
            return reverse(page, args=[self.object_id])
        except NoReverseMatch:
            return ""


class StatusChangeQuerySet(models.QuerySet):
    def for_object(self, obj):
        """The timeline of one mirrored record, oldest first."""
        return self.filter(resource=obj._meta.label_lower, object_id=str(obj.pk)).order_by("observed_at", "id")

    def for_resource(self, model):
        """Changes of one kind of record (a model class or instance), e.g. for "latest status changes"."""
        return self.filter(resource=model._meta.label_lower)

    def latest_first(self):
        return self.order_by("-observed_at", "-id")


class StatusChangeManager(models.Manager.from_queryset(StatusChangeQuerySet)):
    def build(self, obj_or_model, object_id, old_status, new_status, observed_at=None, noyo_modified=None, run=None):
        """An unsaved StatusChange, for the sync to ``bulk_create`` with others.

        ``old_status`` is "" (or None) the first time a record is seen.
        """
        return self.model(
            resource=obj_or_model._meta.label_lower,
            object_id=str(object_id),
            old_status=old_status or "",
            new_status=new_status or "",
            observed_at=observed_at or timezone.now(),
            noyo_modified=noyo_modified,
            run=run,
        )

    def record(self, obj, old_status, new_status, observed_at=None, noyo_modified=None, run=None):
        """Save one transition of ``obj`` (a webhook re-fetch, a retry); the sync uses ``build`` in bulk."""
        change = self.build(obj, obj.pk, old_status, new_status, observed_at, noyo_modified, run)
        change.save()
        return change


class StatusChange(models.Model):
    """One status transition of a mirrored record, as a sync observed it.

    Written for group connections, disconnection requests, member requests,
    member transactions, member snapshots and snapshot fulfillment summaries.
    ``resource`` is the model's ``app_label.modelname`` (``connections.groupconnection``);
    ``old_status`` is blank when the record was first seen. ``observed_at`` is when
    the sync saw the change (the change happened at or before it); ``noyo_modified``
    is the record's ``modified`` in that payload, when Noyo sent one.
    """

    resource = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    old_status = models.CharField(max_length=64, blank=True)
    new_status = models.CharField(max_length=64, blank=True)
    observed_at = models.DateTimeField(default=timezone.now)
    noyo_modified = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="status_changes")

    objects = StatusChangeManager()

    class Meta:
        ordering = ["-observed_at", "-id"]
        indexes = [
            # Timeline of one record (detail pages): for_object(obj).
            models.Index(fields=["resource", "object_id", "observed_at"], name="statuschange_object_idx"),
            # Dashboard "latest status changes" per kind of record, newest first.
            models.Index(fields=["resource", "-observed_at"], name="statuschange_resource_idx"),
        ]

    def __str__(self):
        return f"{self.resource} {self.object_id}: {self.old_status or '∅'} → {self.new_status}"

    @property
    def is_first_sight(self):
        return not self.old_status


class StatusCountQuerySet(models.QuerySet):
    def for_resource(self, model):
        return self.filter(resource=model._meta.label_lower)

    def replace(self, model, counts: dict[str, int], counted_at=None):
        """Make ``counts`` (status -> rows) the summary of ``model``: one DELETE and one INSERT, atomically."""
        counted_at = counted_at or timezone.now()
        with transaction.atomic():
            self.for_resource(model).delete()
            self.bulk_create(
                [
                    self.model(resource=model._meta.label_lower, status=status, count=n, counted_at=counted_at)
                    for status, n in counts.items()
                ]
            )


class StatusCount(models.Model):
    """How many mirrored records of a kind are in each status, counted at the end of their sync.

    The dashboard's status chart reads these rows instead of counting a million connections on
    every page view; the statuses that need a person are counted live beside them, so the chart
    never shows fewer failures than there are (``connections.views._status_chart``).
    """

    resource = models.CharField(max_length=64, help_text="The records' app_label.modelname.")
    status = models.CharField(max_length=64, blank=True)
    count = models.PositiveIntegerField()
    counted_at = models.DateTimeField()

    objects = StatusCountQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "status"], name="statuscount_one_per_status")]

    def __str__(self):
        return f"{self.resource} {self.status or '(none)'}: {self.count}"


# --- Attention items and notes -----------------------------------------------------------------


class AttentionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def closed(self):
        return self.filter(closed_at__isnull=False)

    def snoozed(self, today=None):
        """Open items someone put aside until a later day."""
        return self.open().filter(snoozed_until__gt=today or timezone.localdate())

    def awake(self, today=None):
        """Open items not snoozed (or whose snooze is over): the queue's default view and the nav's count."""
        today = today or timezone.localdate()
        return self.open().filter(models.Q(snoozed_until__isnull=True) | models.Q(snoozed_until__lte=today))

    def about(self, obj):
        """The items about one record (a connection, a member request, ...)."""
        return self.filter(resource=obj._meta.label_lower, object_id=str(obj.pk))


class AttentionItem(models.Model):
    """Something that needs a person, as a sync last found it (``command_center.attention``).

    Derived in bulk at the end of the sync of the family that owns the record: an item opens
    when a sync first sees the condition, is refreshed (``last_detected_at``) while syncs keep
    seeing it, closes by itself (``closed_at``) when a sync that read the whole list no longer
    does, and the same row reopens if the condition returns. So there is one row per kind and
    record, ever; its ``events`` are its history. ``resource`` and ``object_id`` name the
    record as ``StatusChange`` does (``connections.groupconnection``; ``command_center.syncfamily``
    for a family whose sync keeps failing). People acknowledge it, assign it, snooze it until
    a day (hidden from the default queue until then) and leave notes (``Note``).
    """

    class Kind(models.TextChoices):
        CONNECTION_NEEDS_ACTION = "connection_needs_action", "Connection needs action"
        CONNECTION_STUCK = "connection_stuck", "Connection stuck"
        MEMBER_REQUEST_FAILED = "member_request_failed", "Failed member request"
        FULFILLMENT_INVALID = "fulfillment_invalid", "Invalid fulfillment"
        TRACKING_DIFFERENCE = "tracking_difference", "Unresolved tracking difference"
        DISCONNECTION_REVIEW = "disconnection_review", "Disconnection to review"
        RENEWAL_NOT_READY = "renewal_not_ready", "Renewal not ready"
        SYNC_FAILING = "sync_failing", "Sync keeps failing"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    resource = models.CharField(max_length=64, help_text="The record's app_label.modelname.")
    object_id = models.CharField(max_length=64)
    carrier = models.ForeignKey(
        "connections.Carrier", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    group = models.ForeignKey(
        "connections.Group", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    employee = models.ForeignKey(
        "members.Employee", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    summary = models.CharField(max_length=300, help_text="What is wrong, in plain words, as the latest sync saw it.")
    first_detected_at = models.DateTimeField(help_text="When a sync first saw the condition.")
    last_detected_at = models.DateTimeField(help_text="When a sync last saw the condition.")
    opened_at = models.DateTimeField(help_text="When the item last opened: first detected, or reopened.")
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a sync no longer saw the condition; empty while open."
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )  # attention_assignee_idx
    snoozed_until = models.DateField(null=True, blank=True, help_text="Hidden from the open queue until this day.")

    objects = AttentionItemQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "id"]
        permissions = [("work_attentionitem", "Can acknowledge, assign and snooze attention items")]
        constraints = [
            # One row per condition and record, ever: a condition that returns reopens its row. The
            # derivation's INSERT … ON CONFLICT DO NOTHING leans on it.
            models.UniqueConstraint(fields=["kind", "resource", "object_id"], name="attention_one_item_per_record"),
        ]
        # The lists sort by a column then the id (command_center.lists.order_by_sort): with the id in the index
        # a deep page is read in index order, not sorted (a first sync opens thousands of items at one time).
        indexes = [
            # The queue's default view (open, oldest first) and the nav's count.
            models.Index(
                fields=["opened_at", "id"], name="attention_open_idx", condition=models.Q(closed_at__isnull=True)
            ),
            # The queue filtered by kind, and the dashboard's open items by kind.
            models.Index(
                fields=["kind", "opened_at", "id"],
                name="attention_open_kind_idx",
                condition=models.Q(closed_at__isnull=True),
            ),
            # The dashboard's awake items by kind, counted from the index alone.
            models.Index(
                fields=["kind", "snoozed_until"],
                name="attention_awake_kind_idx",
                condition=models.Q(closed_at__isnull=True),
            ),
            # "Assigned to me" / to a colleague.
            models.Index(fields=["assigned_to", "opened_at", "id"], name="attention_assignee_idx"),
            # The closed view, latest closed first.
            models.Index(
                fields=["closed_at", "id"], name="attention_closed_idx", condition=models.Q(closed_at__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.summary}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_snoozed(self, today=None) -> bool:
        return self.is_open and self.snoozed_until is not None and self.snoozed_until > (today or timezone.localdate())

    @property
    def state(self) -> str:
        """open, snoozed or closed: the word the queue shows."""
        if not self.is_open:
            return "closed"
        return "snoozed" if self.is_snoozed() else "open"


class AttentionEvent(models.Model):
    """One line of an attention item's history: opened, closed, reopened by a sync; acknowledged,
    assigned, snoozed by a person."""

    class Action(models.TextChoices):
        OPENED = "opened", "Opened"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ASSIGNED = "assigned", "Assigned"
        SNOOZED = "snoozed", "Snoozed"
        WOKEN = "woken", "Snooze ended"

    item = models.ForeignKey(
        AttentionItem, on_delete=models.CASCADE, related_name="events", db_index=False
    )  # attentionevent_item_at_idx
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            # An item's history, oldest first (the item page); the derivation's "already written?" check.
            models.Index(fields=["item", "at"], name="attentionevent_item_at_idx"),
        ]

    def __str__(self):
        return f"{self.item_id} {self.action} at {self.at:%Y-%m-%d %H:%M}"


class NoteQuerySet(models.QuerySet):
    def about(self, obj):
        """The thread of one record, oldest first."""
        return self.filter(resource=obj._meta.label_lower, object_id=str(obj.pk)).order_by("created", "id")


class Note(models.Model):
    """A note people leave on a record for their teammates: a connection, a group, an employee
    or an attention item (``resource`` + ``object_id``, as ``StatusChange``). Never edited.

    ``token`` comes with the form that wrote it, so a double click or a resend saves it once.
    """

    resource = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    text = models.TextField()
    token = models.UUIDField(unique=True, help_text="Idempotency token carried by the form.")

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            # The thread on a record's page.
            models.Index(fields=["resource", "object_id", "created"], name="note_record_idx"),
        ]

    def __str__(self):
        return f"Note on {self.resource} {self.object_id} by {self.author_id}"


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked=False)

    def for_user(self, user):
        """The keys one person made, newest first (their API keys page)."""
        return self.filter(user=user).order_by("-created", "prefix")


class ApiKeyManager(BaseAPIKeyManager.from_queryset(ApiKeyQuerySet)):
    def get_usable_keys(self):
        # get_from_key() looks the key's prefix up in these: the owner comes in the same query.
        return self.usable().select_related("user")

    def make_once(self, user, *, name, scope, token):
        """Make a key for the form carrying ``token``, once: ``(api_key, key)``, or ``(api_key, "")``
        when that form was sent already (a double click, a reload): its key was shown then, and
        cannot be shown again."""
        existing = self.filter(user=user, token=token).first()
        if existing is not None:
            return existing, ""
        try:
            with transaction.atomic():
                return self.create_key(user=user, name=name, scope=scope, token=token)
        except IntegrityError:  # the same form, sent twice at once: the other request made it
            return self.get(user=user, token=token), ""


class ApiKey(AbstractAPIKey):
    """A key a person makes for a script, sent as ``Authorization: Bearer <key>``.

    Only a hash is stored (SHA-512 of a random 32-character secret, by rest_framework_api_key);
    the key itself is shown once, when it is made. ``prefix``, its first 8 characters, finds the
    row and names the key on pages. A key acts as its owner with at most its ``scope``: a
    read-only key only reads; an operator key may do what its owner may do, while the owner is
    an Operator. A revoked key is refused for good.
    """

    class Scope(models.TextChoices):
        READ_ONLY = "read_only", "Read only"
        OPERATOR = "operator", "Operator"

    # last_used_at is written at most once per this much time, however busy the script.
    LAST_USED_EVERY = dt.timedelta(minutes=1)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.READ_ONLY)
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="Within a minute.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    token = models.UUIDField(unique=True, null=True, editable=False, help_text="The token of the form that made it.")

    objects = ApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        indexes = [
            # The owner's API keys page.
            models.Index(fields=["user", "-created"], name="apikey_user_created_idx"),
        ]

    @staticmethod
    def scopes_for(user) -> list[str]:
        """The scopes a user may give a key: never more than their own role."""
        if is_operator(user):
            return [ApiKey.Scope.READ_ONLY, ApiKey.Scope.OPERATOR]
        return [ApiKey.Scope.READ_ONLY]

    @property
    def may_write(self) -> bool:
        """An operator key whose owner is still an Operator (the role is read now, not when the key was made)."""
        return self.scope == self.Scope.OPERATOR and self.scope in self.scopes_for(self.user)

    def touch(self, now):
        """Note that the key was used now, writing at most once per LAST_USED_EVERY: a conditional
        UPDATE, so two requests at once write once."""
        stale = now - self.LAST_USED_EVERY
        if self.last_used_at is not None and self.last_used_at > stale:
            return
        ApiKey.objects.filter(pk=self.pk).filter(
            models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lte=stale)
        ).update(last_used_at=now)
        self.last_used_at = now

    def revoke(self, now) -> bool:
        """Refuse the key from now on; False when it was already revoked (nothing changes then)."""
        revoked = ApiKey.objects.filter(pk=self.pk, revoked=False).update(revoked=True, revoked_at=now)
        if revoked:
            self.revoked, self.revoked_at = True, now
        return bool(revoked)


class SavedView(models.Model):
    """A list's filters and sort, saved under a name (command_center.saved_views).

    ``query`` is the list's query string as it was saved; the view's own link (``/views/<id>/``)
    opens the list with it, for anyone signed in, so a view is shared by sending its link.
    A person's default view of a list opens when they come to the list with no query string.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    list_name = models.CharField(max_length=64, help_text="The list's route name, e.g. connections:connection_list.")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    is_default = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "list_name", "name"], name="savedview_one_name_per_list"),
            models.UniqueConstraint(
                fields=["owner", "list_name"],
                condition=models.Q(is_default=True),
                name="savedview_one_default_per_list",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def list_url(self) -> str:
        from django.urls import reverse

        return reverse(self.list_name) + (f"?{self.query}" if self.query else "")


# --- API writes -------------------------------------------------------------------------------


class IdempotentRequest(models.Model):
    """One API write sent with an ``Idempotency-Key``, and the answer it got (``command_center.api.idempotency``).

    A repeat with the same key by the same user is answered from this row: the first outcome
    (status and body), or 409 while the first is still being processed. The fingerprint (method,
    path, body digest) tells a true repeat from another request sent under a reused key (422).
    ``token`` keys the once-only write underneath (a ``RetryAttempt``, a ``NoyoAction``), so a
    request that takes over from one that died mid-way finds that write, not a new one.
    Rows go after ``IDEMPOTENCY_KEYS_KEPT_HOURS``.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "Being processed"
        DONE = "done", "Answered"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255, help_text="The client's Idempotency-Key, as sent.")
    method = models.CharField(max_length=10)
    path = models.TextField()
    body_digest = models.CharField(max_length=64, help_text="SHA-256 of the request's values, keys sorted.")
    token = models.UUIDField(default=uuid.uuid4, unique=True, help_text="The once-only token of the write underneath.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, help_text="The first answer, as sent.")
    created = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(default=timezone.now, help_text="When a request last took it up.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The claim is an INSERT this refuses for a key already used: a repeat, however close behind.
            models.UniqueConstraint(fields=["user", "key"], name="idempotentrequest_one_per_key"),
        ]
        indexes = [
            # Pruning: DELETE ... WHERE created < now - the retention period.
            models.Index(fields=["created"], name="idempotentrequest_created_idx"),
        ]

    def __str__(self):
        return f"{self.method} {self.path} ({self.state}) key {self.key[:40]}"

    def same_request(self, method: str, path: str, body_digest: str) -> bool:
        return (self.method, self.path, self.body_digest) == (method, path, body_digest)


class WebhookReceipt(models.Model):
    """One Noyo webhook delivery this console accepted (``command_center.webhooks.remember``).

    Noyo signs the body only, not its ``x-noyo-timestamp``: a copy of a delivery sent again with a
    fresh timestamp still verifies. The body is what identifies a delivery (each event has its own
    ``event.id``), so a second one with the same body is refused while its receipt is kept, for
    ``NOYO_WEBHOOK_RECEIPTS_KEPT_HOURS``; older receipts are deleted as new deliveries arrive.
    """

    digest = models.CharField(max_length=64, help_text="SHA-256 of the signed body, hex.")
    received = models.DateTimeField(default=timezone.now)
    event_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            # The receipt is an INSERT this refuses for a body already received: a replay, however close behind.
            models.UniqueConstraint(fields=["digest"], name="webhookreceipt_one_per_body"),
        ]
        indexes = [
            # Pruning: DELETE ... WHERE received < now - the retention period.
            models.Index(fields=["received"], name="webhookreceipt_received_idx"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.object_id} at {self.received:%Y-%m-%d %H:%M:%S}"


# --- Alerts: their models live with their code, in command_center.alerts -------------------------
from command_center.alerts.models import Alert, Channel, Delivery, ScheduledReport, Subscription  # noqa: E402,F401
