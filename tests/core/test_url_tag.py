"""{% url %} remembers its answers (command_center.templatetags.urls) and answers as Django's own."""

import uuid

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape

from command_center.templatetags.urls import RememberedURLNode, _reverse


def render(source, **context):
    return engines["django"].from_string(source).render(context)


def test_every_template_gets_the_remembering_tag():
    node = engines["django"].from_string("{% url 'dashboard' %}").template.nodelist[0]
    assert isinstance(node, RememberedURLNode)


@pytest.mark.parametrize("pk", ["c4b1e428-787d-4db5-9bd2-bcc395b9da8d", "with space&amp", "ünï", 42, uuid.UUID(int=7)])
def test_a_link_reads_as_reverse_writes_it_the_first_time_and_after(pk):
    expected = reverse("connections:connection_detail", args=[pk])
    for _ in range(2):
        assert render("{% url 'connections:connection_detail' pk %}", pk=pk) == conditional_escape(expected)


def test_keyword_arguments_and_as_var_work_as_djangos():
    assert render("{% url 'connections:connection_detail' pk=pk %}", pk="abc") == reverse(
        "connections:connection_detail", kwargs={"pk": "abc"}
    )
    assert (
        render("{% url 'connections:connection_detail' pk as u %}[{{ u }}]", pk="abc")
        == f"[{reverse('connections:connection_detail', args=['abc'])}]"
    )
    assert render("{% url 'no_such_view' as u %}[{{ u }}]") == "[]"


def test_a_link_that_cannot_be_made_still_fails_loudly():
    with pytest.raises(NoReverseMatch):
        render("{% url 'connections:connection_detail' pk %}", pk="a/b")
    with pytest.raises(NoReverseMatch):
        render("{% url 'connections:connection_detail' pk %}", pk="a/b")


def test_another_urlconf_never_gets_an_answer_remembered_for_this_one():
    render("{% url 'dashboard' %}")
    with override_settings(ROOT_URLCONF="tests.core.urls_elsewhere"):
        assert render("{% url 'dashboard' %}") == "/elsewhere/"
    assert render("{% url 'dashboard' %}") == "/"
    assert _reverse.cache_info().hits > 0
