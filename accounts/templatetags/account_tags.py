"""Template helpers for the site header."""

from django import template

from accounts import roles

register = template.Library()


@register.filter
def can_use_staff_dashboard(user) -> bool:
    """Whether the header shows this person the staff dashboard link."""
    return roles.can_use_staff_dashboard(user)


@register.filter
def signs_in_with_password(user) -> bool:
    """Whether this person has a password and a second factor to manage (staff)."""
    return roles.signs_in_with_password(user)
