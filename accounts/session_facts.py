"""What a staff session remembers about its person, so that a staff page does not ask again.

Two facts cost a query each on every staff request: whether the person is in the agents'
group and whether they have a TOTP authenticator. The session keeps both, tagged with the
person's id and `User.access_version`, which every change to either bumps in the same
transaction (accounts/signals.py); the user row is read on every request anyway, so a stale
tag is seen on the very next request of every session of that person, in any web process.
A change made behind the signals' back (raw SQL, a bulk update) holds for at most
MAX_AGE_SECONDS. Signing out flushes the session, and the facts with it.

Staff status, superuser and active are never remembered: they are on the user row itself.
What this session passed (the second factor) is read from allauth's own session records.
"""

import time
from dataclasses import dataclass
from typing import cast

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest

from accounts import roles
from accounts.models import User

SESSION_KEY = "_staff_facts"
MAX_AGE_SECONDS = 5 * 60


@dataclass(frozen=True)
class StaffFacts:
    is_support_agent: bool
    has_totp: bool


def _remembered(stored: object, user) -> StaffFacts | None:
    if not isinstance(stored, dict):
        return None
    age = time.time() - stored.get("at", 0)
    if (
        stored.get("user") != user.pk
        or stored.get("version") != user.access_version
        or not 0 <= age < MAX_AGE_SECONDS
    ):
        return None
    return StaffFacts(
        is_support_agent=stored.get("agent") is True, has_totp=stored.get("totp") is True
    )


def staff_facts(request: HttpRequest) -> StaffFacts:
    """The facts of this request's (signed-in, staff) person: from the session while they
    still hold, else read afresh (two queries) and remembered.

    The user row (with its access_version) was read before the facts: a change committed in
    between leaves an old version with new facts, which the next request reads again."""
    user = cast(User, request.user)  # staff only: the middleware asks for no one else
    facts = _remembered(request.session.get(SESSION_KEY), user)
    if facts is None:
        facts = StaffFacts(
            is_support_agent=roles.is_in_support_agents_group(user),
            has_totp=is_mfa_enabled(user, [Authenticator.Type.TOTP]),
        )
        request.session[SESSION_KEY] = {
            "user": user.pk,
            "version": user.access_version,
            "at": time.time(),
            "agent": facts.is_support_agent,
            "totp": facts.has_totp,
        }
    return facts
