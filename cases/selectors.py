"""The reads the customer's pages need, each with a fixed number of queries."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cases import access
from cases.models import Case, CaseEvent, CaseStep, ProviderSuggestion, Reminder
from config import keyset
from providers.models import ContactChannel, Provider, ServiceKind, StepKind

PROVIDER_RESULTS_LIMIT = 20
MY_CASES_PAGE_SIZE = 20
# The case page shows the newest events; the timeline page pages through all of them.
TIMELINE_PREVIEW = 20
TIMELINE_PAGE_SIZE = 50


def _owned(queryset: QuerySet, *, ref: str, user, draft_tokens: Iterable[str]) -> Case:
    """The case `ref` if `user` owns it, or it is an unclaimed draft whose token they hold.

    The same answer whether the case does not exist or is someone else's (cases/access.py).
    """
    return access.case_for_owner(queryset, ref=ref, user=user, draft_tokens=draft_tokens)


def case_for_owner(*, ref: str, user, draft_tokens: Iterable[str] = ()) -> Case:
    """The case behind a customer URL, with its provider; 404 for anyone but its owner."""
    return _owned(
        Case.objects.select_related("provider"), ref=ref, user=user, draft_tokens=draft_tokens
    )


def case_with_steps(*, ref: str, user, draft_tokens: Iterable[str] = ()) -> Case:
    """The case, its steps and the provider's official channels (for the step pages)."""
    # The to_attr lists are declared on the models (Case.step_list, ...), which django-stubs
    # reports as a redefinition.
    queryset = Case.objects.select_related("provider").prefetch_related(  # type: ignore[no-redef]
        Prefetch("steps", queryset=CaseStep.objects.order_by("position"), to_attr="step_list"),
        Prefetch(
            "provider__channels",
            queryset=ContactChannel.objects.filter(is_official=True).order_by("position", "id"),
            to_attr="official_channels",
        ),
    )
    return _owned(queryset, ref=ref, user=user, draft_tokens=draft_tokens)


def case_page(*, ref: str, user, draft_tokens: Iterable[str] = ()) -> Case:
    """Everything the case page shows: steps, channels, customer timeline, billing check."""
    # The to_attr lists are declared on the models (Case.step_list, ...), which django-stubs
    # reports as a redefinition.
    queryset = Case.objects.select_related(
        "provider", "escalated_to", "inbound_address"
    ).prefetch_related(  # type: ignore[no-redef]
        Prefetch("steps", queryset=CaseStep.objects.order_by("position"), to_attr="step_list"),
        Prefetch(
            "provider__channels",
            queryset=ContactChannel.objects.filter(is_official=True).order_by("position", "id"),
            to_attr="official_channels",
        ),
        Prefetch(
            "reminders",
            queryset=Reminder.objects.filter(kind=Reminder.Kind.BILLING_CHECK).order_by("due_at"),
            to_attr="billing_checks",
        ),
    )
    case = _owned(queryset, ref=ref, user=user, draft_tokens=draft_tokens)
    # A plain LIMIT query for one case: a sliced Prefetch compiles a ROW_NUMBER() window over
    # the case's events, which costs more in SQL and in query building. One more than shown,
    # to know whether "the whole timeline" has more.
    case.timeline = list(
        customer_events().filter(case=case).order_by("-created_at", "-id")[: TIMELINE_PREVIEW + 1]
    )
    return case


def customer_events() -> QuerySet:
    # Internal notes never reach the customer.
    return CaseEvent.objects.filter(visibility=CaseEvent.Visibility.CUSTOMER)


def timeline_preview(case: Case) -> tuple[list[CaseEvent], bool]:
    """The newest events of a case loaded by case_page, and whether there are older ones."""
    return case.timeline[:TIMELINE_PREVIEW], len(case.timeline) > TIMELINE_PREVIEW


def timeline_page(case: Case, *, cursor: str = "") -> tuple[list[CaseEvent], str]:
    """One page of the case's customer timeline, newest first, and the next page's cursor."""
    return keyset.page(customer_events().filter(case=case), cursor=cursor, size=TIMELINE_PAGE_SIZE)


def checklist(case: Case) -> list[CaseStep]:
    """The precautions, from a case loaded by case_with_steps / case_page."""
    return [step for step in case.step_list if step.kind == StepKind.CHECKLIST]


def action_steps(case: Case) -> list[CaseStep]:
    """The numbered steps ("step 3 of 7"): everything that is not a precaution."""
    return [step for step in case.step_list if step.kind != StepKind.CHECKLIST]


def step(*, case: Case, number: int) -> CaseStep:
    """Step `number` (from 1) of the case's numbered steps, or 404."""
    steps = action_steps(case)
    if not 1 <= number <= len(steps):
        raise Http404
    return steps[number - 1]


def channels(case: Case) -> list[ContactChannel]:
    return getattr(case.provider, "official_channels", []) if case.provider_id else []


@dataclass(frozen=True)
class Waiting:
    """How the wait on the provider compares with its typical time."""

    waited_days: int
    typical_days: int
    expected_by: dt.datetime | None
    is_overdue: bool


def waiting(case: Case, *, now: dt.datetime | None = None) -> Waiting | None:
    if not case.is_waiting:
        return None
    now = now or timezone.now()
    since = case.waiting_since or case.status_changed_at
    waited = max((now - since).days, 0)
    typical = case.typical_wait_days
    return Waiting(
        waited_days=waited,
        typical_days=typical,
        expected_by=case.expected_by,
        is_overdue=bool(case.expected_by and now > case.expected_by),
    )


def billing_check_due(case: Case, *, now: dt.datetime | None = None) -> bool:
    """A completed case asks "still charged?" once its billing cycle has passed."""
    if case.status != Case.Status.COMPLETED or case.billing_verified_at is not None:
        return False
    now = now or timezone.now()
    if any(reminder.due_at <= now for reminder in case.billing_checks):
        return True
    cycle = dt.timedelta(days=settings.BILLING_CYCLE_DAYS)
    return bool(case.completed_at and case.completed_at <= now - cycle)


# Beside a provider whose kinds we have not checked, under the kind the case is about.
UNCHECKED_NOTES = {
    ServiceKind.ESIM: _(
        "We have not checked its eSIM yet: choose it if your eSIM is with this network."
    ),
    ServiceKind.PHYSICAL_SIM: _(
        "We have not checked its SIM cards yet: choose it if your SIM card is from this network."
    ),
    ServiceKind.VIRTUAL: _(
        "We have not checked its virtual SIMs or numbers yet: choose it if your virtual number "
        "is from this provider."
    ),
}


@dataclass(frozen=True)
class ProviderChoice:
    """A provider the customer may pick, with the note shown when its kind is not checked."""

    provider: Provider
    note: StrOrPromise = ""


@dataclass(frozen=True)
class ProviderResults:
    choices: list[ProviderChoice]
    # More providers match than are shown: typing more of the name narrows them.
    has_more: bool


def provider_search(*, query: str, service_kind: str = "") -> ProviderResults:
    """Active providers any of whose names or aliases contain `query` (all if empty), in one
    query: for a service kind, those known to offer it, then those whose kinds we have not
    checked, each with a note; a provider checked not to offer the kind is left out."""
    providers = Provider.objects.active().matching(query)
    if service_kind:
        providers = providers.offering(service_kind, unchecked_too=True)
    else:
        providers = providers.by_name()
    found = list(providers[: PROVIDER_RESULTS_LIMIT + 1])
    choices = [
        ProviderChoice(
            provider=provider,
            note=UNCHECKED_NOTES[ServiceKind(service_kind)]
            if service_kind and provider.is_unchecked_for(service_kind)
            else "",
        )
        for provider in found[:PROVIDER_RESULTS_LIMIT]
    ]
    return ProviderResults(choices=choices, has_more=len(found) > PROVIDER_RESULTS_LIMIT)


def provider_answer(case: Case) -> dict[str, str]:
    """What the "not listed" form shows again: the name typed, with its country and website."""
    answer = {"provider_name": case.provider_name}
    if case.provider_name:
        suggestion = ProviderSuggestion.objects.filter(case=case).first()
        if suggestion is not None:
            answer.update(country=suggestion.country, website=suggestion.website)
    return answer


def active_provider(pk: int | str) -> Provider | None:
    return Provider.objects.active().filter(pk=pk).first()


def next_step(case: Case) -> tuple[int, CaseStep] | None:
    """The first numbered step still to do, with its number, or None."""
    for number, item in enumerate(action_steps(case), start=1):
        if item.state == CaseStep.State.TODO:
            return number, item
    return None


def step_number(case: Case, item: CaseStep) -> int:
    return next(n for n, s in enumerate(action_steps(case), start=1) if s.pk == item.pk)


@dataclass(frozen=True)
class MyCasesPage:
    cases: list[Case]
    next_cursor: str


def my_cases(*, user, cursor: str = "", size: int = MY_CASES_PAGE_SIZE) -> MyCasesPage:
    """One page of the user's cases, newest first, by keyset on (created_at, id): one query."""
    cases = Case.objects.filter(access.owned(user)).select_related("provider")
    rows, next_cursor = keyset.page(cases, cursor=cursor, size=size)
    return MyCasesPage(cases=rows, next_cursor=next_cursor)


@dataclass(frozen=True)
class Reference:
    """A number the provider gave, with what it is: the request's, the confirmation's, other."""

    kind: str
    value: str

    LABELS = {
        "request": _("Request reference"),
        "confirmation": _("Confirmation reference"),
        "other": _("Other reference"),
    }

    @property
    def label(self) -> StrOrPromise:
        return self.LABELS[self.kind]


def references(case: Case) -> list[Reference]:
    """Every reference on a case loaded with its steps, oldest first, none lost to a newer one.

    The submit step keeps the request's, the wait step the confirmation's, and a reference
    given with another outcome is kept beside them; the case's provider_reference (the latest,
    or one an agent typed) is listed if it is none of those.
    """
    found: list[Reference] = []
    for item in case.step_list:
        value = (item.data.get("reference") or "").strip()
        if value:
            if item.starts_waiting:
                kind = "request"
            elif item.kind == StepKind.WAIT:
                kind = "confirmation"
            else:
                kind = "other"
            found.append(Reference(kind=kind, value=value))
        found.extend(
            Reference(kind="other", value=other) for other in item.data.get("other_references", [])
        )
    latest = case.provider_reference.strip()
    if latest and latest not in {ref.value for ref in found}:
        kind = "confirmation" if case.status == Case.Status.COMPLETED else "other"
        found.append(Reference(kind=kind, value=latest))
    return found


@dataclass(frozen=True)
class CaseProgress:
    """What the case page shows of a case loaded by case_page: its steps and where it stands."""

    steps: list[CaseStep]
    steps_done: int
    checklist: list[CaseStep]
    precautions_todo: int
    skipped: list[CaseStep]
    next_step: tuple[int, CaseStep] | None
    channels: list[ContactChannel]
    waiting: Waiting | None
    billing_due: bool
    is_esim: bool
    timeline: list[CaseEvent]
    timeline_has_more: bool
    references: list[Reference]


def case_progress(case: Case, *, now: dt.datetime | None = None) -> CaseProgress:
    steps, todo = action_steps(case), CaseStep.State.TODO
    precautions = checklist(case)
    timeline, has_more = timeline_preview(case)
    return CaseProgress(
        steps=steps,
        steps_done=sum(1 for item in steps if item.state != todo),
        checklist=precautions,
        precautions_todo=sum(1 for item in precautions if item.state == todo),
        skipped=[item for item in precautions if item.state == CaseStep.State.SKIPPED],
        next_step=next_step(case),
        channels=channels(case),
        waiting=waiting(case, now=now),
        billing_due=billing_check_due(case, now=now),
        is_esim=case.service_kind == ServiceKind.ESIM,
        timeline=timeline,
        timeline_has_more=has_more,
        references=references(case),
    )


@dataclass(frozen=True)
class StepPage:
    """One numbered step of a case loaded by case_with_steps, with what its page shows."""

    step: CaseStep
    number: int
    total: int
    channels: list[ContactChannel]
    precautions_todo: int
    # The eSIM step after the operator's confirmation is where the profile may go.
    is_profile_step: bool


def step_page(case: Case, *, number: int) -> StepPage:
    """Step `number` (from 1) and its page's facts, or 404."""
    item = step(case=case, number=number)
    steps = action_steps(case)
    wait_positions = [s.position for s in steps if s.kind == StepKind.WAIT]
    return StepPage(
        step=item,
        number=number,
        total=len(steps),
        channels=channels(case),
        precautions_todo=sum(1 for s in checklist(case) if s.state == CaseStep.State.TODO),
        is_profile_step=case.service_kind == ServiceKind.ESIM
        and bool(wait_positions)
        and item.position > wait_positions[0],
    )
