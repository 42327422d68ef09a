"""The reads of the staff dashboard, each with a fixed number of queries whatever the rows.

Queues are QuerySets served by indexes (cases/models/case.py "The staff dashboard's queues"), pages
are keyset-paged (no COUNT, no OFFSET), counts are capped and loaded after the page.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts import roles
from accounts.models import User
from cases import access, transitions
from cases.models import (
    STAFF_OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStep,
    ContactAttempt,
    Evidence,
    Reminder,
)
from cases.reminders import attention, schedule
from cases.staff import presence
from cases.staff.search import Kind, Term
from config import keyset
from providers.models import ContactChannel, ServiceKind

S = Case.Status
PAGE_SIZES = (25, 50)
COUNT_CAP = 999
CHANGES_CAP = 99
# The case page shows the newest events; the rest are a click away (timeline_page).
TIMELINE_PREVIEW = 25
TIMELINE_PAGE_SIZE = 100
COMPLETED_RECENTLY_DAYS = 7


# --- Queues ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    slug: str
    label: StrOrPromise
    default_sort: str
    help: StrOrPromise = ""


QUEUES = (
    Queue(
        "attention",
        _("Needs attention"),
        "quiet",
        _("Stalled, needs action, overdue follow-ups and failed reminders."),
    ),
    Queue("mine", _("Mine"), "activity"),
    Queue("unassigned", _("Unassigned"), "quiet"),
    Queue("review", _("Awaiting review"), "waiting"),
    Queue("operator", _("Awaiting operator"), "waiting"),
    Queue("completed", _("Completed recently"), "activity"),
    Queue("all", _("All"), "activity"),
)
QUEUES_BY_SLUG = {queue.slug: queue for queue in QUEUES}
DEFAULT_QUEUE = QUEUES[0]

# (column, newest first?) for keyset.page_by; the column is never NULL in its list.
SORTS = {
    "activity": ("last_activity_at", True),
    "quiet": ("last_activity_at", False),
    "waiting": ("waiting_since", False),
    "created": ("created_at", True),
    "oldest": ("created_at", False),
}
SORT_CHOICES = (
    ("activity", _("Latest activity first")),
    ("quiet", _("Quiet longest first")),
    ("waiting", _("Waiting longest on the provider")),
    ("created", _("Newest first")),
    ("oldest", _("Oldest first")),
)


def _open() -> QuerySet:
    # The literal list the partial indexes are conditioned on.
    return Case.objects.filter(status__in=STAFF_OPEN_STATUSES)


def _flagged() -> QuerySet:
    # case_attention_idx's own predicate: the page is read straight off that index.
    return _open().filter(Q(is_stalled=True) | Q(status=S.NEEDS_ACTION))


def _waiting_on_an_agent(*, now: dt.datetime) -> QuerySet:
    """The ids of cases with a follow-up date passed, or a reminder failed, and nothing done
    since: few rows, each found through its own partial index."""
    failed = attention.failed_reminders(now=now).values("case_id")
    follow_ups = attention.overdue_follow_ups(today=timezone.localdate(now)).values("case_id")
    return failed.union(follow_ups)


def needs_attention(*, now: dt.datetime) -> QuerySet:
    """Open cases that need a human: stalled, needs action, a follow-up date passed with
    nothing done since, a reminder that failed with nothing done since.

    As one QuerySet, for the counts and the change check; pages are read by parts
    (`queue_parts`), so their cost follows the page, not the size of the queue.
    """
    flagged = _flagged().values("id")
    return _open().filter(id__in=flagged.union(_waiting_on_an_agent(now=now)))


def queue_parts(queue: Queue, *, agent: User, now: dt.datetime) -> list[QuerySet]:
    """The queue as the QuerySets a page is merged from, each served in order by an index."""
    if queue.slug == "attention":
        return [_flagged(), _open().filter(id__in=_waiting_on_an_agent(now=now))]
    return [queue_cases(queue, agent=agent, now=now)]


def queue_cases(queue: Queue, *, agent: User, now: dt.datetime) -> QuerySet:
    match queue.slug:
        case "attention":
            return needs_attention(now=now)
        case "mine":
            return Case.objects.filter(assigned_agent=agent).exclude(status__in=_closed_or_draft())
        case "unassigned":
            return _open().filter(assigned_agent__isnull=True)
        case "review":
            return Case.objects.filter(status=S.AWAITING_REVIEW)
        case "operator":
            return Case.objects.filter(status=S.AWAITING_OPERATOR)
        case "completed":
            since = now - dt.timedelta(days=COMPLETED_RECENTLY_DAYS)
            return Case.objects.filter(
                status=S.COMPLETED, completed_at__gte=since, deleted_at__isnull=True
            )
        case _:
            # A case its customer deleted is out of every queue; a search still finds it.
            return Case.objects.exclude(status=S.DRAFT).filter(deleted_at__isnull=True)


def _closed_or_draft() -> tuple[str, ...]:
    return (S.DRAFT, *Case.CLOSED_STATUSES)


def queue_counts(*, agent: User, now: dt.datetime) -> dict[str, str]:
    """Each queue's size, capped ("999+"): a COUNT over a LIMIT subquery without ORDER BY, so
    it stops at the cap and may be answered from the index alone."""
    counts = {}
    for queue in QUEUES:
        cases = queue_cases(queue, agent=agent, now=now).order_by().values("id")
        counts[queue.slug] = capped(cases[: COUNT_CAP + 1].count(), COUNT_CAP)
    return counts


def capped(count: int, cap: int) -> str:
    return f"{cap}+" if count > cap else str(count)


# --- Search ------------------------------------------------------------------------------------


def search_parts(term: Term) -> list[QuerySet]:
    """The searches a term asks for, each one QuerySet served by its own index; the page
    reads each part on its own and merges them (keyset.page_by_parts), one query a part."""
    match term.kind:
        case Kind.REFERENCE:
            return [Case.objects.filter(reference=term.value)]
        case Kind.EMAIL:
            return [_owned_by_email_start(term.value)]
        case Kind.PHONE:
            cases = Case.objects.filter(phone_last4=term.value[-4:])
            if len(term.value) > 4:
                # Stored as E.164: a national number's trunk 0 is not in it (07700… is +447700…).
                cases = cases.filter(phone_number__endswith=term.value.lstrip("0"))
            return [cases]
        case Kind.REFERENCE_START:
            return [_reference_starts(term.reference_start)]
        case Kind.WORD:
            parts = [
                _owned_by_email_start(term.value),
                Case.objects.filter(provider_reference=term.typed),
            ]
            if term.reference_start:
                parts.append(_reference_starts(term.reference_start))
            return parts
        case Kind.PROVIDER_REFERENCE:
            return [Case.objects.filter(provider_reference=term.value)]
        case _:
            return [Case.objects.none()]


def _owned_by_email_start(prefix: str) -> QuerySet:
    # Addresses are stored lower-case; LIKE 'prefix%' on user_email_prefix_idx.
    owners = User.objects.filter(email__startswith=prefix).values("id")
    return Case.objects.filter(owner__in=owners)


def _reference_starts(start: str) -> QuerySet:
    # LIKE 'CX-4K7M%' on case_reference_prefix_idx.
    return Case.objects.filter(reference__startswith=start)


def search_cases(term: Term) -> QuerySet:
    """The cases a search term finds, as one QuerySet (the filters, the changes check)."""
    parts = search_parts(term)
    if len(parts) == 1:
        return parts[0]
    ids = parts[0].values("id").union(*(part.values("id") for part in parts[1:]))
    return Case.objects.filter(id__in=ids)


# --- The provider clock ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderClock:
    """Time the case has waited on the provider: it runs in awaiting review / operator and
    pauses while the case waits on the customer (needs action)."""

    waited: dt.timedelta
    typical_days: int
    is_running: bool
    is_paused: bool

    @property
    def waited_days(self) -> float:
        return round(self.waited.total_seconds() / 86400, 1)

    @property
    def is_overdue(self) -> bool:
        return self.waited > dt.timedelta(days=self.typical_days)

    @property
    def has_waited(self) -> bool:
        return self.waited > dt.timedelta(0)


def provider_clock(
    *, changes: list[tuple[dt.datetime, str]], status: str, typical_days: int, now: dt.datetime
) -> ProviderClock:
    """Add up the periods spent waiting on the provider from the status changes, oldest
    first, as (when, status it moved to)."""
    waited = dt.timedelta(0)
    started = None
    for when, status_to in sorted(changes, key=lambda change: change[0]):
        waiting = status_to in Case.WAITING_STATUSES
        if waiting and started is None:
            started = when
        elif not waiting and started is not None:
            waited += when - started
            started = None
    running = started is not None and status in Case.WAITING_STATUSES
    if running and started is not None:
        waited += now - started
    return ProviderClock(
        waited=max(waited, dt.timedelta(0)),
        typical_days=typical_days,
        is_running=running,
        is_paused=status == S.NEEDS_ACTION and waited > dt.timedelta(0),
    )


def status_changes(case_ids: list[int]) -> dict[int, list[tuple[dt.datetime, str]]]:
    """The status changes of several cases in one query (event_case_idx)."""
    changes = defaultdict(list)
    rows = (
        CaseEvent.objects.filter(case_id__in=case_ids, kind=CaseEvent.Kind.STATUS)
        .order_by()
        .values_list("case_id", "created_at", "status_to")
    )
    for case_id, created_at, status_to in rows:
        changes[case_id].append((created_at, status_to))
    return changes


def clock_for(case: Case, changes: list[tuple[dt.datetime, str]], now: dt.datetime):
    return provider_clock(
        changes=changes,
        status=case.status,
        typical_days=case.typical_wait_days,
        now=now,
    )


# --- The list page -----------------------------------------------------------------------------


@dataclass
class Row:
    case: Case
    clock: ProviderClock
    status_label: str
    kind_label: str
    others: list[presence.Presence] = field(default_factory=list)

    @property
    def token(self) -> str:
        """What a row's checkbox posts: the case and the version the agent saw."""
        return f"{self.case.reference}:{self.case.version}"


@dataclass
class CaseListPage:
    rows: list[Row]
    next_cursor: str
    sort: str
    since: dt.datetime


def case_list_page(
    cases: QuerySet | list[QuerySet],
    *,
    sort: str,
    cursor: str,
    size: int,
    agent: User,
    now: dt.datetime,
) -> CaseListPage:
    """One keyset page of `cases` (or of the union of its parts) with each row's provider
    clock and who else has it open: one query for the rows (one a part), one for their
    status changes, one cache read for presence."""
    column, descending = SORTS.get(sort, SORTS["activity"])
    parts = cases if isinstance(cases, list) else [cases]
    if column == "waiting_since":
        parts = [part.filter(waiting_since__isnull=False) for part in parts]
    parts = [part.select_related("provider", "assigned_agent") for part in parts]
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    found, next_cursor = keyset.page_by_parts(
        parts, field=column, descending=descending, cursor=cursor, size=size
    )
    ids = [case.pk for case in found]
    changes = status_changes(ids) if ids else {}
    others = presence.on_cases(ids, agent=agent)
    statuses = {value: str(label) for value, label in Case.Status.choices}
    kinds = {value: str(label) for value, label in ServiceKind.choices}
    rows = [
        Row(
            case=case,
            clock=clock_for(case, changes.get(case.pk, []), now),
            status_label=statuses.get(case.status, case.status),
            kind_label=kinds.get(case.service_kind, case.service_kind),
            others=others.get(case.pk, []),
        )
        for case in found
    ]
    return CaseListPage(rows=rows, next_cursor=next_cursor, sort=sort, since=now)


def changed_since(cases: QuerySet, *, since: dt.datetime) -> int:
    """How many of `cases` changed after `since`, up to one past CHANGES_CAP: the list's
    30-second check, a range on last activity."""
    changed = cases.filter(last_activity_at__gt=since).order_by().values("id")
    return changed[: CHANGES_CAP + 1].count()


def cases_by_reference(references: list[str]) -> dict[str, Case]:
    """The bulk form's selected cases, in one query."""
    found = Case.objects.filter(reference__in=references[:200])
    return {case.reference: case for case in found}


# --- The case page -----------------------------------------------------------------------------


def case_for_agent(*, ref: str, user) -> Case:
    """Everything the staff case page shows, in a fixed number of queries; 404 if unknown."""
    # The to_attr lists are declared on Case, which django-stubs reports as a redefinition.
    queryset = Case.objects.select_related(  # type: ignore[no-redef]
        "provider", "owner", "assigned_agent", "escalated_to", "inbound_address"
    ).prefetch_related(
        Prefetch(
            "steps",
            queryset=CaseStep.objects.select_related("done_by").order_by("position"),
            to_attr="step_list",
        ),
        Prefetch(
            "provider__channels",
            queryset=ContactChannel.objects.filter(is_official=True).order_by("position", "id"),
            to_attr="official_channels",
        ),
        Prefetch(
            "reminders", queryset=Reminder.objects.order_by("-due_at", "-id"), to_attr="outbox"
        ),
        Prefetch(
            "evidence",
            queryset=Evidence.objects.order_by("-uploaded_at", "-id"),
            to_attr="evidence_list",
        ),
        Prefetch(
            "contacts",
            queryset=ContactAttempt.objects.select_related("channel", "created_by").order_by(
                "-occurred_at"
            ),
            to_attr="contact_list",
        ),
    )
    # The latest proof pack's time and fingerprint, in the case's own query.
    packs = CaseEvent.objects.filter(case=OuterRef("pk"), kind=CaseEvent.Kind.PROOF_PACK).order_by(
        "-created_at", "-id"
    )
    queryset = queryset.annotate(
        latest_pack_at=Subquery(packs.values("created_at")[:1]),
        latest_pack_sha256=Subquery(
            packs.annotate(sha256=KT("text_params__sha256")).values("sha256")[:1]
        ),
    )
    case = access.case_for_agent(queryset, ref=ref, user=user)
    # A plain LIMIT query for one case, not a sliced Prefetch (a ROW_NUMBER() window over all
    # the case's events). Internal events too: agents see the whole story. One more than shown.
    case.timeline = list(
        CaseEvent.objects.filter(case=case)
        .select_related("actor")
        .order_by("-created_at", "-id")[: TIMELINE_PREVIEW + 1]
    )
    return case


def case_for_contact(*, ref: str, user) -> Case:
    """The case with its provider's official channels, for an agent logging a contact."""
    queryset = (
        Case.objects.select_related("provider")
        .prefetch_related(
            Prefetch(
                "provider__channels",
                queryset=ContactChannel.objects.filter(is_official=True).order_by("position", "id"),
                to_attr="official_channels",
            )
        )
        .exclude(status=S.DRAFT)
    )
    return access.case_for_agent(queryset, ref=ref, user=user)


def case_reference_exists(*, ref: str, user) -> Case:
    """The bare case for an action, or 404."""
    return access.case_for_agent(Case.objects.all(), ref=ref, user=user)


@dataclass(frozen=True)
class Move:
    to: str
    label: str
    needs_note: bool


def moves_for_agent(case: Case) -> list[Move]:
    """The status buttons: only moves the machine would allow an agent now."""
    targets = transitions.allowed_targets(case=case, role=transitions.Role.AGENT)
    return [
        Move(
            to=to,
            label=str(transitions.MOVES[(case.status, to)].label),
            needs_note=to == S.NEEDS_ACTION or (to == S.COMPLETED and not case.provider_reference),
        )
        for to in targets
    ]


@dataclass(frozen=True)
class Pending:
    """A reminder still to go, with when the sweep will really send it (snooze and mail
    hours applied), which may be later than the row's due time."""

    reminder: Reminder
    send_at: dt.datetime


@dataclass(frozen=True)
class Outbox:
    sent: list[Reminder]
    failed: list[Reminder]
    pending: list[Pending]

    @property
    def has_possible_duplicate(self) -> bool:
        rows = (*self.sent[:10], *(item.reminder for item in self.pending))
        return any(r.is_possible_duplicate for r in rows)


def outbox(case: Case) -> Outbox:
    """The case's reminders, from case_for_agent: sent, failed, and what is due next."""
    rows = case.outbox
    pending = [
        Pending(reminder=r, send_at=schedule.expected_send_at(r, case=case))
        for r in rows
        if r.state in (Reminder.State.SCHEDULED, Reminder.State.SENDING)
    ]
    return Outbox(
        sent=[r for r in rows if r.state == Reminder.State.SENT],
        failed=[r for r in rows if r.state == Reminder.State.FAILED],
        pending=sorted(pending, key=lambda item: item.send_at),
    )


@dataclass(frozen=True)
class TimelineLine:
    """One line of the agents' timeline, worked out once here: the template only prints it
    (reading an event's properties line by line in the template was a third of the case
    page's rendering)."""

    created_at: dt.datetime
    is_internal: bool
    is_status: bool
    heading: StrOrPromise
    detail: str
    by: str


def timeline_lines(events: list[CaseEvent]) -> list[TimelineLine]:
    actor_labels = dict(CaseEvent.Actor.choices)
    return [
        TimelineLine(
            created_at=event.created_at,
            is_internal=event.visibility == CaseEvent.Visibility.INTERNAL,
            is_status=event.kind == CaseEvent.Kind.STATUS,
            heading=event.staff_heading,
            detail=event.detail,
            by=(
                event.actor.get_short_name()
                if event.actor
                else str(actor_labels.get(event.actor_role, event.actor_role))
            ),
        )
        for event in events
    ]


def timeline_preview(case: Case) -> tuple[list[TimelineLine], bool]:
    lines = timeline_lines(case.timeline[:TIMELINE_PREVIEW])
    return lines, len(case.timeline) > TIMELINE_PREVIEW


def timeline_page(case: Case, *, cursor: str) -> tuple[list[TimelineLine], str]:
    """Every event of the case, internal ones too, newest first, a page at a time."""
    events = CaseEvent.objects.filter(case=case).select_related("actor")
    found, next_cursor = keyset.page(events, cursor=cursor, size=TIMELINE_PAGE_SIZE)
    return timeline_lines(found), next_cursor


@dataclass(frozen=True)
class LastChange:
    by: str
    at: dt.datetime | None


def last_change(case: Case) -> LastChange:
    """Who changed the case last and when: "changed by Ana at 14:02 meanwhile"."""
    event = (
        CaseEvent.objects.filter(case=case)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        return LastChange(by="", at=case.last_activity_at)
    name = event.actor.get_short_name() if event.actor else str(CaseEvent.Actor.SYSTEM.label)
    return LastChange(by=name, at=event.created_at)


def agent_choices() -> list[tuple[int, str]]:
    """(id, name) of every support agent, for "assign to": one query."""
    agents = roles.support_agents().only("id", "display_name", "email")
    return [(agent.pk, agent.get_short_name()) for agent in agents]


def agent_by_id(pk: int) -> User | None:
    return roles.support_agents().filter(pk=pk).first()
