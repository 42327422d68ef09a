"""The list's selects, built without the widget templates, offer and keep what the widget did."""

import pytest
from django import forms

from cases.templatetags.staff_tags import plain_widget

pytestmark = pytest.mark.django_db


class Choose(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), ("a", "<b>Apple</b>"), ("b", "Banana")])
    count = forms.TypedChoiceField(choices=[(1, "one"), (2, "two")], coerce=int)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def test_a_select_keeps_name_id_options_and_the_choice():
    html = plain_widget(Choose({"kind": "b", "count": "2"})["kind"])

    assert html.startswith('<select name="kind" id="id_kind">')
    assert '<option value="">—</option>' in html
    assert '<option value="b" selected>Banana</option>' in html
    assert "&lt;b&gt;Apple&lt;/b&gt;" in html  # labels are escaped
    assert plain_widget(Choose({"count": "2"})["count"]).count(" selected") == 1


def test_an_unbound_select_chooses_the_empty_option_and_other_widgets_fall_back():
    html = plain_widget(Choose()["kind"])

    assert html.count(" selected") == 1
    assert '<option value="" selected>—</option>' in html
    assert 'type="date"' in plain_widget(Choose()["when"])
