"""The Noyo Fulfillment API contract: the one place that states it.

Both the client (``command_center.noyo.client``) and the sandbox
(``command_center.noyo.sandbox``) import from here, so a change to a path, an
enum or a limit is made once. Sources: ``shared/noyo-api/ENDPOINTS.md`` and
``shared/seeds/``. Where the documents leave something UNCONFIRMED, the reading
chosen is recorded in ``UNCONFIRMED_CHOICES`` below, next to the constant it
shapes, so that changing it once Noyo confirms otherwise is a one-line edit.

No Django imports here: the client must be usable on its own.
"""

from __future__ import annotations

API_PREFIX = "/api/v1"
TOKEN_PATH = "/auth/public/token"

# --- Pagination (ENDPOINTS.md §3.2) ------------------------------------------
PAGE_SIZE_MIN = 5
PAGE_SIZE_MAX = 100
PAGE_SIZE_DEFAULT = 20

# --- Token lifetime (ENDPOINTS.md §2) ----------------------------------------
# The prose says ~10 minutes, the troubleshooting text says ``expires_in`` is in
# milliseconds, and the example value 864000 would be 10 days in seconds. We
# trust none of it blindly: the token is renewed after the *shorter* of the two
# readings, capped at TOKEN_MAX_AGE_SECONDS. (A reading too short to be a token's
# life, under two renewal margins, is discarded: see client.token_lifetime.)
TOKEN_MAX_AGE_SECONDS = 8 * 60
TOKEN_RENEW_MARGIN_SECONDS = 60

# --- Enums ------------------------------------------------------------------
GROUP_CONNECTION_STATUSES = (
    "created",
    "processing",
    "noyo_review",
    "waiting_on_carrier",
    "carrier_authorization",
    "action_required",
    "unable_to_connect",
    "completed",
)
# Statuses in which setup_result may carry an ``error`` (seed 000).
GROUP_CONNECTION_ERROR_STATUSES = (
    "noyo_review",
    "action_required",
    "waiting_on_carrier",
    "unable_to_connect",
)
# Noyo moves these forward on its own; a connection sitting in one for long is "stuck".
GROUP_CONNECTION_IN_FLIGHT_STATUSES = ("processing", "noyo_review", "waiting_on_carrier")
GROUP_CONNECTION_REQUEST_TYPES = ("initial", "incremental")

GROUP_DISCONNECTION_STATUSES = ("needs_review", "processing", "completed", "rejected")
# The documented examples; the full enum is UNCONFIRMED (ENDPOINTS.md §7).
GROUP_DISCONNECTION_SOURCE_TYPES = ("platform", "carrier")
GROUP_DISCONNECTION_REASONS = (
    "broker_of_record",
    "lost_access",
    "no_longer_eligible",
    "not_using_connection",
    "other",
    "payment_lapse",
    "platform_requested",
    "terminated",
)

LINES_OF_COVERAGE = (
    "medical",
    "dental",
    "vision",
    "life",
    "add",
    "std",
    "ltd",
    "accident",
    "critical_illness",
    "cancer",
    "hospital_indemnity",
)
GROUP_ENROLLMENT_STATUSES = ("pending", "active", "completed")
PLAN_STATUSES = ("active", "discontinued", "pending")
INDIVIDUAL_ENROLLMENT_STATUSES = ("pending", "active", "terminated")
INDIVIDUAL_TYPES = ("employee", "dependent")
# Seed 001. Newer docs have carrier contacts (with a carrier_id), but not the value of their type.
CONTACT_TYPES = ("billing", "company", "executive", "online")

DEPENDENT_RELATIONSHIPS = (
    "adopted-child",
    "child",
    "civil-union",
    "domestic-partner",
    "ex-spouse",
    "foster-child",
    "grandchild",
    "legal-guardianship",
    "other",
    "spouse",
    "step-child",
)
# The only value the documents show (seed 001, "e.g. full-time" in ENDPOINTS.md §10). Noyo marks an employee
# terminated after a termination request, in fields it does not document: the sandbox shows a leaver
# by the coverage's end and the termination request's last_work_date instead.
EMPLOYMENT_STATUSES = ("full-time",)
PREMIUM_TYPES = ("employee_amount", "employer_amount")

# The five of the snapshot status guide (seed 002). Older documents had a sixth, failed: the mirror
# still tolerates it (members.models.LEGACY_SNAPSHOT_STATUSES), but the sandbox never emits it.
MEMBER_SNAPSHOT_STATUSES = ("submitted", "processing", "completed", "canceled", "replaced")
FULFILLMENT_STATUSES = ("processing", "sent", "invalid", "scheduled", "no_changes", "replaced")
DIFFERENCE_CLASSIFICATIONS = ("missing_from_carrier", "field_mismatch", "missing_from_platform")

RENEWAL_DECISION_STATUSES = ("submitted", "ready", "not_ready", "done")
# A renewal issue's level (the renewals guide): the mirror shows any other as it came.
RENEWAL_ISSUE_LEVELS = ("error", "warning")

MEMBER_REQUEST_TYPES = (
    "new_hire",
    "termination",
    "demographic",
    "qualifying_life_event",
    "open_enrollment",
    "enrollment_snapshot",
    "cobra_enrollment",
    "cobra_termination",
)
MEMBER_REQUEST_STATUSES = ("processing", "completed", "failed", "canceled")
MEMBER_TRANSACTION_STATUSES = ("processing", "completed", "failed", "canceled")
MEMBER_TRANSACTION_TYPES = (
    "carrier_cobra_enrollment",
    "carrier_cobra_termination",
    "carrier_demographic",
    "carrier_demographic_full",
    "carrier_enrollment_snapshot_new_hire",
    "carrier_new_hire",
    "carrier_open_enrollment_adding",
    "carrier_open_enrollment_full",
    "carrier_open_enrollment_modifying",
    "carrier_open_enrollment_removing",
    "carrier_qualifying_life_event_adding",
    "carrier_qualifying_life_event_full",
    "carrier_qualifying_life_event_modifying",
    "carrier_qualifying_life_event_removing",
    "carrier_termination",
    "noyo_termination",
)

WEBHOOK_EVENT_TYPES = (
    "group.created",
    "group_connection_request.created",
    "group_connection_request.status_change",
    "group_disconnection_request.created",
    "group_disconnection_request.status_change",
    "member_snapshot.status_change",
    "member_snapshot_carrier_fulfillment_status.status_change",
    "difference.created",
    "difference.discrepancy",
    "difference.resolved",
    "difference.replaced",
)
WEBHOOK_SIGNATURE_HEADER = "x-noyo-signature"
WEBHOOK_TIMESTAMP_HEADER = "x-noyo-timestamp"

# --- Paths (all under API_PREFIX) -------------------------------------------
# Lists answer the pagination envelope {"meta": {...}, "response": [...]}
# unless named in BARE_ARRAY_PATHS / SINGLE_OBJECT_PATHS.
PATHS = {
    "groups": "/groups",
    "group": "/groups/{group_id}",
    "group_carrier_configurations": "/groups/{group_id}/carrier_configurations",
    "group_contacts": "/groups/{group_id}/contacts",
    "group_locations": "/groups/{group_id}/locations",
    "group_latest_audit": "/groups/{group_id}/audit_requests/latest",
    "group_connections": "/group_connections",
    "group_connection": "/group_connections/{connection_id}",
    "group_connection_retry": "/group_connections/{connection_id}/retry",
    "group_group_connections": "/groups/{group_id}/group_connections",
    "group_disconnection_requests": "/groups/{group_id}/group_disconnection_requests",
    "group_disconnection_request": "/group_disconnection_requests/{request_id}",
    "group_disconnection_request_confirm": "/group_disconnection_requests/{request_id}/confirm",
    "group_disconnection_request_reject": "/group_disconnection_requests/{request_id}/reject",
    "group_enrollments": "/groups/{group_id}/group_enrollments",
    "group_enrollment": "/group_enrollments/{enrollment_id}",
    "group_plans": "/groups/{group_id}/plans",
    "renewal_decisions": "/renewal_decisions",
    "group_renewal_decisions": "/groups/{group_id}/renewal_decisions",
    "employees": "/employees",
    "employee": "/employees/{employee_id}",
    "group_employees": "/groups/{group_id}/employees",
    "employee_dependents": "/employees/{employee_id}/dependents",
    "dependent": "/dependents/{dependent_id}",
    "employee_individual_enrollments": "/employees/{employee_id}/individual_enrollments",
    "group_enrollment_individual_enrollments": "/group_enrollments/{enrollment_id}/individual_enrollments",
    "individual_enrollment": "/individual_enrollments/{enrollment_id}",
    "employee_premiums": "/employees/{employee_id}/premiums",
    "group_member_snapshots": "/groups/{group_id}/member_snapshots",
    "employee_member_snapshots": "/employees/{employee_id}/member_snapshots",
    "member_snapshot": "/member_snapshots/{snapshot_id}",
    "differences": "/differences",
    "member_requests": "/member_requests",
    "member_request": "/member_requests/{request_id}",
    "employee_member_requests": "/employees/{employee_id}/member_requests",
    "member_request_transactions": "/member_requests/{request_id}/member_transactions",
    "member_transactions": "/member_transactions",
    "member_transaction": "/member_transactions/{transaction_id}",
    # Also documented (ENDPOINTS.md §5.2, 5.3, 12, 14.1, 15); added for the sandbox, unused by the mirror so far.
    "group_contact": "/groups/{group_id}/contacts/{contact_id}",
    "group_location": "/groups/{group_id}/locations/{location_id}",
    "dependent_individual_enrollments": "/dependents/{dependent_id}/individual_enrollments",
    "employee_member_snapshot": "/employees/{employee_id}/member_snapshot",
    "difference": "/differences/{difference_id}",
}
BARE_ARRAY_PATHS = frozenset({"group_carrier_configurations"})
SINGLE_OBJECT_PATHS = frozenset({"group_latest_audit"})

# Query filters each list accepts (ENDPOINTS.md). Comma lists are noted.
LIST_FILTERS = {
    "groups": ("company", "group_ids", "carrier_id", "carrier_group_id"),
    "group_connections": (
        "id",
        "status",
        "carrier_id",
        "carrier_group_id",
        "organization_id",
        "sort_by",
        "sort_direction",
    ),
    "group_group_connections": ("status", "sort_by", "sort_direction"),
    "group_enrollments": ("effective_date", "status"),
    "group_plans": ("effective_date", "status", "line_of_coverage", "carrier_id"),
    "group_carrier_configurations": ("effective_date",),
    "employees": ("first_name", "last_name", "date_of_birth", "name"),
    "group_employees": ("first_name", "last_name", "date_of_birth", "name"),
    "employee_individual_enrollments": ("effective_date", "include_dependents"),
    "group_enrollment_individual_enrollments": ("effective_date",),
    "dependent_individual_enrollments": ("effective_date",),
    "employee_premiums": ("effective_date",),
    "group_member_snapshots": ("employee_id",),
    "differences": ("member_snapshot_id", "group_id", "employee_id", "carrier_id"),
    "member_requests": ("employee_id", "group_id", "status", "request_type"),
    "member_transactions": ("ids", "member_request_id"),
}
COMMA_LIST_FILTERS = frozenset({"id", "status", "carrier_id", "group_ids", "ids"})

# --- Writes -----------------------------------------------------------------
RETRY_FIELDS = ("carrier_group_id", "broker_federal_ein", "broker_tin")
CREATE_CONNECTION_REQUIRED = ("carrier_id", "group_data")
CREATE_CONNECTION_GROUP_DATA_REQUIRED = ("carrier_group_id", "group_name")
# Retry is answered 201 with the updated connection (ENDPOINTS.md §6.3).
RETRY_SUCCESS_STATUS = 201
# A retry from a status Noyo does not retry from: UNCONFIRMED, see UNCONFIRMED_CHOICES["retry_refused"].
RETRY_REFUSED_STATUS = 409
# Confirm and reject (ENDPOINTS.md §7) answer 200 with the updated request; confirm takes an
# optional {effective_end_date}, reject no body. Only a request that needs review is decided:
# see UNCONFIRMED_CHOICES["disconnection_decision_refused"].
DISCONNECTION_DECISION_SUCCESS_STATUS = 200
DISCONNECTION_REVIEW_STATUS = "needs_review"
DISCONNECTION_STATUS_AFTER = {"confirm": "processing", "reject": "rejected"}
DISCONNECTION_DECISION_REFUSED_STATUS = 409
DISCONNECTION_CONFIRM_FIELDS = ("effective_end_date",)
# Create renewal decision (seed 003, ENDPOINTS.md §16): POST /groups/{group_id}/renewal_decisions with
# {renewal_date, body: {carriers: [{carrier_id, lines_of_coverage: {<line>: {open_enrollment_start_date,
# open_enrollment_end_date, plans: [{plan_id} | {name, plan_type, metal_tier}]}}}]}}. The answer is the new
# decision, "submitted", each plan as {name, plan_id}. What the documents leave open is in
# UNCONFIRMED_CHOICES["renewal_create_*"].
RENEWAL_DECISION_REQUIRED = ("renewal_date", "body")
RENEWAL_LINE_DATE_FIELDS = ("open_enrollment_start_date", "open_enrollment_end_date")
RENEWAL_NAMED_PLAN_FIELDS = ("name", "plan_type", "metal_tier")
RENEWAL_DECISION_CREATE_STATUS = 201
RENEWAL_DECISION_CONFLICT_STATUS = 409
# "Resolves within ~15 s"; "day 1 -> ready" (docs/renewal-readiness).
RENEWAL_DECISION_RESOLVES_AFTER_SECONDS = 15
RENEWAL_READY_DAY = 1
# Allowed sort_by values on group connection lists (ENDPOINTS.md §6.3 leaves them open). UNCONFIRMED.
GROUP_CONNECTION_SORT_FIELDS = ("created", "modified")

# --- Where the documents are silent, what we chose ----------------------------
UNCONFIRMED_CHOICES = {
    "retryable_statuses": (
        "Only unable_to_connect is documented as retryable. We also offer retry for "
        "action_required and carrier_authorization, where setup_result asks the platform "
        "to act; Noyo's own 4xx for other statuses is shown to the user verbatim."
    ),
    "error_body": (
        'Errors are read as JSON {"message": str, "errors": {field: [str, ...]}} when the body '
        "is JSON; any other body is kept as text."
    ),
    "rate_limits": "429 is not documented; we honour Retry-After (seconds) when it comes.",
    "group_snapshots_path": "GET /groups/{group_id}/member_snapshots, the same path as create.",
    "tracking_host": "Differences are read from NOYO_TRACKING_URL, default the API host.",
    "disconnection_list_all": "No org-wide list: read per group.",
    "token_expiry_unit": "See TOKEN_MAX_AGE_SECONDS.",
    # Choices the sandbox makes where the documents are silent (command_center/noyo/sandbox/):
    "retry_refused": (
        "A retry from a status outside RETRYABLE_STATUSES answers RETRY_REFUSED_STATUS (409: the connection's "
        "state conflicts with the request), with a message naming the status and errors {'status': [...]}."
    ),
    "fulfillment_error_shape": "fulfillment_summary[].errors items are {code, message, field}.",
    "difference_snapshot": (
        "A difference carries member_snapshot_id, the snapshot that raised it: the list is documented to filter "
        "by it, though the documented object does not show it, and the mirror links differences by it."
    ),
    "offset_past_end": "An offset at or past total_records answers an empty page, not 422.",
    "renewal_scenarios": (
        "Noyo's sandbox makes a renewal_date on the 1st ready (docs/renewal-readiness) and documents no other "
        "day: the sandbox's decisions for the 15th end not_ready, with issues."
    ),
    "premium_ids": (
        "Premium records have no id in the reference, and the sandbox serves none: key them by "
        "(employee, carrier_id, premium_type, effective_start_date)."
    ),
    "token_lifetime": (
        "The sandbox answers expires_in=864000 (the documented example) while a token really lives "
        "600 seconds, so only a client that distrusts expires_in keeps working."
    ),
    "disconnection_decision_refused": (
        "Confirming or rejecting a disconnection request that is not needs_review is not documented: the sandbox "
        "answers DISCONNECTION_DECISION_REFUSED_STATUS (409: the request's state conflicts), with a message naming "
        "the status and errors {'status': [...]}. A confirmed request completes on its own some hours later."
    ),
    "disconnection_get_status": "GET /group_disconnection_requests/{id} answers 201, as the reference lists.",
    "renewal_create_status": "Creating a renewal decision answers RENEWAL_DECISION_CREATE_STATUS (201: a record was made).",
    "renewal_create_validation": (
        "The sandbox answers 422, by field (body.carriers[0].lines_of_coverage.medical.open_enrollment_start_date), when: "
        "renewal_date or body is missing; a date is not YYYY-MM-DD; body.carriers is not a non-empty list; a carrier_id is "
        "missing, unknown or given twice; a line of coverage is not one of LINES_OF_COVERAGE; a line lacks either open "
        "enrollment date or its window ends before it starts; plans is not a list; a plan has neither a plan_id nor a name; "
        "a plan_id is not a plan of this group for that carrier and line. An empty lines_of_coverage (documented) and an "
        "empty plans list (not documented) are accepted."
    ),
    "renewal_create_conflict": (
        "A second decision for a group and renewal date that already has one naming the same carrier answers "
        "RENEWAL_DECISION_CONFLICT_STATUS (409; the documented way to change a decision is the edit, PUT "
        "/renewal_decisions/{id}/{version}), with a message naming the decision and errors {'renewal_date': [...]}. "
        "Decisions for the same date with other carriers are separate records."
    ),
    "renewal_create_plans": (
        "The answer names every plan {name, plan_id}, as the documented answer does: a plan_id gets its plan's name; a "
        "named plan gets the id of the group's plan of that carrier, line and name (case-insensitive), or a new id when "
        "the group has none (the plan is one to be set up; it is not added to the plans list)."
    ),
    "renewal_create_outcome": (
        "A created decision is submitted for RENEWAL_DECISION_RESOLVES_AFTER_SECONDS of sandbox time, then ready when "
        "its renewal_date is on day RENEWAL_READY_DAY of a month, otherwise not_ready with one issue per carrier "
        "(as the generated decisions for the 15th). It never flips or becomes done on its own."
    ),
    "member_request_result": (
        "result is {} while processing or canceled, {'errors': [{carrier_id, message}]} when failed, and the "
        "documented per-type shape when completed (demographic: the documented bare list of updated members)."
    ),
}
RETRYABLE_STATUSES = ("unable_to_connect", "action_required", "carrier_authorization")


def path(name: str, **params: str) -> str:
    """The full request path of a named endpoint, e.g. path("group", group_id=...)."""
    return API_PREFIX + PATHS[name].format(**params)
