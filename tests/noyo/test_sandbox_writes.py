"""The sandbox's writes: creating group connections and retrying them."""

import hashlib
import hmac
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from command_center.noyo import contract
from command_center.noyo.sandbox import carriers

NORTHWIND = carriers.CARRIERS[0]["id"]  # group numbers: NW and 6 digits


def connection_in(sandbox_api, status):
    answer = sandbox_api.get("/group_connections", params={"status": status, "page_size": 100}).json()
    return answer["response"][0]


def new_connection_body(number="NW123456", name="Juniper Dental Group"):
    return {
        "carrier_id": NORTHWIND,
        "federal_ein": "12-3456789",
        "group_data": {"carrier_group_id": number, "group_name": name, "broker_federal_ein": "45-1234567"},
    }


# --- Create ------------------------------------------------------------------------------
def test_creating_a_connection_for_a_new_group_answers_201_with_a_new_group(sandbox_api):
    answer = sandbox_api.post("/group_connections", json=new_connection_body())
    assert answer.status_code == 201
    connection = answer.json()
    assert connection["status"] == "created" and connection["request_type"] == "initial"
    assert connection["group_data"]["carrier_group_id"] == "NW123456"
    group = sandbox_api.get(f"/groups/{connection['group_id']}").json()
    assert group["name"] == "Juniper Dental Group"
    assert sandbox_api.get(f"/group_connections/{connection['id']}").json() == connection
    listed = sandbox_api.get("/group_connections", params={"offset": 0, "page_size": 100}).json()
    assert connection["id"] in {c["id"] for c in listed["response"]}
    assert sandbox_api.get(f"/groups/{connection['group_id']}/group_connections").json()["response"] == [connection]


def test_creating_a_connection_for_an_existing_group_is_incremental(sandbox_api, sandbox):
    group = sandbox.data.group(4)
    answer = sandbox_api.post(
        f"/groups/{group['id']}/group_connections",
        json={"carrier_id": NORTHWIND, "group_data": {"carrier_group_id": "NW654321"}},
    )
    assert answer.status_code == 201
    assert answer.json()["request_type"] == "incremental" and answer.json()["group_id"] == group["id"]
    mine = sandbox_api.get(f"/groups/{group['id']}/group_connections", params={"page_size": 100}).json()["response"]
    assert answer.json()["id"] in {c["id"] for c in mine}


def test_creating_a_connection_for_an_unknown_group_answers_404(sandbox_api):
    answer = sandbox_api.post(
        "/groups/00000000-0000-4000-8000-000000000000/group_connections",
        json={"carrier_id": NORTHWIND, "group_data": {"carrier_group_id": "NW654321"}},
    )
    assert answer.status_code == 404


def test_a_duplicate_carrier_and_group_number_answers_409(sandbox_api):
    existing = sandbox_api.get("/group_connections").json()["response"][0]
    body = {
        "carrier_id": existing["carrier_id"],
        "group_data": {"carrier_group_id": existing["group_data"]["carrier_group_id"], "group_name": "Copycat LLC"},
    }
    answer = sandbox_api.post("/group_connections", json=body)
    assert answer.status_code == 409
    assert "carrier_group_id" in answer.json()["errors"]
    assert sandbox_api.post("/group_connections", json=new_connection_body()).status_code == 201
    assert sandbox_api.post("/group_connections", json=new_connection_body()).status_code == 409


@pytest.mark.parametrize(
    "body, field",
    [
        ({"group_data": {"carrier_group_id": "NW123456", "group_name": "X"}}, "carrier_id"),
        ({"carrier_id": NORTHWIND}, "group_data"),
        ({"carrier_id": NORTHWIND, "group_data": {"group_name": "X"}}, "group_data.carrier_group_id"),
        ({"carrier_id": NORTHWIND, "group_data": {"carrier_group_id": "NW123456"}}, "group_data.group_name"),
        (
            {"carrier_id": NORTHWIND, "group_data": {"carrier_group_id": "12345", "group_name": "X"}},
            "group_data.carrier_group_id",
        ),
        ({"carrier_id": "not-a-carrier", "group_data": {"carrier_group_id": "1", "group_name": "X"}}, "carrier_id"),
    ],
)
def test_a_missing_field_or_a_badly_formatted_group_number_answers_422(sandbox_api, body, field):
    answer = sandbox_api.post("/group_connections", json=body)
    assert answer.status_code == 422
    assert field in answer.json()["errors"]


def test_the_format_message_names_the_carriers_format(sandbox_api):
    answer = sandbox_api.post("/group_connections", json=new_connection_body(number="nw-12"))
    assert "NW followed by 6 digits" in answer.json()["errors"]["group_data.carrier_group_id"][0]


def test_a_created_connection_moves_on_as_time_passes(sandbox_api, sandbox):
    sandbox.set_faults(connection_outcome="completed")
    connection = sandbox_api.post("/group_connections", json=new_connection_body()).json()
    sandbox.advance(120)
    assert sandbox_api.get(f"/group_connections/{connection['id']}").json()["status"] == "processing"
    sandbox.advance(3 * 3600)
    assert sandbox_api.get(f"/group_connections/{connection['id']}").json()["status"] == "completed"


@pytest.mark.parametrize("existing_group", [False, True], ids=["new group", "existing group"])
def test_a_created_connection_answers_its_new_ids_while_the_clock_runs(sandbox_api, sandbox, existing_group):
    sandbox.set_clock_speed(60)
    if existing_group:
        path, body = (
            f"/groups/{sandbox.data.group(4)['id']}/group_connections",
            {"carrier_id": NORTHWIND, "group_data": {"carrier_group_id": "NW654321"}},
        )
    else:
        path, body = "/group_connections", new_connection_body()
    answer = sandbox_api.post(path, json=body)
    assert answer.status_code == 201
    connection = answer.json()
    assert connection and connection["status"] == "created"
    # Seed 000: the answer carries the connection's id and the group's, to store both.
    assert sandbox_api.get(f"/group_connections/{connection['id']}").status_code == 200
    assert sandbox_api.get(f"/groups/{connection['group_id']}").status_code == 200


# --- Retry --------------------------------------------------------------------------------
def test_retrying_an_unable_to_connect_connection_moves_it_to_processing(sandbox_api, sandbox):
    before = connection_in(sandbox_api, "unable_to_connect")
    sandbox.advance(60)
    answer = sandbox_api.put(f"/group_connections/{before['id']}/retry", json={})
    assert answer.status_code == contract.RETRY_SUCCESS_STATUS == 201
    after = answer.json()
    assert after["id"] == before["id"] and after["status"] == "processing"
    assert after["version"] != before["version"] and after["modified"] > before["modified"]
    assert after["request_type"] == before["request_type"] and after["setup_result"] == {}
    assert sandbox_api.get(f"/group_connections/{before['id']}").json() == after


def test_a_retry_reaches_an_outcome_later(sandbox_api, sandbox):
    before = connection_in(sandbox_api, "unable_to_connect")
    sandbox.set_faults(connection_outcome="completed")
    sandbox_api.put(f"/group_connections/{before['id']}/retry", json={})
    sandbox.advance(90)
    sandbox.advance(30)
    assert sandbox_api.get(f"/group_connections/{before['id']}").json()["status"] == "waiting_on_carrier"
    sandbox.advance(3600)
    done = sandbox_api.get(f"/group_connections/{before['id']}").json()
    assert done["status"] == "completed" and done["completed"] == done["modified"]


def test_an_amended_group_number_is_kept(sandbox_api, sandbox):
    before = connection_in(sandbox_api, "unable_to_connect")
    carrier = carriers.CARRIER_BY_ID[before["carrier_id"]]
    number = carriers.make_group_number(carrier["id"], random.Random(99))
    answer = sandbox_api.put(
        f"/group_connections/{before['id']}/retry", json={"carrier_group_id": number, "broker_tin": "123-45-6789"}
    )
    assert answer.status_code == 201
    assert answer.json()["group_data"]["carrier_group_id"] == number
    assert answer.json()["group_data"]["broker_tin"] == "123-45-6789"
    sandbox.advance(86400)
    assert sandbox_api.get(f"/group_connections/{before['id']}").json()["group_data"]["carrier_group_id"] == number


def test_an_amended_group_number_must_match_the_carriers_format(sandbox_api):
    before = connection_in(sandbox_api, "unable_to_connect")
    answer = sandbox_api.put(f"/group_connections/{before['id']}/retry", json={"carrier_group_id": "not valid!"})
    assert answer.status_code == 422
    assert "carrier_group_id" in answer.json()["errors"]
    assert sandbox_api.get(f"/group_connections/{before['id']}").json() == before


def test_a_retry_may_not_take_another_connections_group_number(sandbox_api):
    before = connection_in(sandbox_api, "unable_to_connect")
    listed = sandbox_api.get("/group_connections", params={"carrier_id": before["carrier_id"], "page_size": 100}).json()
    same_carrier = [c for c in listed["response"] if c["id"] != before["id"]]
    if not same_carrier:
        pytest.skip("no second connection with this carrier in the dataset")
    taken = same_carrier[0]["group_data"]["carrier_group_id"]
    assert (
        sandbox_api.put(f"/group_connections/{before['id']}/retry", json={"carrier_group_id": taken}).status_code == 409
    )


@pytest.mark.parametrize("status", ["completed", "processing", "waiting_on_carrier", "created", "noyo_review"])
def test_a_retry_in_a_status_noyo_does_not_retry_gets_a_clear_409(sandbox_api, status):
    connection = connection_in(sandbox_api, status)
    answer = sandbox_api.put(f"/group_connections/{connection['id']}/retry", json={})
    assert answer.status_code == contract.RETRY_REFUSED_STATUS == 409
    assert f"'{status}'" in answer.json()["message"]
    assert "status" in answer.json()["errors"]


def test_a_second_retry_right_after_the_first_is_refused(sandbox_api):
    connection = connection_in(sandbox_api, "action_required")
    assert sandbox_api.put(f"/group_connections/{connection['id']}/retry", json={}).status_code == 201
    assert sandbox_api.put(f"/group_connections/{connection['id']}/retry", json={}).status_code == 409
    assert (
        len([1 for r in sandbox_api.get("/group_connections", params={"id": connection["id"]}).json()["response"]]) == 1
    )


def test_a_retry_of_an_unknown_connection_answers_404(sandbox_api):
    assert sandbox_api.put("/group_connections/00000000-0000-4000-8000-000000000000/retry", json={}).status_code == 404


def test_a_retry_without_a_body_is_accepted(sandbox_api):
    connection = connection_in(sandbox_api, "carrier_authorization")
    assert sandbox_api.put(f"/group_connections/{connection['id']}/retry").status_code == 201


def test_reset_forgets_writes(sandbox_api, sandbox):
    connection = connection_in(sandbox_api, "unable_to_connect")
    sandbox_api.put(f"/group_connections/{connection['id']}/retry", json={})
    created = sandbox_api.post("/group_connections", json=new_connection_body()).json()
    sandbox.reset()
    assert sandbox_api.get(f"/group_connections/{connection['id']}").json() == connection
    assert sandbox_api.get(f"/group_connections/{created['id']}").status_code == 404


# --- Webhooks --------------------------------------------------------------------------------
class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers, body))  # case-insensitive
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_retry_sends_a_signed_status_change_webhook(sandbox_api, sandbox):
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        sandbox.set_webhook(f"http://127.0.0.1:{receiver.server_address[1]}/hooks/noyo", "s3cret")
        connection = connection_in(sandbox_api, "unable_to_connect")
        sandbox_api.put(f"/group_connections/{connection['id']}/retry", json={})
        deadline = time.monotonic() + 5
        while not _Receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
        headers, body = _Receiver.received[0]
        event = json.loads(body)
        assert event["data"]["id"] == connection["id"]
        assert event["event"]["type"] == "group_connection_request.status_change"
        expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert headers[contract.WEBHOOK_SIGNATURE_HEADER] == expected
        assert headers[contract.WEBHOOK_TIMESTAMP_HEADER]
    finally:
        sandbox.set_webhook("", "")
        receiver.shutdown()
        receiver.server_close()
