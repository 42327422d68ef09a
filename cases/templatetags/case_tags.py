"""Small template helpers for the customer's pages."""

import re

from django import template

from providers.models import localized

register = template.Library()


@register.filter
def localized_field(obj, field: str) -> str:
    """The Chinese text of `field` when Chinese is active and it is set (providers.localized)."""
    return localized(obj, field) if obj is not None else ""


@register.filter
def tel_href(value: str) -> str:
    """A phone number as a tel: target: digits and a leading +, nothing else."""
    value = value or ""
    digits = re.sub(r"\D", "", value)
    return f"+{digits}" if value.strip().startswith("+") else digits
