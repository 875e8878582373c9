"""The OpenAPI document is generated from the code, and generating it warns about nothing."""

from django.core.management import call_command


def test_the_schema_generates_without_warnings_or_errors(tmp_path):
    # --fail-on-warn turns every warning (a field whose type cannot be told, a path parameter
    # without a type) into a failure; --validate checks the result against the OpenAPI 3 spec.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/connections/" in (tmp_path / "schema.yaml").read_text()
