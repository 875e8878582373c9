"""Reading the CSV downloads in tests."""

import csv
import io


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


def raw_csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")
