"""Template helpers of the staff dashboard's pages."""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

SELECTED = mark_safe(" selected")


@register.filter
def plain_widget(field: BoundField) -> SafeString:
    """A select built here, in one pass, with the same name, id and options as its widget.

    Django renders a select option by option through the widget templates; the case list's
    filter and bulk forms (a dozen selects) spent close to half of its rendering time there.
    Anything but a plain single select falls back to the widget.
    """
    widget = field.field.widget
    if type(widget) is not forms.Select:
        return field.as_widget()
    value = field.value()
    chosen = "" if value is None else str(value)
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            ("" if key is None else str(key), SELECTED if str(key) == chosen else "", label)
            for key, label in widget.choices
        ),
    )
    return format_html(
        '<select name="{}" id="{}">{}</select>', field.html_name, field.auto_id, options
    )
