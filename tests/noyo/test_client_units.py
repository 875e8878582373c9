"""Edges of the client that are pure logic, checked without a server.

Everything that talks HTTP is tested against the sandbox in test_client.py;
httpx.MockTransport appears here only where a server cannot easily be made to
misbehave in the exact way (a record moving at a page boundary, a refused port).
"""

import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from command_center.noyo import contract
from command_center.noyo.backoff import RetryPolicy
from command_center.noyo.client import NoyoClient, Records, query_params, token_lifetime
from command_center.noyo.errors import (
    NetworkError,
    ValidationFailed,
    error_for_response,
    field_errors_from,
)

FAST = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.01, max_total_seconds=1.0, jitter=0.0)


def mock_client(handler, **kwargs):
    def route(request):
        if request.url.path == contract.TOKEN_PATH:
            return httpx.Response(
                200, json={"access_token": "secret-token-value", "expires_in": 864000, "token_type": "Bearer"}
            )
        return handler(request)

    http = httpx.Client(transport=httpx.MockTransport(route))
    return NoyoClient(
        "http://noyo.test",
        "http://noyo.test/auth/public/token",
        "id",
        "shh",
        http_client=http,
        retry_policy=FAST,
        **kwargs,
    )


def envelope(records, offset, total):
    return {
        "meta": {"offset": offset, "page_num": offset // 100 + 1, "page_size": 100, "total_records": total},
        "response": records,
    }


@pytest.mark.parametrize(
    ("expires_in", "seconds"),
    [
        (864000, contract.TOKEN_MAX_AGE_SECONDS),  # ms (14.4 min) or s (10 days): capped either way
        (600, contract.TOKEN_MAX_AGE_SECONDS),  # seconds: 0.6 s would be absurd
        (300000, 300 - contract.TOKEN_RENEW_MARGIN_SECONDS),  # milliseconds: 5 minutes
        (30, 15),  # a very short token is kept half its life
        (None, contract.TOKEN_MAX_AGE_SECONDS),
        ("junk", contract.TOKEN_MAX_AGE_SECONDS),
        (0, 0),
    ],
)
def test_it_never_trusts_expires_in_beyond_the_contract(expires_in, seconds):
    assert token_lifetime(expires_in) == seconds


def test_it_writes_filters_the_way_noyo_reads_them():
    from datetime import date

    assert query_params(
        {"status": ["a", "b"], "effective_date": date(2025, 1, 31), "include_dependents": True, "x": None}
    ) == {
        "status": "a,b",
        "effective_date": "2025-01-31",
        "include_dependents": "true",
    }


def test_it_yields_a_record_pushed_onto_the_next_page_once():
    ids = [f"r{i}" for i in range(250)]
    listing = list(ids)
    offsets = []

    def fetch(params):
        offset = params["offset"]
        offsets.append(offset)
        page = envelope([{"id": i} for i in listing[offset : offset + 100]], offset, len(listing))
        if offset == 0:
            listing.insert(0, "new")  # while we read: r99 moves onto page 2
        return page

    records = [r["id"] for r in Records(fetch, {})]
    assert records == ids  # r99 once; "new" is for the next sync
    assert offsets == [0, 100, 200]


def test_it_stops_on_an_empty_page_even_if_the_total_said_more():
    calls = []

    def fetch(params):
        calls.append(params["offset"])
        return envelope([{"id": "only"}] if params["offset"] == 0 else [], params["offset"], 500)

    assert list(Records(fetch, {})) == [{"id": "only"}]
    assert calls == [0, 1]


def test_it_reports_the_total_from_the_first_page_without_fetching_it_twice():
    calls = []

    def fetch(params):
        calls.append(params["offset"])
        return envelope(
            [{"id": str(params["offset"] + i)} for i in range(min(100, 150 - params["offset"]))], params["offset"], 150
        )

    records = Records(fetch, {"status": "x"})
    assert records.total == 150
    assert len(list(records)) == 150
    assert calls == [0, 100]
    assert records.pages == 2


def test_it_reads_bare_arrays_and_single_objects_in_one_call():
    assert list(Records(lambda params: [{"a": 1}, {"a": 2}], {}, paged=False)) == [{"a": 1}, {"a": 2}]
    single = Records(lambda params: {"group_id": "g"}, {}, paged=False)
    assert single.total == 1
    assert list(single) == [{"group_id": "g"}]


def test_it_yields_records_without_an_id_as_they_come():
    page = [{"amount": "1.00"}, {"amount": "1.00"}]
    assert list(Records(lambda params: envelope(page, 0, 2), {})) == page


def test_calls_refused_at_once_fetch_one_new_token_between_them():
    issued = []
    refused_together = threading.Barrier(3, timeout=10)  # three calls out with the first token at the same time

    def route(request):
        if request.url.path == contract.TOKEN_PATH:
            issued.append(f"token-{len(issued) + 1}")
            return httpx.Response(200, json={"access_token": issued[-1], "expires_in": 864000})
        if request.headers["Authorization"] == "Bearer token-1":
            refused_together.wait()
            return httpx.Response(401, json={"message": "expired"})
        return httpx.Response(200, json={"id": "g"})

    noyo = NoyoClient(
        "http://noyo.test",
        "http://noyo.test/auth/public/token",
        "id",
        "shh",
        http_client=httpx.Client(transport=httpx.MockTransport(route)),
        retry_policy=FAST,
    )
    noyo._bearer()  # the first token, before the three calls share it
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda _: noyo.get_group("g"), range(3)))
    assert answers == [{"id": "g"}] * 3
    assert issued == ["token-1", "token-2"]
    assert noyo.stats["tokens_refused"] == 3


# --- Pages read ahead --------------------------------------------------------------------------


def paged_list(ids, offsets=None, page_size=100, wait=None):
    """A fetch serving ``ids`` in pages; ``offsets`` records what was asked, ``wait(offset)`` may hold an answer."""

    def fetch(params):
        offset = params["offset"]
        if offsets is not None:
            offsets.append(offset)
        if wait is not None:
            wait(offset)
        return envelope([{"id": i} for i in ids[offset : offset + page_size]], offset, len(ids))

    return fetch


def test_pages_read_ahead_are_asked_for_at_once_and_yielded_in_order():
    ids = [f"r{i}" for i in range(450)]
    together = threading.Barrier(3, timeout=10)  # pages 2-4 answer only once all three were asked for

    def wait(offset):
        if offset in (100, 200, 300):
            together.wait()

    records = Records(paged_list(ids, wait=wait), {}).read_ahead(3)
    assert [r["id"] for r in records] == ids
    assert records.pages == 5


def test_a_short_page_drops_the_pages_read_past_it_and_paging_goes_on_from_its_end():
    ids = [f"r{i}" for i in range(450)]
    offsets = []
    full = paged_list(ids, offsets)

    def fetch(params):
        body = full(params)
        if params["offset"] == 100:
            body["response"] = body["response"][:60]  # Noyo answered fewer than asked, mid-list
        return body

    records = Records(fetch, {}).read_ahead(3)
    assert [r["id"] for r in records] == ids
    assert 160 in offsets  # read from where the short page ended: nothing skipped
    assert records.pages == len(offsets)  # pages fetched ahead and dropped still count as fetched


def test_an_error_on_a_page_read_ahead_is_raised_after_the_records_before_it():
    ids = [f"r{i}" for i in range(450)]
    full = paged_list(ids)

    def fetch(params):
        if params["offset"] == 300:
            raise NetworkError("the connection dropped")
        return full(params)

    seen = []
    with pytest.raises(NetworkError):
        for record in Records(fetch, {}).read_ahead(4):
            seen.append(record["id"])
    assert seen == ids[:300]


def test_a_reader_that_stops_early_leaves_no_page_being_read():
    ids = [f"r{i}" for i in range(1000)]
    offsets = []
    records = Records(paged_list(ids, offsets), {}).read_ahead(4)
    assert [next(records)["id"] for _ in range(150)] == ids[:150]
    records.close()
    asked = len(offsets)
    assert asked <= 1 + 1 + 4  # the first page, the one being read, and at most four ahead
    assert records.pages == asked


@pytest.mark.parametrize(
    "body",
    [
        '{"id": "a", "name": "Caf\u00e9 \u2615", "ratio": 0.1, "n": null}',
        '{"id": "a", "big": 1180591620717411303424}',  # beyond 64 bits: read exactly, not as a float
        '{"id": "a", "ratio": NaN}',  # not JSON, but read as before
    ],
)
def test_a_page_is_read_exactly_as_json_reads_it(body):
    import json

    page = '{"meta": {"total_records": 1}, "response": [' + body + "]}"
    noyo = mock_client(
        lambda request: httpx.Response(200, content=page.encode(), headers={"content-type": "application/json"})
    )
    (record,) = list(noyo.iter_employees())
    expected = json.loads(body)
    assert repr(record) == repr(expected)
    assert [type(v) for v in record.values()] == [type(v) for v in expected.values()]


def test_it_logs_query_keys_but_never_values_nor_the_token(caplog):
    def handler(request):
        assert request.headers["Authorization"] == "Bearer secret-token-value"
        return httpx.Response(200, json=envelope([], 0, 0))

    caplog.set_level(logging.DEBUG, logger="command_center.noyo")
    with mock_client(handler) as noyo:
        list(noyo.iter_employees(last_name="Delacroix", date_of_birth="1980-02-03"))
    lines = [r.getMessage() for r in caplog.records]
    assert (
        lines
        == [
            lines[0],
            lines[1],
        ]
        and "POST /auth/public/token" in lines[0]
    )
    assert "GET /api/v1/employees query=date_of_birth,last_name,offset,page_size status=200" in lines[1]
    assert "attempt=1" in lines[1] and "duration_ms=" in lines[1]
    text = caplog.text
    for secret in ("Delacroix", "1980-02-03", "secret-token-value", "shh"):
        assert secret not in text


def test_a_write_is_resent_when_the_connection_was_refused():
    sent = []

    def handler(request):
        sent.append(request.method)
        if len(sent) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(201, json={"id": "c1", "status": "processing"})

    with mock_client(handler) as noyo:
        assert noyo.retry_group_connection("c1")["status"] == "processing"
        assert noyo.api_calls == 2
    assert sent == ["PUT", "PUT"]


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.WriteTimeout, httpx.ReadError])
def test_a_write_is_never_resent_once_it_may_have_reached_noyo(error):
    sent = []

    def handler(request):
        sent.append(request.method)
        raise error("gone", request=request)

    with mock_client(handler) as noyo, pytest.raises(NetworkError) as raised:
        noyo.create_group_connection("carrier", {"carrier_group_id": "1", "group_name": "Acme"})
    assert sent == ["POST"]
    assert raised.value.may_have_reached_noyo
    assert "check its current state" in raised.value.message


def test_a_refused_port_is_a_network_error_that_never_reached_noyo():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before use: nothing listens there
    url = f"http://127.0.0.1:{port}"
    with NoyoClient(url, url + contract.TOKEN_PATH, "id", "secret", retry_policy=FAST, timeout=2) as noyo:
        with pytest.raises(NetworkError) as raised:
            noyo.get_group("g")
        assert noyo.token_calls == FAST.max_attempts
    assert raised.value.may_have_reached_noyo is False
    assert raised.value.status_code is None


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"message": "Invalid", "errors": {"carrier_group_id": ["bad format"], "group_name": "required"}},
            {"carrier_group_id": ["bad format"], "group_name": ["required"]},
        ),
        ({"errors": [{"field": "carrier_id", "message": "required"}]}, {"carrier_id": ["required"]}),
        (
            {"detail": [{"loc": ["body", "group_data"], "msg": "field required"}]},
            {"body.group_data": ["field required"]},
        ),
        ("not json", {}),
    ],
)
def test_it_reads_field_messages_from_a_422(body, fields):
    assert field_errors_from(body) == fields


def test_a_422_message_names_the_fields_for_an_ops_user():
    error = error_for_response(
        422, {"message": "Invalid group data", "errors": {"carrier_group_id": ["must be 6 digits"]}}
    )
    assert isinstance(error, ValidationFailed)
    assert error.message == "Noyo rejected the data: Invalid group data — carrier_group_id: must be 6 digits"
