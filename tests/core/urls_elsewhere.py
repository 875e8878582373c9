"""A second URLconf for tests/core/test_url_tag.py: the dashboard at another address."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="dashboard")]
