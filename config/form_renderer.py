"""The form renderer: Django's own, with its plainest widget templates written out in Python.

Each text box, hidden input or radio button went through two or three nested templates
(text.html → input.html → attrs.html); on the case pages, with their several forms, that was
about a tenth of the server time. The functions here print exactly what those templates
print (tests/config/test_form_renderer.py compares them widget by widget); any other
template goes through the template engine as before. A project override of one of these
templates would need its name taken out of FAST_TEMPLATES.
"""

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
# Each of these templates is `{% include "django/forms/widgets/input.html" %}` and nothing else.
INPUT_TEMPLATES = [
    *("checkbox", "color", "date", "datetime", "email", "file", "hidden", "number"),
    *("password", "search", "tel", "text", "time", "url"),
]
OPTION_TEMPLATES = ("checkbox_option", "radio_option")  # input_option.html, likewise

# Values printed as Django's templates print them; anything else (a number {{ }} would
# localize, a tuple) sends the whole widget through its template.
_TEXT = (str, Promise)
_FORMATTED = (str, int, Promise)  # stringformat:'s' prints a number as it is


class _NotPlain(Exception):
    pass


def _text(value: Any) -> str:
    """{{ value }} of a string."""
    if not isinstance(value, _TEXT):
        raise _NotPlain
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _formatted(value: Any) -> str:
    """{{ value|stringformat:'s' }}: kept as it is if marked safe, else escaped."""
    if not isinstance(value, _FORMATTED):
        raise _NotPlain
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: dict) -> str:
    """attrs.html."""
    html = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            html.append(f" {_text(name)}")
        else:
            html.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(html)


def _input(widget: dict) -> str:
    """input.html."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _input_option(widget: dict) -> str:
    """input_option.html: one radio button or checkbox of a group, its label around it or not."""
    if not widget.get("wrap_label"):
        return _input(widget)
    id_ = widget["attrs"].get("id")
    label_for = f' for="{_text(id_)}"' if id_ else ""
    # The newline is input.html's last, which its include keeps.
    return f"<label{label_for}>{_input(widget)}\n {_text(widget['label'])}</label>"


def _textarea(widget: dict) -> str:
    """textarea.html."""
    value = widget["value"]
    text = _text(value) if value else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


FAST_TEMPLATES: dict[str, Callable[[dict], str]] = {
    **{f"{WIDGETS}{name}.html": _input for name in INPUT_TEMPLATES},
    f"{WIDGETS}input.html": _input,
    **{f"{WIDGETS}{name}.html": _input_option for name in OPTION_TEMPLATES},
    f"{WIDGETS}input_option.html": _input_option,
    f"{WIDGETS}textarea.html": _textarea,
}


class FastWidgetRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: the plain inputs written in Python, the rest by templates."""

    def render(self, template_name, context, request=None):
        fast = FAST_TEMPLATES.get(template_name)
        widget = context.get("widget")
        if fast is not None and isinstance(widget, dict):
            try:
                return fast(widget).strip()
            except (_NotPlain, KeyError):
                pass
        return super().render(template_name, context, request=request)
