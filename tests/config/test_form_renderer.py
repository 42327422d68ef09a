"""The form renderer's Python widgets print exactly what Django's widget templates print."""

import datetime as dt

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from config.form_renderer import FAST_TEMPLATES, FastWidgetRenderer


class Everything(forms.Form):
    name = forms.CharField(max_length=20, help_text="Help & more", label="Name <b>")
    hidden = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.EmailField(
        required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy('Say "why"')}),
        required=False,
    )
    count = forms.IntegerField(required=False, min_value=0)
    agree = forms.BooleanField(required=False)
    choice = forms.ChoiceField(
        choices=[("a", "A & a"), ("b", mark_safe("<i>B</i>")), ("c", gettext_lazy("Cancel"))],
        widget=forms.RadioSelect(attrs={"data-flag": True, "data-off": False}),
    )
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple, required=False
    )
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    upload = forms.FileField(required=False)


BOUND = {
    "name": 'Tom "& Jerry" <script>',
    "hidden": "7",
    "email": "a@b.example",
    "when": "2026-12-07",
    "note": "line one\nline <two> & 'three'",
    "count": "1234",
    "agree": "on",
    "choice": "b",
    "many": ["y"],
    "password": "s3<cr>et",
}


def rendered(form: forms.Form) -> list[str]:
    """Every widget of the form, and every option of its choice fields, as HTML."""
    html = []
    for field in form:
        html.append(str(field))
        html.extend(choice.tag() for choice in field.subwidgets)
        html.extend(str(choice) for choice in field.subwidgets)
    return html


@pytest.mark.parametrize(
    "make",
    [
        lambda renderer: Everything(renderer=renderer),
        lambda renderer: Everything(
            renderer=renderer, initial={"hidden": 3, "when": dt.date(2026, 1, 2), "count": 5}
        ),
        lambda renderer: Everything(BOUND, renderer=renderer),
        lambda renderer: Everything({}, renderer=renderer),  # every error
        lambda renderer: Everything(BOUND, renderer=renderer, auto_id="staff_%s", prefix="p"),
        lambda renderer: Everything(renderer=renderer, auto_id=False),
    ],
)
def test_each_widget_prints_what_its_template_prints(make):
    assert rendered(make(FastWidgetRenderer())) == rendered(make(DjangoTemplates()))


def test_a_value_the_template_would_localize_goes_through_the_template():
    context = {"widget": {"name": "n", "type": "text", "value": None, "attrs": {"id": 12}}}
    template = "django/forms/widgets/text.html"

    fast = FastWidgetRenderer().render(template, context)

    assert fast == DjangoTemplates().render(template, context)


# The templates as the Python above copies them: a Django upgrade that changes one fails here.
SOURCES = {
    "input.html": (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
        " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>'
    ),
    "attrs.html": (
        "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}"
        "{% endfor %}"
    ),
    "textarea.html": (
        '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
        "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>"
    ),
    "input_option.html": (
        '{% if widget.wrap_label %}<label{% if widget.attrs.id %} for="{{ widget.attrs.id }}"'
        '{% endif %}>{% endif %}{% include "django/forms/widgets/input.html" %}'
        "{% if widget.wrap_label %} {{ widget.label }}</label>{% endif %}"
    ),
}


def test_the_templates_written_in_python_are_those_django_ships():
    def source(name: str) -> str:
        return DjangoTemplates().get_template(f"django/forms/widgets/{name}").template.source

    for name, expected in SOURCES.items():
        assert source(name).strip() == expected, name
    for template in FAST_TEMPLATES:
        name = template.rsplit("/", 1)[1]
        if name not in SOURCES:
            include = "input_option" if name.endswith("_option.html") else "input"
            assert source(name).strip() == f'{{% include "django/forms/widgets/{include}.html" %}}'


def test_the_project_uses_it():
    assert settings.FORM_RENDERER == "config.form_renderer.FastWidgetRenderer"
    assert isinstance(get_default_renderer(), FastWidgetRenderer)
