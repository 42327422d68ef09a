"""Every write to a case goes through here (STYLE.md "A service")."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from accounts.models import User
from cases import locking, transitions
from cases.events import record_event
from cases.models import Case, CaseEvent, CaseStep, Evidence, Reminder
from cases.reminders import outbox
from cases.transitions import Outcome
from providers.models import Playbook, Provider, StepKind

S = Case.Status


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
    country = case.provider.country if case.provider else ""
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
    text: str = "",
) -> Case:
    """Move a case to another status, or raise TransitionNotAllowed / CaseChanged.

    `by` is None for the system. `note` says why (what the provider asked, an agent's reason);
    `text`, a gettext_noop msgid, is the system's own reason, translated when shown.
    """
    case = Case.objects.select_for_update(of=("self",)).select_related("provider").get(pk=case.pk)
    # Who first: CaseChanged hands over the fresh case, which only its owner or an agent may see.
    role = transitions.role_of(by, case)
    if case.version != version:
        raise transitions.CaseChanged(case)
    # A cancellation certificate proves the ending at least as well as a confirmation message.
    has_confirmation = (
        to == S.COMPLETED
        and Evidence.objects.filter(
            case=case, kind__in=(Evidence.Kind.CONFIRMATION, Evidence.Kind.CERTIFICATE)
        ).exists()
    )
    transitions.check(
        case=case,
        to=to,
        role=role,
        note=note or text,
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
        text=text,
        status_from=status_from,
        status_to=to,
    )
    outbox.end_waiting_period(case=case)
    if to == S.WITHDRAWN:
        outbox.cancel_all(case=case)
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
        case.needs_action_detail = note or gettext(text)
    outbox.start_waiting_period(case=case)
    if not case.is_waiting:
        case.expected_by = None
    case.save()
    return case


# --- The customer's journey (issue 5) ---------------------------------------------------------
#
# Each service locks the case and checks the version the person saw, so two tabs (or a
# customer and an agent) never silently overwrite each other: a stale version raises
# CaseChanged and the view shows the fresh case.


@transaction.atomic
def edit_case(*, case: Case, by: User, version: int, changes: dict[str, object]) -> Case:
    """An agent's edit of a case's details or assignee (the admin's change form).

    Status and dates belong to the status machine and never pass through here.
    """
    locked = locking.lock(case, version)
    if not changes:
        return locked
    for name, value in changes.items():
        setattr(locked, name, value)
    locking.bump(locked, *changes)
    if "assigned_agent" in changes:
        record_event(
            case=locked,
            kind=CaseEvent.Kind.ASSIGNED,
            by=by,
            visibility=CaseEvent.Visibility.INTERNAL,
            text=gettext_noop("Assigned to %(agent)s in the admin."),
            params={"agent": str(locked.assigned_agent or "—")},
        )
    if fields := [name for name in changes if name != "assigned_agent"]:
        record_event(
            case=locked,
            kind=CaseEvent.Kind.DETAILS,
            by=by,
            visibility=CaseEvent.Visibility.INTERNAL,
            text=gettext_noop("Changed in the admin: %(fields)s."),
            params={"fields": ", ".join(fields)},
        )
    return locked


@transaction.atomic
def choose_provider(
    *,
    case: Case,
    by: User | None,
    version: int,
    provider: Provider | None = None,
    provider_name: str = "",
) -> Case:
    """Set the draft's provider: one from the directory, or a free-text name, never both."""
    case = locking.lock(case, version)
    if case.status != S.DRAFT:
        raise transitions.TransitionNotAllowed(
            _("The provider can only be changed before the case is saved.")
        )
    case.provider = provider
    case.provider_name = "" if provider else provider_name.strip()
    locking.bump(case, "provider", "provider_name")
    record_event(
        case=case,
        kind=CaseEvent.Kind.DETAILS,
        by=by,
        text=gettext_noop("Provider: %(name)s"),
        params={"name": case.provider_label},
    )
    return case


@transaction.atomic
def set_details(
    *,
    case: Case,
    by: User | None,
    version: int,
    phone_number: str,
    reason: str,
    reason_detail: str = "",
    device_model: str = "",
    imei: str = "",
    eid: str = "",
    iccid: str = "",
) -> Case:
    """Store the line's identifiers (already validated and normalised) and the reason."""
    case = locking.lock(case, version)
    if not case.is_open:
        raise transitions.TransitionNotAllowed(_("A closed case's details cannot be changed."))
    case.phone_number = phone_number
    case.reason = reason
    case.reason_detail = reason_detail
    case.device_model = device_model
    case.imei = imei
    case.eid = eid
    case.iccid = iccid
    locking.bump(
        case,
        "phone_number",
        "reason",
        "reason_detail",
        "device_model",
        "imei",
        "eid",
        "iccid",
    )
    # Identifiers stay out of the timeline: it is shown on screens and in emails.
    record_event(
        case=case, kind=CaseEvent.Kind.DETAILS, by=by, text=gettext_noop("Line details saved")
    )
    return case


@transaction.atomic
def prepare_case(*, case: Case, by: User, version: int) -> Case:
    """Save a signed-in customer's draft: it takes their time zone and gets its steps."""
    locked = locking.lock(case, version)
    if locked.owner_id == by.pk and locked.time_zone == "UTC" and by.time_zone != "UTC":
        locked.time_zone = by.time_zone
        locking.bump(locked, "time_zone")
    return move_case(case=locked, to=S.PREPARING, by=by, version=locked.version)


def _step_done(step: CaseStep, *, by: User | None, note: str = "", data: dict | None = None):
    step.state = CaseStep.State.DONE
    step.skip_acknowledged = False
    step.done_at = timezone.now()
    step.done_by = by
    step.note = note
    step.data = {**step.data, **(data or {})}
    step.save(update_fields=["state", "skip_acknowledged", "done_at", "done_by", "note", "data"])


@transaction.atomic
def complete_step(
    *,
    case: Case,
    step: CaseStep,
    by: User,
    version: int,
    reference: str = "",
    note: str = "",
    verification_done: bool = False,
) -> Case:
    """Mark a step (or a precaution) done; the submit step starts the wait on the provider."""
    case = locking.lock(case, version)
    step = CaseStep.objects.select_for_update().get(pk=step.pk, case=case)
    if step.kind != StepKind.CHECKLIST and case.status == S.PREPARING:
        raise transitions.TransitionNotAllowed(
            _("Go through the precautions first, then start the steps.")
        )
    if case.status in (S.DRAFT, S.WITHDRAWN):
        raise transitions.TransitionNotAllowed(_("This case is not open for steps."))
    data: dict[str, object] = {"reference": reference} if reference else {}
    if verification_done:
        data["verification_done"] = True
    _step_done(step, by=by, note=note, data=data)
    locking.bump(case)
    record_event(
        case=case,
        kind=CaseEvent.Kind.STEP,
        by=by,
        text=gettext_noop("Done: %(title)s"),
        params={"title": step.title, "title_zh_hans": step.title_zh_hans},
    )
    if step.starts_waiting and case.status in (S.IN_PROGRESS, S.NEEDS_ACTION):
        case = move_case(
            case=case,
            to=transitions.waiting_status_for(case),
            by=by,
            version=case.version,
            provider_reference=reference,
        )
    return case


@transaction.atomic
def skip_step(*, case: Case, step: CaseStep, by: User, version: int) -> Case:
    """Skip a precaution knowingly: it stays on the case as a warning."""
    case = locking.lock(case, version)
    step = CaseStep.objects.select_for_update().get(pk=step.pk, case=case)
    step.state = CaseStep.State.SKIPPED
    step.skip_acknowledged = True
    step.done_at = timezone.now()
    step.done_by = by
    step.save(update_fields=["state", "skip_acknowledged", "done_at", "done_by"])
    locking.bump(case)
    record_event(
        case=case,
        kind=CaseEvent.Kind.STEP,
        by=by,
        text=gettext_noop("Skipped, risk acknowledged: %(title)s"),
        params={"title": step.title, "title_zh_hans": step.title_zh_hans},
    )
    return case


@transaction.atomic
def start_steps(*, case: Case, by: User, version: int) -> Case:
    """Leave the precautions for the steps, once every precaution is ticked or skipped."""
    locked = locking.lock(case, version)
    if locked.steps.filter(kind=StepKind.CHECKLIST, state=CaseStep.State.TODO).exists():
        raise transitions.TransitionNotAllowed(
            _("Tick each precaution, or skip it and confirm that you understand the risk.")
        )
    return move_case(case=locked, to=S.IN_PROGRESS, by=by, version=version)


@transaction.atomic
def record_outcome(
    *, case: Case, by: User, version: int, outcome: str, reference: str = "", note: str = ""
) -> Case:
    """Apply what the customer heard from the provider (or decided) as a status move."""
    locked = locking.lock(case, version)
    if outcome == Outcome.CONFIRMED:
        locked = move_case(
            case=locked,
            to=S.COMPLETED,
            by=by,
            version=version,
            note=note,
            provider_reference=reference,
        )
        wait_step = locked.steps.filter(kind=StepKind.WAIT, state=CaseStep.State.TODO).first()
        if wait_step is not None:
            _step_done(wait_step, by=by, note=note, data={"reference": reference})
        return locked
    if outcome == Outcome.NEEDS_MORE:
        return move_case(case=locked, to=S.NEEDS_ACTION, by=by, version=version, note=note)
    if outcome == Outcome.REFUSED:
        # A refusal opens escalation (cases/escalation/), however long the case has waited.
        locked.refused_at = locked.refused_at or timezone.now()
        locking.bump(locked, "refused_at")
        return move_case(
            case=locked,
            to=S.NEEDS_ACTION,
            by=by,
            version=locked.version,
            note=note,
            text=gettext_noop("The provider refused the request."),
        )
    if outcome == Outcome.SENT_MORE:
        to = transitions.waiting_status_for(locked)
        return move_case(case=locked, to=to, by=by, version=version, note=note)
    if outcome == Outcome.GAVE_UP:
        return move_case(case=locked, to=S.WITHDRAWN, by=by, version=version, note=note)
    if outcome == Outcome.REOPEN:
        return move_case(case=locked, to=S.PREPARING, by=by, version=version, note=note)
    raise ValueError(f"Unknown outcome {outcome!r}")


@transaction.atomic
def answer_billing_check(
    *, case: Case, by: User, version: int, still_charged: bool, note: str = ""
) -> Case:
    """ "Did the latest bill still charge this line?" No: verified closed. Yes: reopened."""
    locked = locking.lock(case, version)
    if locked.status != S.COMPLETED or locked.billing_verified_at is not None:
        raise transitions.TransitionNotAllowed(_("This case has no billing check to answer."))
    if still_charged:
        return move_case(
            case=locked,
            to=S.NEEDS_ACTION,
            by=by,
            version=version,
            note=note,
            text=gettext_noop("Still charged after the provider confirmed the cancellation."),
        )
    locked.billing_verified_at = timezone.now()
    locking.bump(locked, "billing_verified_at")
    outbox.cancel_pending(case=locked, kind=Reminder.Kind.BILLING_CHECK)
    record_event(
        case=locked,
        kind=CaseEvent.Kind.BILLING,
        by=by,
        text=gettext_noop("Billing stopped: the line is verified closed."),
    )
    return locked


@transaction.atomic
def mark_profile_deleted(*, case: Case, by: User, version: int) -> Case:
    """Record that the eSIM profile was removed from the device (it does not end the contract)."""
    locked = locking.lock(case, version)
    if locked.esim_profile_deleted_at is None:
        locked.esim_profile_deleted_at = timezone.now()
        locking.bump(locked, "esim_profile_deleted_at")
        record_event(case=locked, kind=CaseEvent.Kind.PROFILE_DELETED, by=by)
    return locked


@transaction.atomic
def mark_contract_ended(*, case: Case, by: User, version: int) -> Case:
    """Record that the operator ended the contract: the fact that stops billing."""
    locked = locking.lock(case, version)
    if locked.contract_ended_at is None:
        locked.contract_ended_at = timezone.now()
        locking.bump(locked, "contract_ended_at")
        record_event(case=locked, kind=CaseEvent.Kind.CONTRACT_ENDED, by=by)
    return locked


def purge_unclaimed_drafts(*, now: dt.datetime, batch: int = 1000) -> int:
    """Delete anonymous drafts nobody claimed in UNCLAIMED_DRAFT_RETENTION_DAYS. Returns count."""
    cutoff = now - dt.timedelta(days=settings.UNCLAIMED_DRAFT_RETENTION_DAYS)
    deleted = 0
    # Small batches keep each transaction short; served by the (owner, created_at) index.
    while ids := list(
        Case.objects.unclaimed_drafts(older_than=cutoff).values_list("pk", flat=True)[:batch]
    ):
        with transaction.atomic():
            Case.objects.filter(pk__in=ids, owner__isnull=True).delete()
        deleted += len(ids)
    return deleted
