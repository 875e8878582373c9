"""The OpenAPI document: generated from the code without warnings, checked in as openapi.yaml (kept
current by ``make schema``), served to signed-in users at /api/schema/ with Swagger UI and Redoc beside it."""

import difflib
import json
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

CHECKED_IN = Path(__file__).resolve().parents[2] / "openapi.yaml"
SCHEMA = reverse("api:schema")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    # --fail-on-warn turns every warning (a field whose type cannot be told, a path parameter
    # without a type) into a failure; --validate checks the result against the OpenAPI 3 spec.
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(path))
    return path.read_text()


def test_the_schema_generates_without_warnings_or_errors(generated):
    assert "/api/connections/" in generated


def test_the_checked_in_schema_is_what_the_code_generates(generated):
    checked_in = CHECKED_IN.read_text()
    if checked_in != generated:
        diff = "".join(
            difflib.unified_diff(
                checked_in.splitlines(True), generated.splitlines(True), "openapi.yaml", "generated", n=2
            )
        )
        pytest.fail(f"openapi.yaml is not what the code generates: run `make schema` and commit it.\n{diff[:4000]}")


def test_every_operation_documents_its_errors():
    document = yaml.safe_load(CHECKED_IN.read_text())
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "401" in responses, f"{method} {path}"
            if "{" in path:
                assert "404" in responses, f"{method} {path}"
            if method != "get":
                assert "403" in responses, f"{method} {path}"


def test_a_signed_in_user_reads_the_schema_in_yaml_by_default_and_in_json_when_asked(viewer_client):
    checked_in = yaml.safe_load(CHECKED_IN.read_text())
    as_yaml = viewer_client.get(SCHEMA)
    assert as_yaml.status_code == 200 and as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content) == checked_in
    for asked in ({"data": {"format": "json"}}, {"headers": {"Accept": "application/json"}}):
        as_json = viewer_client.get(SCHEMA, **asked)
        assert as_json.status_code == 200 and "json" in as_json["Content-Type"], asked
        assert json.loads(as_json.content) == checked_in


def test_anonymous_callers_are_refused_the_schema_and_its_pages_as_by_every_api_route(client, db):
    refused = client.get(reverse("api:connection-list")).status_code
    assert refused in (401, 403)
    for name in ("api:schema", "api:docs", "api:redoc"):
        assert client.get(reverse(name)).status_code == refused, name


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_docs_pages_load_their_scripts_from_static_files_not_a_cdn(viewer_client, name):
    page = viewer_client.get(reverse(name)).content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "http://" not in page and "https://" not in page


def test_the_api_root_still_lists_the_resources_beside_the_schema_routes(viewer_client):
    body = viewer_client.get(reverse("api:api-root"), HTTP_ACCEPT="application/json").json()
    assert body["connections"].endswith("/api/connections/")
