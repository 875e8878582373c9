import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_a_viewer_refused_an_action_reads_why_in_plain_words(viewer_client):
    response = viewer_client.post(reverse("sync_start"), {"kind": "full"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your role doesn" in body and "Operator" in body
