"""The committed examples are the documents' own, and the extractor reads them as a person would."""

import pytest

from tests.conformance import documents
from tests.conformance.documents import REQUEST, RESPONSE, RESULT_SAMPLE, UNLABELLED, extract


def test_the_committed_examples_are_exactly_what_the_seeds_hold():
    seeds = documents.seeds_dir()
    if not seeds.is_dir():
        pytest.skip(f"no seeds at {seeds} (set ${documents.SEEDS_ENV}): the committed documents.json stands as is")
    fresh = documents.extract_all(seeds)
    assert documents.dumps(fresh) == documents.FIXTURE.read_text(encoding="utf-8"), (
        "The seeds changed: regenerate with `python -m tests.conformance.documents`"
    )


def test_every_response_and_request_example_is_placed_at_a_documented_path():
    for example in documents.load()["examples"]:
        if example["kind"] in (RESPONSE, REQUEST):
            assert example["method"] in ("GET", "POST", "PUT"), example["line"]
            assert example["path"].startswith(("/api/v1/", "/auth/public/token")), (example["seed"], example["line"])


def test_a_block_after_example_response_is_the_answer_to_the_code_sample_before_it():
    text = "\n".join(
        [
            "Get Groups",
            "Code Sample",
            "curl -X GET",
            '--header "Authorization: Bearer <ACCESS_TOKEN>"',
            "https://fulfillment.noyoconnect.com/api/v1/groups?page_size=5",
            "Example Response",
            "{",
            '"meta": {"offset": 0},',
            '"response": [',
            "{",
            '"id": "2613a221-d3c8-4c8a-86d5-e7e885fd1da9"',
            "}",
            "]",
            "}",
            "Returns a list of all groups.",
        ]
    )
    (example,), unparsed = extract("seed.txt", text)
    assert unparsed == []
    assert (example["kind"], example["method"], example["path"], example["query"]) == (
        RESPONSE,
        "GET",
        "/api/v1/groups",
        {"page_size": "5"},
    )
    assert (example["line"], example["sample_line"]) == (7, 3)
    assert example["json"]["response"] == [{"id": "2613a221-d3c8-4c8a-86d5-e7e885fd1da9"}]


def test_a_body_parameter_is_a_request_body_and_the_response_after_it_is_the_answer():
    text = "\n".join(
        [
            "curl -X POST",
            "https://fulfillment.noyoconnect.com/api/v1/group_connections",
            "Body Parameter",
            '{"carrier_id": "8fac0992-933a-4743-8dab-0d606ef2569e"}',
            "Example Response",
            '{"id": "dd9a1813-34f7-4c7e-86bc-f041f2cbd9a1"}',
        ]
    )
    body, answer = extract("seed.txt", text)[0]
    assert (body["kind"], body["method"], body["json"]) == (
        REQUEST,
        "POST",
        {"carrier_id": "8fac0992-933a-4743-8dab-0d606ef2569e"},
    )
    assert (answer["kind"], answer["path"]) == (RESPONSE, "/api/v1/group_connections")


def test_a_multi_line_data_option_is_a_request_body_and_the_block_right_after_the_sample_its_answer():
    text = "\n".join(
        [
            "curl --request POST \\",
            "--url https://fulfillment.noyo.com/api/v1/groups/{group_id}/renewal_decisions \\",
            "--header 'Content-Type: application/json' \\",
            "--data '{",
            '"renewal_date": "2022-01-01"',
            "}'",
            "{",
            '"status": "submitted"',
            "}",
        ]
    )
    body, answer = extract("seed.txt", text)[0]
    assert (body["kind"], body["line"], body["json"]) == (REQUEST, 4, {"renewal_date": "2022-01-01"})
    assert (answer["kind"], answer["path"], answer["json"]) == (
        RESPONSE,
        "/api/v1/groups/{group_id}/renewal_decisions",
        {"status": "submitted"},
    )


def test_a_result_sample_has_no_path_and_one_that_is_not_json_is_kept_with_the_reason():
    text = "\n".join(
        [
            "curl -X GET",
            "https://fulfillment.noyoconnect.com/api/v1/member_requests",
            "Sample Transaction Result",
            '{"last_day_of_coverage": "2018-02-01"}',
            "Sample Request Result",
            '[{"id": "f471a562-fa8f-41c9-93fd-12b372e16c72", "type" "employee"}]',
            "Some prose",
            '{"orphan": true}',
        ]
    )
    (sample, stray), (broken,) = extract("seed.txt", text)
    assert (sample["kind"], sample["path"]) == (RESULT_SAMPLE, None)
    assert (stray["kind"], stray["path"]) == (UNLABELLED, None)
    assert (broken["line"], broken["label"]) == (6, "Sample Request Result")
    assert "delimiter" in broken["error"]
