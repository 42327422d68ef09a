"""Template helpers for the site header."""

from django import template

from accounts import roles

register = template.Library()


@register.filter
def can_use_staff_dashboard(user) -> bool:
    """Whether the header shows this person the staff dashboard link."""
    return roles.can_use_staff_dashboard(user)
