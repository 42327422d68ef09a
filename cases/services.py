"""Every write to a case goes through here (STYLE.md "A service")."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases import reminders, transitions
from cases.models import Case, CaseEvent, CaseStep, Evidence
from providers.models import Playbook, Provider

S = Case.Status


def record_event(
    *,
    case: Case,
    kind: str,
    by: User | None,
    message: str = "",
    visibility: str = CaseEvent.Visibility.CUSTOMER,
    status_from: str = "",
    status_to: str = "",
) -> CaseEvent:
    """Append to the case's timeline; the actor's role is read from who they are."""
    if by is None:
        role = CaseEvent.Actor.SYSTEM
    else:
        role = CaseEvent.Actor.AGENT if by.is_staff else CaseEvent.Actor.CUSTOMER
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=by,
        actor_role=role,
        message=message,
        visibility=visibility,
        status_from=status_from,
        status_to=status_to,
    )


@transaction.atomic
def start_case(
    *,
    service_kind: str,
    owner: User | None = None,
    provider: Provider | None = None,
    provider_name: str = "",
    language: str = "en",
    time_zone: str = "UTC",
) -> Case:
    """Open a draft case from the first answer; anonymous until claimed at sign-in."""
    case = Case.objects.create(
        service_kind=service_kind,
        owner=owner,
        provider=provider,
        provider_name=provider_name,
        language=language,
        time_zone=time_zone,
    )
    record_event(case=case, kind=CaseEvent.Kind.CREATED, by=owner)
    return case


def playbook_for(*, provider: Provider | None, service_kind: str) -> Playbook | None:
    """The provider's own playbook for the kind, else the generic one."""
    playbooks = Playbook.objects.filter(is_active=True, service_kind=service_kind)
    own = playbooks.filter(provider=provider).first() if provider else None
    return own or playbooks.filter(provider=None).first()


def copy_playbook(*, case: Case) -> int:
    """Give the case its own copy of its playbook's steps (both languages). Returns the count."""
    if case.steps.exists():
        return 0
    playbook = playbook_for(provider=case.provider, service_kind=case.service_kind)
    if playbook is None:
        return 0
    country = case.provider.country if case.provider_id else ""
    steps = [step for step in playbook.steps.all() if not step.region or step.region == country]
    CaseStep.objects.bulk_create(
        CaseStep(
            case=case,
            position=number,
            kind=step.kind,
            title=step.title,
            title_zh_hans=step.title_zh_hans,
            instructions=step.instructions,
            instructions_zh_hans=step.instructions_zh_hans,
            evidence_kind=step.evidence_kind,
            starts_waiting=step.starts_waiting,
        )
        for number, step in enumerate(steps, start=1)
    )
    return len(steps)


@transaction.atomic
def move_case(
    *,
    case: Case,
    to: str,
    by: User | None,
    version: int,
    note: str = "",
    provider_reference: str = "",
) -> Case:
    """Move a case to another status, or raise TransitionNotAllowed / CaseChanged.

    `by` is None for the system. `note` says why (what the provider asked, an agent's reason).
    """
    case = Case.objects.select_for_update(of=("self",)).select_related("provider").get(pk=case.pk)
    if case.version != version:
        raise transitions.CaseChanged(case)
    role = transitions.role_of(by, case)
    has_confirmation = (
        to == S.COMPLETED
        and Evidence.objects.filter(case=case, kind=Evidence.Kind.CONFIRMATION).exists()
    )
    transitions.check(
        case=case,
        to=to,
        role=role,
        note=note,
        provider_reference=provider_reference,
        has_confirmation=has_confirmation,
    )
    now = timezone.now()
    status_from = case.status
    record_event(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        by=by,
        message=note,
        status_from=status_from,
        status_to=to,
    )
    reminders.end_waiting_period(case=case)
    if to == S.WITHDRAWN:
        reminders.cancel_all(case=case)
    if status_from == S.DRAFT:
        copy_playbook(case=case)
    case.status = to
    case.status_changed_at = case.last_activity_at = now
    case.version += 1
    if provider_reference:
        case.provider_reference = provider_reference
    if to in Case.WAITING_STATUSES and case.submitted_at is None:
        case.submitted_at = now
    if to == S.COMPLETED:
        case.completed_at = now
    if to == S.NEEDS_ACTION:
        case.needs_action_detail = note
    reminders.start_waiting_period(case=case)
    if not case.is_waiting:
        case.expected_by = None
    case.save()
    return case
