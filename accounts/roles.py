"""Who is who among staff: the support agents' group and who may use the staff dashboard."""

from django.conf import settings
from django.contrib.auth.models import Group

from accounts.models import User

SUPPORT_AGENTS = "Support agents"


def can_use_staff_dashboard(user) -> bool:
    """Members of "Support agents" and superusers, always staff (so behind the second factor).

    Staff status is required too: the second-factor check and the status machine's "agent"
    role both key on it, so a group member without it would get in on a password alone.
    The group lookup runs at most once per request and is kept on the user object; on a
    request, StaffSecondFactorMiddleware puts it there from what the session remembers
    (accounts/session_facts.py).
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, SUPPORT_AGENT_STAMP, None)
    if cached is None:
        cached = is_in_support_agents_group(user)
        setattr(user, SUPPORT_AGENT_STAMP, cached)
    return cached


# Whether the user object is known to be in the agents' group (see can_use_staff_dashboard).
SUPPORT_AGENT_STAMP = "_is_support_agent"


def is_in_support_agents_group(user) -> bool:
    """One query: the user's membership of "Support agents"."""
    return user.groups.filter(name=SUPPORT_AGENTS).exists()


def signs_in_with_password(user) -> bool:
    """Staff status is what lets a person into Django's admin, so whoever has it signs in with
    a password and, when STAFF_MFA_REQUIRED, a TOTP code; never with an emailed code."""
    return bool(user.is_authenticated and user.is_staff)


# Put on the request's user by StaffSecondFactorMiddleware, read by `passed_second_factor`.
SECOND_FACTOR_STAMP = "_passed_second_factor_this_session"


def passed_second_factor(user) -> bool:
    """Whether this request's session passed the staff second factor, or none is required.

    Only StaffSecondFactorMiddleware stamps it, on the user of the request it runs for. A user
    loaded anywhere else (a task, the shell, a related object) carries no stamp, so it never
    counts as having passed a factor nobody checked.
    """
    if not settings.STAFF_MFA_REQUIRED:
        return True
    return getattr(user, SECOND_FACTOR_STAMP, False) is True


def support_agents_group() -> Group:
    group, _created = Group.objects.get_or_create(name=SUPPORT_AGENTS)
    return group


def make_support_agent(user: User) -> None:
    """Put a staff member in the agents' group (seed_demo, tests)."""
    user.groups.add(support_agents_group())
    user.__dict__.pop(SUPPORT_AGENT_STAMP, None)


def support_agents():
    """Active agents, for "assign to" choices: a small set, ordered by name."""
    return (
        User.objects.filter(is_active=True, is_staff=True, groups__name=SUPPORT_AGENTS)
        .order_by("display_name", "email")
        .distinct()
    )
