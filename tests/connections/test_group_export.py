"""CSV export of the groups list."""

import csv
import io

from django.urls import reverse

from tests.factories import make_group

URL = reverse("connections:group_export")


def read(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff"))))


def test_it_exports_the_searched_groups_with_formula_cells_neutralised(viewer_client):
    make_group(name="-Minus Corp", dba_name="=cmd")
    make_group(name="Other")
    response = viewer_client.get(URL, {"q": "minus"})
    rows = read(response)
    assert [(r["Name"], r["DBA name"]) for r in rows] == [("'-Minus Corp", "'=cmd")]
    assert "groups_" in response["Content-Disposition"] and "q-minus" in response["Content-Disposition"]


def test_it_exports_only_the_ticked_groups(viewer_client):
    a = make_group(name="A")
    make_group(name="B")
    assert [r["Name"] for r in read(viewer_client.get(URL, {"ids": [a.pk]}))] == ["A"]
