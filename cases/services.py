"""The writes of the customer's journey: start, answers, steps, outcomes, status moves
(STYLE.md "A service"). The other parts keep their writes in their own services.py (staff,
evidence, contacts, notices, escalation, reminders' controls); every one of them locks and
saves a case through cases/locking.py."""

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import User
from cases import locking, transitions
from cases.events import record_event
from cases.models import Case, CaseEvent, CaseStep, Evidence, ProviderSuggestion, Reminder
from cases.reminders import outbox
from cases.transitions import Outcome
from providers.models import Playbook, Provider, StepAnswer, StepKind

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
    draft_token: str = "",
) -> Case:
    """Open a draft case from the first answer; anonymous until claimed at sign-in."""
    case = Case.objects.create(
        service_kind=service_kind,
        owner=owner,
        provider=provider,
        provider_name=provider_name,
        language=language,
        time_zone=time_zone,
        draft_token=draft_token,
    )
    record_event(case=case, kind=CaseEvent.Kind.CREATED, by=owner)
    return case


# A repeat of the first answer within this time (a double click, Back then Continue) returns
# the draft already started instead of another identical one.
DRAFT_REUSE_WINDOW = dt.timedelta(minutes=30)


def _serialize(key: str) -> None:
    """Hold a transaction-long lock on `key`: concurrent starts of one visitor run one by one.

    PostgreSQL takes an advisory lock; SQLite's IMMEDIATE transactions already serialize writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def session_draft_token(*, session_key: str, service_kind: str) -> str:
    """The draft token of a session's draft for one answer: the same for a repeat of it.

    Derived with the secret key from the session's own (secret) key, so it is as unguessable
    as a random token, yet a second request of the same session finds the first one's draft.
    """
    return salted_hmac(
        "cases.start", f"{session_key}:{service_kind}", algorithm="sha256"
    ).hexdigest()[:32]


@transaction.atomic
def start_or_resume_draft(
    *,
    service_kind: str,
    owner: User | None,
    session_key: str,
    language: str = "en",
    time_zone: str = "UTC",
) -> Case:
    """The first answer: a new draft, or the one this person started with it moments ago."""
    _serialize(f"cases.start:{owner.pk if owner else session_key}")
    recent = Case.objects.filter(
        status=S.DRAFT,
        service_kind=service_kind,
        created_at__gte=timezone.now() - DRAFT_REUSE_WINDOW,
    )
    token = session_draft_token(session_key=session_key, service_kind=service_kind)
    if owner is not None:
        recent = recent.filter(owner=owner)
    else:
        recent = recent.filter(owner__isnull=True, draft_token=token)
    existing = recent.order_by("-created_at", "-id").first()
    if existing is not None:
        return existing
    return start_case(
        service_kind=service_kind,
        owner=owner,
        language=language,
        time_zone=time_zone,
        draft_token="" if owner is not None else token,
    )


@transaction.atomic
def discard_draft(*, case: Case, version: int) -> None:
    """Delete a draft its owner no longer wants; a case past the draft is withdrawn instead."""
    # Only drafts go, and the view found this one through its owner or the session's token.
    locked = locking.lock(case, version, by=None)
    if locked.status != S.DRAFT:
        raise transitions.TransitionNotAllowed(
            _("Only a draft can be discarded. To stop this case, withdraw it on its page.")
        )
    locked.delete()


def playbook_for(*, provider: Provider | None, service_kind: str) -> Playbook | None:
    """The provider's own playbook for the kind, else the generic one."""
    playbooks = Playbook.objects.filter(is_active=True, service_kind=service_kind)
    own = playbooks.filter(provider=provider).first() if provider else None
    return own or playbooks.filter(provider=None).first()


def case_answers(case: Case) -> set[str]:
    """The answers given so far that can make a playbook step moot (PlaybookStep.hidden_when)."""
    answers: set[str] = set()
    if case.number_can_go:
        answers.add(StepAnswer.NUMBER_CAN_GO)
    if case.reason == Case.Reason.DEVICE_LOST:
        answers.add(StepAnswer.DEVICE_LOST)
    return answers


def copy_playbook(*, case: Case) -> int:
    """Give the case its own copy of its playbook's steps (both languages). Returns the count."""
    if case.steps.exists():
        return 0
    playbook = playbook_for(provider=case.provider, service_kind=case.service_kind)
    if playbook is None:
        return 0
    country = case.provider.country if case.provider else ""
    answers = case_answers(case)
    steps = [
        step
        for step in playbook.steps.all()
        if (not step.region or step.region == country) and not answers & set(step.hidden_when)
    ]
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
    # Who first: CaseChanged hands over the fresh case, which only its owner or an agent may see.
    case = locking.lock(case, version, by=by, check=lambda locked: transitions.role_of(by, locked))
    role = transitions.role_of(by, case)
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
    # The new period's reminders follow from the new status and dates: set them first.
    case.status = to
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
    locking.update(case, status_changed_at=now, last_activity_at=now)
    return case


# --- The customer's journey -------------------------------------------------------------------
#
# Each service locks the case and checks the version the person saw, so two tabs (or a
# customer and an agent) never silently overwrite each other: a stale version raises
# CaseChanged and the view shows the fresh case.


@transaction.atomic
def edit_case(*, case: Case, by: User, version: int, changes: dict[str, object]) -> Case:
    """An agent's edit of a case's details or assignee (the admin's change form).

    Status and dates belong to the status machine and never pass through here.
    """
    locked = locking.lock(case, version, by=by)
    if not changes:
        return locked
    locking.update(locked, **changes)
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


# While a case is being prepared its answers may still change; the steps follow them.
CHANGEABLE_STATUSES = (S.DRAFT, S.PREPARING)


def rebuild_steps(*, case: Case) -> None:
    """Give a preparing case the steps its answers now call for, keeping what is done.

    A step of the new copy with the kind and title of one already done or skipped keeps that
    state (a precaution ticked before the provider changed stays ticked).
    """
    kept = {(step.kind, step.title): step for step in case.steps.exclude(state=CaseStep.State.TODO)}
    case.steps.all().delete()
    copy_playbook(case=case)
    for step in case.steps.all():
        old = kept.get((step.kind, step.title))
        if old is None:
            continue
        for name in ("state", "skip_acknowledged", "done_at", "done_by", "note", "data"):
            setattr(step, name, getattr(old, name))
        step.save()


def _label_in(label, language: str) -> str:
    with translation.override(language):
        return str(label())


def _check_changeable(case: Case) -> None:
    if case.status not in CHANGEABLE_STATUSES:
        raise transitions.TransitionNotAllowed(
            _("This can only be changed until you start the steps.")
        )


@transaction.atomic
def change_service_kind(*, case: Case, by: User | None, version: int, service_kind: str) -> Case:
    """Change what is being cancelled, until the steps start; the steps follow."""
    case = locking.lock(case, version, by=by)
    _check_changeable(case)
    if case.service_kind == service_kind:
        return case
    locking.update(case, service_kind=service_kind)
    ProviderSuggestion.objects.filter(case=case, resolved_at__isnull=True).update(
        service_kind=service_kind
    )
    record_event(
        case=case,
        kind=CaseEvent.Kind.DETAILS,
        by=by,
        text=gettext_noop("Cancelling: %(kind)s"),
        params={
            "kind": _label_in(case.get_service_kind_display, "en"),
            "kind_zh_hans": _label_in(case.get_service_kind_display, "zh-hans"),
        },
    )
    if case.status == S.PREPARING:
        rebuild_steps(case=case)
    return case


@transaction.atomic
def choose_provider(
    *,
    case: Case,
    by: User | None,
    version: int,
    provider: Provider | None = None,
    provider_name: str = "",
    country: str = "",
    website: str = "",
) -> Case:
    """Set the case's provider: one from the directory, or a free-text name, never both.

    A named one (with its country and website) is also the case's suggestion for the agents'
    queue of suggested providers; choosing one from the directory withdraws it.
    """
    case = locking.lock(case, version, by=by)
    if case.status not in CHANGEABLE_STATUSES:
        raise transitions.TransitionNotAllowed(
            _("The provider can only be changed until you start the steps.")
        )
    locking.update(case, provider=provider, provider_name="" if provider else provider_name.strip())
    if provider is not None:
        ProviderSuggestion.objects.filter(case=case, resolved_at__isnull=True).delete()
    elif country:
        ProviderSuggestion.objects.update_or_create(
            case=case,
            defaults={
                "name": case.provider_name,
                "country": country,
                "service_kind": case.service_kind,
                "website": website,
                "resolved_at": None,
                "resolved_by": None,
                "provider": None,
            },
        )
    record_event(
        case=case,
        kind=CaseEvent.Kind.DETAILS,
        by=by,
        text=gettext_noop("Provider: %(name)s"),
        params={
            "name": provider.name if provider else case.provider_name,
            "name_zh_hans": provider.name_zh if provider else "",
        },
    )
    if case.status == S.PREPARING:
        rebuild_steps(case=case)
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
    case = locking.lock(case, version, by=by)
    if not case.is_open:
        raise transitions.TransitionNotAllowed(_("A closed case's details cannot be changed."))
    answers_before = case_answers(case)
    locking.update(
        case,
        phone_number=phone_number,
        reason=reason,
        reason_detail=reason_detail,
        device_model=device_model,
        imei=imei,
        eid=eid,
        iccid=iccid,
    )
    # Identifiers stay out of the timeline: it is shown on screens and in emails.
    record_event(
        case=case, kind=CaseEvent.Kind.DETAILS, by=by, text=gettext_noop("Line details saved")
    )
    if case.status == S.PREPARING and case_answers(case) != answers_before:
        rebuild_steps(case=case)
    return case


@transaction.atomic
def answer_keep_number(*, case: Case, by: User | None, version: int, keep: bool) -> Case:
    """ "Keep the number?" Yes points to porting; no lets the number go with the line."""
    case = locking.lock(case, version, by=by)
    _check_changeable(case)
    if case.number_can_go == (not keep):
        return case
    locking.update(case, number_can_go=not keep)
    text = (
        gettext_noop("Keeping the number: looking at moving it instead.")
        if keep
        else gettext_noop("The number can go with the line.")
    )
    record_event(case=case, kind=CaseEvent.Kind.DETAILS, by=by, text=text)
    if case.status == S.PREPARING:
        rebuild_steps(case=case)
    return case


@transaction.atomic
def prepare_case(*, case: Case, by: User, version: int, time_zone: str = "") -> Case:
    """Save a signed-in customer's draft: it gets its steps and a time zone.

    `time_zone` is the one the person confirmed (reminder hours follow it); it is kept in
    their preferences too. Without one, the case takes the account's zone.
    """
    locked = locking.lock(case, version, by=by)
    if locked.owner_id == by.pk:
        zone = time_zone or (by.time_zone if locked.time_zone == "UTC" else "")
        if zone and zone != locked.time_zone:
            locking.update(locked, time_zone=zone)
        if time_zone:
            account_services.remember_time_zone(user=by, time_zone=time_zone)
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
    case = locking.lock(case, version, by=by)
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
    locking.update(case)
    record_event(
        case=case,
        kind=CaseEvent.Kind.STEP,
        by=by,
        message=note,
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
    case = locking.lock(case, version, by=by)
    step = CaseStep.objects.select_for_update().get(pk=step.pk, case=case)
    step.state = CaseStep.State.SKIPPED
    step.skip_acknowledged = True
    step.done_at = timezone.now()
    step.done_by = by
    step.save(update_fields=["state", "skip_acknowledged", "done_at", "done_by"])
    locking.update(case)
    record_event(
        case=case,
        kind=CaseEvent.Kind.STEP,
        by=by,
        text=gettext_noop("Skipped, risk acknowledged: %(title)s"),
        params={"title": step.title, "title_zh_hans": step.title_zh_hans},
    )
    return case


@transaction.atomic
def undo_step(*, case: Case, step: CaseStep, by: User, version: int) -> Case:
    """Put a precaution marked done or skipped back to do (a mis-tap, or second thoughts)."""
    case = locking.lock(case, version, by=by)
    step = CaseStep.objects.select_for_update().get(pk=step.pk, case=case)
    if step.kind != StepKind.CHECKLIST or case.status in (S.DRAFT, *Case.CLOSED_STATUSES):
        raise transitions.TransitionNotAllowed(_("This precaution cannot be undone now."))
    if step.state == CaseStep.State.TODO:
        return case
    step.state = CaseStep.State.TODO
    step.skip_acknowledged = False
    step.done_at = None
    step.done_by = None
    step.save(update_fields=["state", "skip_acknowledged", "done_at", "done_by"])
    locking.update(case)
    record_event(
        case=case,
        kind=CaseEvent.Kind.STEP,
        by=by,
        text=gettext_noop("Undone: %(title)s"),
        params={"title": step.title, "title_zh_hans": step.title_zh_hans},
    )
    return case


@transaction.atomic
def start_steps(*, case: Case, by: User, version: int) -> Case:
    """Leave the precautions for the steps, once every precaution is ticked or skipped."""
    locked = locking.lock(case, version, by=by)
    if locked.steps.filter(kind=StepKind.CHECKLIST, state=CaseStep.State.TODO).exists():
        raise transitions.TransitionNotAllowed(
            _("Mark each precaution done, or skip it and confirm that you understand the risk.")
        )
    return move_case(case=locked, to=S.IN_PROGRESS, by=by, version=version)


def _keep_other_reference(case: Case, reference: str) -> None:
    """A reference given with an outcome other than "confirmed": kept beside the others."""
    step = (
        case.steps.filter(kind=StepKind.WAIT).first()
        or case.steps.filter(starts_waiting=True).first()
    )
    if step is None:
        return
    others = [*step.data.get("other_references", []), reference]
    step.data = {**step.data, "other_references": others}
    step.save(update_fields=["data"])


@transaction.atomic
def record_outcome(
    *, case: Case, by: User, version: int, outcome: str, reference: str = "", note: str = ""
) -> Case:
    """Apply what the customer heard from the provider (or decided) as a status move."""
    locked = locking.lock(case, version, by=by)
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
        if locked.is_operator_journey and locked.contract_ended_at is None:
            # The operator confirming the cancellation is the contract's end: one fact, one
            # answer (the profile on the phone is the other fact, recorded on its own).
            locking.update(locked, contract_ended_at=timezone.now())
            record_event(case=locked, kind=CaseEvent.Kind.CONTRACT_ENDED, by=by)
        return locked
    if reference:
        _keep_other_reference(locked, reference)
    if outcome == Outcome.NEEDS_MORE:
        return move_case(case=locked, to=S.NEEDS_ACTION, by=by, version=version, note=note)
    if outcome == Outcome.REFUSED:
        # A refusal opens escalation (cases/escalation/), however long the case has waited.
        locking.update(locked, refused_at=locked.refused_at or timezone.now())
        locked = move_case(
            case=locked,
            to=S.NEEDS_ACTION,
            by=by,
            version=locked.version,
            note=note,
            text=gettext_noop("The provider refused the request."),
        )
        # Stamped with the move itself: Case.is_refused tells this needs-action from "they
        # need more", and the detail is what the customer said of the refusal.
        locking.update_keeping_version(
            locked, refused_at=locked.status_changed_at, needs_action_detail=note
        )
        return locked
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
    locked = locking.lock(case, version, by=by)
    if locked.status != S.COMPLETED or locked.billing_verified_at is not None:
        raise transitions.TransitionNotAllowed(_("This case has no billing check to answer."))
    if still_charged:
        locked = move_case(
            case=locked,
            to=S.NEEDS_ACTION,
            by=by,
            version=version,
            note=note,
            text=gettext_noop("Still charged after the provider confirmed the cancellation."),
        )
        # The page says "still charged" in the reader's language; the detail is only what the
        # customer wrote of the bill (the event keeps the sentence for the timeline).
        locking.update_keeping_version(locked, needs_action_detail=note)
        return locked
    locking.update(locked, billing_verified_at=timezone.now())
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
    locked = locking.lock(case, version, by=by)
    if locked.esim_profile_deleted_at is None:
        locking.update(locked, esim_profile_deleted_at=timezone.now())
        record_event(case=locked, kind=CaseEvent.Kind.PROFILE_DELETED, by=by)
    return locked


@transaction.atomic
def unmark_profile_deleted(*, case: Case, by: User, version: int) -> Case:
    """Undo "I deleted the eSIM profile": it was marked by mistake, the profile is still there."""
    locked = locking.lock(case, version, by=by)
    if locked.esim_profile_deleted_at is not None:
        locking.update(locked, esim_profile_deleted_at=None)
        record_event(
            case=locked,
            kind=CaseEvent.Kind.PROFILE_DELETED,
            by=by,
            text=gettext_noop("Undone: the eSIM profile is still on the phone."),
        )
    return locked


@transaction.atomic
def mark_contract_ended(*, case: Case, by: User, version: int) -> Case:
    """Record that the operator ended the contract: the fact that stops billing."""
    locked = locking.lock(case, version, by=by)
    if locked.contract_ended_at is None:
        locking.update(locked, contract_ended_at=timezone.now())
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
