"""The readable form of a member request's body and result, for each of the eight request types.

Shapes are the API reference's examples (seed 001) and the sandbox's
(command_center/noyo/sandbox/data.py); anything else degrades to "see the raw JSON".
"""

import pytest

from members.readable import Names, describe_body, describe_result, referenced_ids

EMPLOYEE = "72af10df-a8b3-46f1-a114-ac36d4b8a6ea"
DEPENDENT = "165d4537-be5f-4744-8a97-a5b10fcb75b1"
CARRIER = "9a0a7437-4097-4251-9e71-85384c0eb1c9"
DENTAL_PLAN = "ff033377-59e2-40df-8206-8cec3a725411"
VISION_PLAN = "08f9e430-9686-4b07-9e2c-6b26b8133dc3"
NAMES = Names(
    people={EMPLOYEE: "Maria Gonzalez", DEPENDENT: "Leo Gonzalez"},
    plans={DENTAL_PLAN: "Dental PPO High", VISION_PLAN: "Vision Plus 130"},
    carriers={CARRIER: "Beam Dental"},
)


def enrolling_coverages(action="enrolling_members", extra=None):
    members = [
        {"id": EMPLOYEE, "member_type": "employee", "plan_id": DENTAL_PLAN},
        {"id": DEPENDENT, "member_type": "dependent", "plan_id": DENTAL_PLAN, **(extra or {})},
    ]
    return [
        {
            "carrier_id": CARRIER,
            "carrier_config": {"bill_group": "0100", "member_group": "99999"},
            "signature_date": "2020-01-15",
            "lines_of_coverage": {
                "dental": {action: members},
                "vision": {
                    action: [{"id": EMPLOYEE, "member_type": "employee", "plan_id": VISION_PLAN}],
                    "waiving_members": [],
                },
            },
        }
    ]


def rows(readable):
    """(line, change, member, plan) for every member of every coverage."""
    return [
        (line.label, action.label, member.name, member.plan)
        for coverage in readable.coverages
        for line in coverage.lines
        for action in line.actions
        for member in action.members
    ]


def test_a_new_hire_reads_as_who_enrols_in_which_plan_at_which_carrier():
    readable = describe_body({"coverages": enrolling_coverages()}, NAMES)
    assert readable.coverages[0].carrier == "Beam Dental"
    assert readable.coverages[0].signature_date == "2020-01-15"
    assert ("Bill group", "0100") in readable.coverages[0].config
    assert rows(readable) == [
        ("Dental", "Enrolling", "Maria Gonzalez", "Dental PPO High"),
        ("Dental", "Enrolling", "Leo Gonzalez", "Dental PPO High"),
        ("Vision", "Enrolling", "Maria Gonzalez", "Vision Plus 130"),
    ]
    assert not readable.leftovers and not readable.unreadable


def test_waiving_members_show_their_reason():
    body = {
        "coverages": [
            {
                "carrier_id": CARRIER,
                "lines_of_coverage": {
                    "dental": {
                        "waiving_members": [
                            {"id": DEPENDENT, "member_type": "dependent", "reason": "other-spouse-group"}
                        ]
                    }
                },
            }
        ]
    }
    member = describe_body(body, NAMES).coverages[0].lines[0].actions[0].members[0]
    assert (member.name, member.reason) == ("Leo Gonzalez", "Other spouse group")
    assert describe_body(body, NAMES).coverages[0].lines[0].actions[0].label == "Waiving"


def test_a_termination_reads_as_its_reason_and_dates():
    body = {
        "employee_id": EMPLOYEE,
        "reason": "job-eliminated",
        "last_work_date": "2020-01-15",
        "signature_date": "2020-01-01",
    }
    assert describe_body(body, NAMES).facts == [
        ("Employee", "Maria Gonzalez"),
        ("Reason", "Job eliminated"),
        ("Last day of work", "2020-01-15"),
        ("Signed on", "2020-01-01"),
    ]


def test_a_demographic_change_lists_each_members_changes():
    body = {
        "change_date": "2020-01-15",
        "signature_date": "2020-01-15",
        "member_changes": [
            {
                "member": {"id": EMPLOYEE, "member_type": "employee"},
                "name_change": {"first_name": "David", "last_name": "Williamson"},
                "contact_change": {"home_phone": "+15555551212", "email_address": "d@example.com"},
                "salary_change": {"amount": 55000, "unit": "annual", "type": "salary"},
            }
        ],
    }
    readable = describe_body(body, NAMES)
    assert ("Change effective", "2020-01-15") in readable.facts
    change = readable.member_changes[0]
    assert change.member.name == "Maria Gonzalez"
    assert dict(change.changes)["Name"] == [("First name", "David"), ("Last name", "Williamson")]
    assert ("Amount", "55000") in dict(change.changes)["Salary"]
    assert ("Email address", "d@example.com") in dict(change.changes)["Contact"]


def test_a_demographic_change_of_ssn_shows_it_masked():
    body = {
        "member_changes": [
            {"member": {"id": EMPLOYEE, "member_type": "employee"}, "person_change": {"ssn": "123-45-6789"}}
        ]
    }
    change = describe_body(body, NAMES).member_changes[0]
    assert dict(change.changes)["Person"] == [("Ssn", "•••-••-6789")]


@pytest.mark.parametrize(
    "action, label",
    [
        ("adding_coverage", "Adding coverage"),
        ("modifying_coverage", "Changing coverage"),
        ("removing_coverage", "Removing coverage"),
    ],
)
def test_a_qualifying_life_event_reads_as_the_event_and_each_coverage_change(action, label):
    body = {"event": {"event_type": "newborn", "event_date": "2020-01-01"}, "coverages": enrolling_coverages(action)}
    readable = describe_body(body, NAMES)
    assert readable.facts[:2] == [("Life event", "Newborn"), ("Event date", "2020-01-01")]
    assert rows(readable)[0] == ("Dental", label, "Maria Gonzalez", "Dental PPO High")


def test_an_open_enrollment_reads_like_a_life_event_without_the_event():
    readable = describe_body({"coverages": enrolling_coverages("modifying_coverage", {"volume": 50000})}, NAMES)
    assert readable.facts == []
    assert rows(readable)[1] == ("Dental", "Changing coverage", "Leo Gonzalez", "Dental PPO High")
    assert readable.coverages[0].lines[0].actions[0].members[1].volume == 50000


def test_an_enrollment_snapshot_shows_its_enrollment_type_and_target_date():
    body = {"enrollment_type": "new_hire", "target_date": "2020-01-01", "coverages": enrolling_coverages()}
    readable = describe_body(body, NAMES)
    assert readable.facts == [("Enrollment type", "New hire"), ("Takes effect on", "2020-01-01")]
    assert len(rows(readable)) == 3


def test_a_cobra_enrollment_shows_the_termination_before_it():
    body = {
        "termination_info": {"reason": "voluntary", "last_work_date": "2020-01-01"},
        "coverages": enrolling_coverages(),
    }
    readable = describe_body(body, NAMES)
    assert readable.facts == [("Termination reason", "Voluntary"), ("Last day of work", "2020-01-01")]
    assert rows(readable)[0] == ("Dental", "Enrolling", "Maria Gonzalez", "Dental PPO High")


def test_a_cobra_termination_reads_as_its_reason_and_end_date():
    body = {"reason": "non-payment", "cobra_termination_date": "2021-01-15", "signature_date": "2021-01-01"}
    assert describe_body(body, NAMES).facts == [
        ("Reason", "Non payment"),
        ("COBRA coverage ends", "2021-01-15"),
        ("Signed on", "2021-01-01"),
    ]


def test_people_and_plans_not_mirrored_keep_their_ids():
    readable = describe_body({"coverages": enrolling_coverages()}, Names())
    member = readable.coverages[0].lines[0].actions[0].members[0]
    assert (member.name, member.id, member.plan, member.plan_id) == ("", EMPLOYEE, "", DENTAL_PLAN)
    assert readable.coverages[0].carrier == ""


def test_keys_it_does_not_know_are_named_for_the_raw_json():
    readable = describe_body({"reason": "voluntary", "surprise": {"a": 1}}, NAMES)
    assert readable.leftovers == ["surprise"]
    assert ("Reason", "Voluntary") in readable.facts


@pytest.mark.parametrize("body", ["a string", 42, ["a", "list"]])
def test_a_body_that_is_not_an_object_is_unreadable(body):
    assert describe_body(body, NAMES).unreadable


@pytest.mark.parametrize(
    "coverages",
    [
        [{"carrier_id": CARRIER, "lines_of_coverage": ["dental"]}],
        [{"carrier_id": CARRIER, "lines_of_coverage": {"dental": "all of them"}}],
        [{"carrier_id": CARRIER, "lines_of_coverage": {"dental": {"enrolling_members": "me"}}}],
        ["not a coverage"],
    ],
)
def test_a_coverage_of_an_unknown_shape_is_left_to_the_raw_json(coverages):
    readable = describe_body({"coverages": coverages}, NAMES)
    assert readable.coverages == []
    assert readable.leftovers == ["coverages"]


def test_an_enrollment_result_lists_the_individual_enrollments_made():
    result = {
        "dental": [{"member_id": EMPLOYEE, "member_type": "employee", "individual_enrollment_id": "ie-1"}],
        # Noyo's own sample writes one line's member as a bare object.
        "vision": {"member_id": DEPENDENT, "member_type": "dependent", "individual_enrollment_id": "ie-2"},
    }
    readable = describe_result(result, NAMES)
    assert [(line, [(m.name, m.enrollment_id) for m in members]) for line, members in readable.enrollments] == [
        ("Dental", [("Maria Gonzalez", "ie-1")]),
        ("Vision", [("Leo Gonzalez", "ie-2")]),
    ]


def test_a_termination_result_gives_the_last_day_of_coverage():
    assert describe_result({"last_day_of_coverage": "2018-02-01"}, NAMES).facts == [
        ("Last day of coverage", "2018-02-01")
    ]


def test_a_demographic_result_lists_the_updated_members():
    result = [{"id": EMPLOYEE, "type": "employee", "version": "cf78e9b2"}]
    assert [m.name for m in describe_result(result, NAMES).updated_members] == ["Maria Gonzalez"]


def test_a_failed_result_says_why_per_carrier():
    result = {"errors": [{"carrier_id": CARRIER, "message": "Member not found on the carrier's roster."}]}
    assert describe_result(result, NAMES).errors == [("Beam Dental", "Member not found on the carrier's roster.")]


@pytest.mark.parametrize("result", [None, {}, []])
def test_no_result_yet_is_empty(result):
    assert describe_result(result, NAMES).is_empty


def test_a_result_of_an_unknown_shape_degrades_to_the_raw_json():
    assert describe_result("done", NAMES).unreadable
    assert describe_result([1, 2], NAMES).unreadable
    assert describe_result({"mystery": 3}, NAMES).leftovers == ["mystery"]


def test_it_finds_every_person_plan_and_carrier_a_body_mentions():
    people, plans, carriers = referenced_ids({"coverages": enrolling_coverages()}, {"errors": [{"carrier_id": "c2"}]})
    assert people == {EMPLOYEE, DEPENDENT}
    assert plans == {DENTAL_PLAN, VISION_PLAN}
    assert carriers == {CARRIER, "c2"}


def test_every_body_and_result_the_sandbox_makes_reads_in_full(db):
    """The sandbox generates all eight types (its first requests cover each); none may fall back to raw JSON."""
    data = pytest.importorskip("command_center.noyo.sandbox.data")
    import time

    now = time.time()
    dataset = data.Dataset(7, "small", now)
    seen = set()
    for i in range(80):
        request = dataset.member_request(i, now)
        body, result = describe_body(request["body"], Names()), describe_result(request["result"], Names())
        assert not (body.unreadable or body.leftovers or body.is_empty), request
        assert not (result.unreadable or result.leftovers), request
        seen.add(request["request_type"])
    assert len(seen) == 8


@pytest.mark.parametrize(
    "text, expected",
    [
        ("SSN 123-45-6789 is not valid", "SSN •••-••-6789 is not valid"),
        ("ssn=123456789.", "ssn=•••-••-6789."),
        ("phone +15555551212, id 2df0efa9-78c9-4668-ab99-6a7d8cf23fba, EIN 12-3456789, group 0100", None),
        ("1234-56-7890 and 12-345-6789", None),
    ],
)
def test_ssns_written_into_free_text_are_masked_and_nothing_else(text, expected):
    from members.readable import mask_ssns_in_text

    assert mask_ssns_in_text(text) == (expected or text)


# --- Transactions, differences, submitted snapshots ------------------------------------------------

from members.readable import (  # noqa: E402
    describe_snapshot,
    describe_transaction_body,
    difference_fields,
    field_value,
    transaction_status_detail,
)


def test_a_transactions_top_level_lines_read_as_one_coverage():
    body = {
        "carrier_id": CARRIER,
        "lines_of_coverage": {
            "dental": {"enrolling_members": [{"id": EMPLOYEE, "member_type": "employee", "plan_id": DENTAL_PLAN}]}
        },
    }
    readable = describe_transaction_body(body, NAMES)
    assert [c.carrier for c in readable.coverages] == ["Beam Dental"]
    assert rows(readable) == [("Dental", "Enrolling", "Maria Gonzalez", "Dental PPO High")]
    assert readable.leftovers == []


def test_a_transactions_body_in_the_requests_shape_reads_as_the_request():
    assert rows(describe_transaction_body({"coverages": enrolling_coverages()}, NAMES)) == rows(
        describe_body({"coverages": enrolling_coverages()}, NAMES)
    )


@pytest.mark.parametrize(
    "status, verified, error, expected",
    [
        ("failed", None, "Member not on the roster.", "Member not on the roster."),
        ("failed", None, None, "Noyo could not make the change at the carrier."),
        ("completed", None, None, "Completed; not verified at the carrier yet."),
        ("processing", None, None, "Being sent to or worked on by the carrier."),
        ("canceled", None, None, "Canceled: a later request superseded it."),
        ("something_new", None, None, ""),
    ],
)
def test_a_transactions_status_details_are_one_sentence(status, verified, error, expected):
    assert transaction_status_detail(status, verified, error) == expected


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("date_of_birth", "2016-08-02", "2016-08-02"),
        ("effective_end_date", "9999-12-31", "open-ended (9999-12-31)"),
        ("ssn", "123-45-6789", "•••-••-6789"),
        ("note", "SSN 123-45-6789 on file", "SSN •••-••-6789 on file"),
        ("person", {"ssn": "123456789", "first_name": "Leo"}, '{"ssn": "•••-••-6789", "first_name": "Leo"}'),
        ("anything", None, "—"),
        ("flag", True, "yes"),
    ],
)
def test_a_differences_values_read_plainly_and_never_show_an_ssn(key, value, expected):
    assert field_value(key, value) == expected


def test_the_side_lacking_the_record_says_so():
    fields = [{"key": "individual_enrollment", "platform_value": "dental from 2024-01-01", "carrier_value": None}]
    (row,) = difference_fields(fields, "missing_from_carrier")
    assert (row.label, row.platform, row.carrier) == (
        "Individual enrollment",
        "dental from 2024-01-01",
        "Not at the carrier",
    )
    (row,) = difference_fields([{"key": "x", "platform_value": None, "carrier_value": "1"}], "missing_from_platform")
    assert row.platform == "Not on the platform"
    assert difference_fields("not a list") == [] and difference_fields(["odd"])[0].platform == "odd"


def test_a_submitted_snapshot_reads_as_people_coverage_and_events():
    payload = {
        "snapshot_mode": "current_open",
        "employee": {
            "id": EMPLOYEE,
            "person": {"first_name": "Maria", "last_name": "Gonzalez", "ssn": "123-45-6789"},
            "employment": {"occupation": "Baker"},
        },
        "dependents": [
            {"id": DEPENDENT, "relationship": "spouse", "person": {"first_name": "Daniel", "ssn": "555123344"}}
        ],
        "coverages": [
            {
                "carrier_id": CARRIER,
                "line_of_coverage": "vision",
                "plan_id": VISION_PLAN,
                "enrolled_members": [{"individual_type": "dependent", "individual_id": DEPENDENT, "volume": 1}],
            }
        ],
        "events": [{"type": "coverage", "reason": "marriage", "date": "2025-06-01"}],
    }
    readable = describe_snapshot(payload, NAMES)
    assert [(p.role, p.name, p.ssn) for p in readable.people] == [
        ("Employee", "Maria Gonzalez", "•••-••-6789"),
        ("Spouse", "Daniel", "•••-••-3344"),
    ]
    assert ("Employment · Occupation", "Baker") in readable.people[0].details
    (coverage,) = readable.coverages
    assert (coverage.carrier, coverage.line, coverage.plan) == ("Beam Dental", "Vision", "Vision Plus 130")
    assert [(m.name, m.extras) for m in coverage.members] == [("Leo Gonzalez", [("Volume", "1")])]
    assert readable.events == [[("Type", "Coverage"), ("Reason", "Marriage"), ("Date", "2025-06-01")]]


@pytest.mark.parametrize("payload", [None, {}, [], "text", {"employee": [], "coverages": {}, "dependents": "x"}])
def test_a_submitted_snapshot_of_any_shape_never_breaks(payload):
    readable = describe_snapshot(payload, NAMES)
    assert readable.unreadable or readable.is_empty or readable.leftovers
