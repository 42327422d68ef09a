"""Small template helpers for the customer's pages."""

import re

from django import template

from cases import punctuation
from cases.contacts.scam_guard import Reason
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


@register.filter
def finding_label(code: str) -> str:
    """The scam guard's reason for a finding in words ("Messaging-app handle or link")."""
    try:
        return str(Reason(code).label)
    except ValueError:
        return code


@register.simple_tag
def colon() -> str:
    """ ": " between a label and its text, "：" in Chinese."""
    return punctuation.colon()


@register.filter
def bracketed(text) -> str:
    """ "(text)", or "（text）" in Chinese and around Chinese text."""
    return punctuation.bracketed(text)
