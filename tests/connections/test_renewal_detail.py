"""One renewal decision: its issues and, carrier by carrier, what the platform expects (open
enrollment windows and plans, named plans resolved from the mirror)."""

import pytest
from django.urls import reverse

from connections.models import RenewalDecision
from tests.connections.renewals import issue, mirror_renewal
from tests.factories import make_carrier, make_group, make_plan

GOLD = "818e52d4-6c34-4914-b716-a3047c85e468"
MISSING_PLAN = "f9897240-87f8-4d9d-a68f-58bc445fe0b2"


def text(response):
    return " ".join(response.content.decode().split())


def url(renewal):
    return reverse("connections:renewal_detail", args=[renewal.pk])


def test_it_shows_the_issues_and_each_carriers_expectations_in_words(viewer_client, django_assert_max_num_queries):
    cascade = make_carrier(name="Cascade Mutual")
    group = make_group(name="Acme Tools")
    make_plan(group, id=GOLD, name="Select Plus PPO HDHP Gold", carrier=cascade)
    renewal = mirror_renewal(
        group,
        issues=[issue(cascade, "Plan 'Medical Plan' is not offered at renewal; choose a replacement.")],
        carriers=[
            (
                cascade,
                {
                    "medical": [
                        {"plan_id": GOLD},
                        {"plan_id": MISSING_PLAN},
                        {"metal_tier": "bronze", "name": "Select Plus PPO HDHP Bronze", "plan_type": "ppo"},
                    ],
                    "dental": [{"name": "Dental Plus Plan", "plan_type": "ppo"}],
                },
            )
        ],
    )
    with django_assert_max_num_queries(12):
        response = viewer_client.get(url(renewal))
    page = text(response)
    assert "Not ready:" in page and "Acme Tools" in page
    assert "Plan &#x27;Medical Plan&#x27; is not offered at renewal; choose a replacement." in page
    [expectation] = response.context["expectations"]
    assert expectation.carrier.name == "Cascade Mutual"
    medical = expectation.lines[0]
    assert (medical.line, medical.open_enrollment_start.isoformat(), medical.open_enrollment_end.isoformat()) == (
        "Medical",
        "2026-11-17",
        "2026-12-17",
    )
    assert [p.text for p in medical.plans] == [
        "Select Plus PPO HDHP Gold",
        "Plan f9897240 (not mirrored)",
        "Select Plus PPO HDHP Bronze · PPO · Bronze · to be set up at the carrier",
    ]
    assert "Nov 17, 2026 – Dec 17, 2026" in page
    assert f'href="{reverse("connections:carrier_detail", args=[cascade.pk])}">Cascade Mutual</a>' in page
    assert "Raw payload from Noyo" in page


def test_a_ready_renewal_without_issues_says_so(viewer_client):
    renewal = mirror_renewal(make_group(), status="ready", carriers=[(make_carrier(), {})])
    page = text(viewer_client.get(url(renewal)))
    assert "Ready:" in page and "No issues." in page
    assert "No lines of coverage given: ready once the carrier has any plans on the renewal date." in page


def test_shapes_noyo_did_not_document_still_show_without_a_500(viewer_client):
    group = make_group()
    renewal = RenewalDecision.objects.create(
        id="b5f2b5f7-0336-45f7-baf1-7e11dfac50a6",
        group=group,
        status="odd_status",
        issues=["not an object", {"level": "fatal"}],
        raw={
            "body": {
                "carriers": [
                    "x",
                    {"carrier_id": "nope", "lines_of_coverage": {"medical": "x", "vision": {"plans": "x"}}},
                ]
            }
        },
    )
    response = viewer_client.get(url(renewal))
    assert response.status_code == 200
    page = text(response)
    assert "(no message)" in page and "Vision" in page and "a status this version does not know" in page


def test_an_unknown_renewal_is_404(viewer_client, db):
    assert viewer_client.get(reverse("connections:renewal_detail", args=["nope"])).status_code == 404


@pytest.mark.parametrize("client_name", ["viewer_client", "operator_client"])
def test_every_signed_in_role_can_read_it(request, client_name):
    client = request.getfixturevalue(client_name)
    renewal = mirror_renewal(make_group())
    assert client.get(url(renewal)).status_code == 200
