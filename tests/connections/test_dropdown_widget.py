"""The filter bar's drop-down of tick boxes writes each option's <input> itself (no include per option),
exactly as Django's input.html would."""

from django import forms
from django.forms.renderers import get_default_renderer

from connections.filters import DropdownCheckboxes

# The option line as it was, through Django's own input template.
WITH_INCLUDE = (
    "{% for group, options, index in widget.optgroups %}{% for option in options %}"
    '\n    <label class="option">{% include "django/forms/widgets/input.html" with widget=option %} {{ option.label }}</label>'
    "{% endfor %}{% endfor %}"
)


class Choice(forms.Form):
    status = forms.MultipleChoiceField(
        required=False,
        choices=[("ok", "All good"), ("a&b", 'Quote " and <tag>'), ("", "Blank")],
        widget=DropdownCheckboxes(placeholder="Any status", attrs={"data-x": True, "hidden-flag": False}),
    )


def test_each_option_reads_as_djangos_input_template_writes_it():
    form = Choice({"status": ["ok", "a&b"]})
    html = str(form["status"])
    context = form["status"].field.widget.get_context(
        "status", ["ok", "a&b"], {"id": "id_status", "data-x": True, "hidden-flag": False}
    )
    expected = get_default_renderer().engine.from_string(WITH_INCLUDE).render(context)
    assert expected and expected.count("<input") == 3
    assert expected in html
    assert "checked" in html and 'value="a&amp;b"' in html
