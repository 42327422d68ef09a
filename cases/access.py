"""Who may see or act on a case's objects: decided here, and only here.

The rule: the case's owner, or an agent (accounts.roles.can_use_staff_dashboard) whose
session passed the second factor when STAFF_MFA_REQUIRED. Never staff outside the agents'
group, whatever Django's admin lets them do; never a session that gave a password and
stopped before the code. Staff status on its own opens nothing here.

Every view looks its case, file or pack up through one lookup per audience (healthchecks'
`_get_check_for_user` / `_get_rw_check_for_user`): `case_for_owner` for the customer's pages,
`case_for_agent` for the staff dashboard, `case_for_owner_or_agent` and
`evidence_for_owner_or_agent` for what both share. Every service that writes a case checks
its `by` with `check_can_act` (locking.lock does it under the lock), so a view that forgot
would still be refused.

A refused person gets what /staff/ gives them: a staff session still owing the second factor
is sent to it (SecondFactorRequired, answered by accounts.middleware), anyone else a 404,
the same whether the object exists or not.
"""

from collections.abc import Iterable
from typing import NoReturn

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import roles
from accounts.middleware import SecondFactorRequired
from accounts.models import User
from cases.models import Case, Evidence


class AccessDenied(PermissionDenied):
    """A service was asked to act for someone the rule refuses (a 403 if it reaches a view)."""


def _person(user) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def is_cleared_agent(user) -> bool:
    """An agent whose session passed the second factor (when it is required): sees every case."""
    person = _person(user)
    return (
        person is not None
        and roles.can_use_staff_dashboard(person)
        and roles.passed_second_factor(person)
    )


def is_owner(user, case: Case) -> bool:
    person = _person(user)
    return person is not None and case.owner_id is not None and case.owner_id == person.pk


def can_act_on_case(user, case: Case) -> bool:
    """The rule: the case's owner, or a cleared agent."""
    return is_owner(user, case) or is_cleared_agent(user)


def check_can_act(*, by: User | None, case: Case) -> None:
    """For services: raise AccessDenied unless `by` may act on `case`.

    `by=None` is the system (a task, a signed link) or the anonymous holder of an unclaimed
    draft, whose draft token the view's lookup checked; an unclaimed draft has no owner to
    compare with, so anyone the lookup let through may work on it.
    """
    if by is None or (case.owner_id is None and case.status == Case.Status.DRAFT):
        return
    if not can_act_on_case(by, case):
        raise AccessDenied("Only the case's owner or an agent may act on it.")


def owes_second_factor(user) -> bool:
    """A staff session (password sign-in) that has not passed the second factor it needs."""
    person = _person(user)
    return (
        person is not None
        and roles.signs_in_with_password(person)
        and not roles.passed_second_factor(person)
    )


def refuse(user) -> NoReturn:
    """The answer to anyone the rule refuses, the same as /staff/ gives them."""
    if owes_second_factor(user):
        raise SecondFactorRequired
    raise Http404


def check_second_factor(user) -> None:
    """For a page that shows case data without a case lookup (the calendar page): a staff
    session still owing the second factor is sent to it first."""
    if owes_second_factor(user):
        raise SecondFactorRequired


def may_follow_agent_feed(user) -> bool:
    """Whether an agent's calendar feed (the dates of the cases assigned to them) may answer.

    A calendar app sends no session, only the feed's secret: the feed answers while the agent
    could pass the second factor, that is while they have one enrolled when it is required.
    Its address was only ever shown to a session that passed it (`check_second_factor`).
    """
    if not roles.can_use_staff_dashboard(user):
        return False
    return not settings.STAFF_MFA_REQUIRED or is_mfa_enabled(user, [Authenticator.Type.TOTP])


def check_agent(user) -> None:
    """The staff dashboard's door: a cleared agent, or the second-factor step, or 403."""
    if is_cleared_agent(user):
        return
    if owes_second_factor(user):
        raise SecondFactorRequired
    raise PermissionDenied


# --- The lookups, one per audience -----------------------------------------------------------


def _one(found: QuerySet):
    """The one row a unique reference or id finds, or None: no ORDER BY, which .first() adds
    (the case's wide joined row was sorted for nothing)."""
    return next(iter(found.order_by()[:1]), None)


def owned(user, draft_tokens: Iterable[str] = ()) -> Q:
    """The cases `user` owns, and unclaimed drafts whose token this session holds."""
    tokens = [token for token in draft_tokens if token]
    person = _person(user)
    mine = Q(owner=person) if person is not None else Q(pk__in=[])
    if tokens:
        mine |= Q(owner__isnull=True, draft_token__in=tokens)
    return mine


def case_for_owner(
    queryset: QuerySet[Case], *, ref: str, user, draft_tokens: Iterable[str] = ()
) -> Case:
    """The customer's pages: their own case (or the draft this session holds), else refused."""
    case = _one(queryset.filter(owned(user, draft_tokens), reference=ref.upper()))
    if case is None:
        refuse(user)
    return case


def case_for_agent(queryset: QuerySet[Case], *, ref: str, user) -> Case:
    """The staff dashboard: any case, for a cleared agent only."""
    check_agent(user)
    case = _one(queryset.filter(reference=ref.upper()))
    if case is None:
        raise Http404
    return case


def case_for_owner_or_agent(
    *, ref: str, user, queryset: QuerySet[Case] | None = None, drafts: bool = False
) -> Case:
    """What owner and agents share (files, proof packs): the owner's case, or any for an agent.

    Drafts are left out unless asked for: a draft has no files yet.
    """
    cases = queryset if queryset is not None else Case.objects.select_related("provider")
    cases = cases.filter(reference=ref.upper())
    if not drafts:
        cases = cases.exclude(status=Case.Status.DRAFT)
    person = _person(user)
    if person is None:
        raise Http404
    if not is_cleared_agent(person):
        cases = cases.filter(owner=person)
    case = _one(cases)
    if case is None:
        refuse(person)
    return case


def evidence_for_owner_or_agent(*, pk: int, user) -> Evidence:
    """One file, for its case's owner or a cleared agent; refused for anyone else."""
    person = _person(user)
    if person is None:
        raise Http404
    found = Evidence.objects.select_related("case", "case__provider").filter(pk=pk)
    if not is_cleared_agent(person):
        found = found.filter(case__owner=person)
    evidence = _one(found)
    if evidence is None:
        refuse(person)
    return evidence
