"""The staff dashboard's pages: the case list (queues, filters, search), the case page and the
agents' actions. Every view passes agent_page first; reads go through selectors, writes
through services. Every form works as a plain POST (post/redirect/get); HTMX only enhances.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import once, services
from cases.contacts import selectors as contact_selectors
from cases.contacts.views import contact_page
from cases.inbound import selectors as inbound_selectors
from cases.models import Case
from cases.reminders import controls, heartbeat, schedule
from cases.staff import directory, presence, search, selectors
from cases.staff import services as staff_services
from cases.staff.access import agent_page
from cases.staff.filters import CaseFilter
from cases.staff.forms import (
    AssignForm,
    BulkForm,
    ChannelForm,
    MessageForm,
    MoveForm,
    NoteForm,
    RemindersForm,
)
from cases.transitions import CaseChanged, TransitionNotAllowed
from config.http import AuthenticatedHttpRequest, go
from config.spreadsheet import csv_writer
from providers import services as provider_services

LIST_TEMPLATE = "staff/list.html"
CASE_TEMPLATE = "staff/case.html"
# Query parameters that are the list's own, not filters: kept apart when building links.
LIST_STATE = ("queue", "q", "after")


def _list_url() -> str:
    return reverse("staff:case_list")


def _case_url(ref: str) -> str:
    return reverse("staff:case_detail", kwargs={"ref": ref})


def _reminder_health(
    request: AuthenticatedHttpRequest, *, now: dt.datetime
) -> heartbeat.ReminderHealth | None:
    """Whether reminders go out, for the warning atop the full pages (one query); htmx fragments
    swap only their part of the page, so they skip it."""
    return None if request.htmx else heartbeat.reminder_health(now=now)


# --- The list ----------------------------------------------------------------------------------


def _list_state(request: AuthenticatedHttpRequest) -> dict:
    """What the list shows, from the URL alone: queue or search, filters, sort, page."""
    now = timezone.now()
    queue = selectors.QUEUES_BY_SLUG.get(request.GET.get("queue", ""), selectors.DEFAULT_QUEUE)
    typed = request.GET.get("q", "").strip()
    term = search.parse(typed) if typed else None
    if term is not None:
        cases = selectors.search_cases(term)
        default_sort = "activity"
    else:
        cases = selectors.queue_cases(queue, agent=request.user, now=now)
        default_sort = queue.default_sort
    data = request.GET.copy()
    data.setdefault("sort", default_sort)
    data.setdefault("size", str(selectors.PAGE_SIZES[0]))
    filterset = CaseFilter(data, queryset=cases)
    parts = (
        [
            filterset.filtered(part)
            for part in selectors.queue_parts(queue, agent=request.user, now=now)
        ]
        if term is None
        else [filterset.filtered(part) for part in selectors.search_parts(term)]
    )
    return {
        "parts": parts,
        "now": now,
        "queue": queue,
        "term": term,
        "filterset": filterset,
        "sort": filterset.choice("sort", default_sort),
        "size": int(filterset.choice("size", selectors.PAGE_SIZES[0])),
    }


def _query(request: AuthenticatedHttpRequest, **changes) -> str:
    """The current URL's query with `changes` (None drops a key), for the list's links."""
    data = request.GET.copy()
    for key, value in changes.items():
        data.pop(key, None)
        if value is not None:
            data[key] = value
    return data.urlencode()


@require_GET
@agent_page
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    state = _list_state(request)
    filterset = state["filterset"]
    page = selectors.case_list_page(
        state["parts"],
        sort=state["sort"],
        cursor=request.GET.get("after", ""),
        size=state["size"],
        agent=request.user,
        now=state["now"],
    )
    base = _list_url()
    context = {
        **state,
        "page": page,
        "queues": selectors.QUEUES,
        "case_base": f"{base}cases/",
        "list_url": base,
        "filters_query": _query(request, after=None),
        "next_query": _query(request, after=page.next_cursor) if page.next_cursor else "",
        "first_query": _query(request, after=None),
        "is_first_page": "after" not in request.GET,
        "changes_query": urlencode(
            {
                **{key: value for key, value in request.GET.items() if key != "after"},
                "since": page.since.isoformat(),
            }
        ),
        "bulk_form": BulkForm(agents=filterset.agents),
        "current_url": request.get_full_path(),
        "reminder_health": _reminder_health(request, now=state["now"]),
    }
    template = f"{LIST_TEMPLATE}#case-table" if request.htmx else LIST_TEMPLATE
    return render(request, template, context)


@require_GET
@agent_page
def queue_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each queue's capped count, loaded by the list page after it has shown."""
    counts = selectors.queue_counts(agent=request.user, now=timezone.now())
    current = selectors.QUEUES_BY_SLUG.get(request.GET.get("queue", ""))
    queues = [(queue, counts[queue.slug]) for queue in selectors.QUEUES]
    context = {"queue_counts": queues, "queue": current, "list_url": _list_url()}
    return render(request, f"{LIST_TEMPLATE}#queue-nav", context)


@require_GET
@agent_page
def list_changes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list's 30-second check: how many of its cases changed since it was shown."""
    since = parse_datetime(request.GET.get("since", "")) or timezone.now()
    if timezone.is_naive(since):
        since = timezone.make_aware(since, dt.UTC)
    state = _list_state(request)
    count = selectors.changed_since(state["filterset"].qs, since=since)
    params = {key: value for key, value in request.GET.items() if key != "since"}
    context = {
        "changed_count": count,
        "changed": selectors.capped(count, selectors.CHANGES_CAP),
        "refresh_url": f"{_list_url()}?{urlencode(params)}",
    }
    return render(request, f"{LIST_TEMPLATE}#changes", context)


def _safe_next(request: AuthenticatedHttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}):
        return url
    return _list_url()


@require_POST
@agent_page
def bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One action on the ticked rows, one CaseEvent per case; a case changed since the list
    was shown is reported and left alone."""
    agents = selectors.agent_choices()
    form = BulkForm(request.POST, agents=agents)
    next_url = _safe_next(request, request.POST.get("next", ""))
    if not form.is_valid():
        for _field, errors in form.errors.items():
            for error in errors:
                messages.error(request, str(error))
        return go(request, next_url)
    data = form.cleaned_data
    selected = form.selected()
    found = selectors.cases_by_reference([ref for ref, _version in selected])
    done, changed, refused = [], [], []
    for ref, version in selected:
        case = found.get(ref)
        if case is None:
            continue
        try:
            _bulk_one(request, case, version, data)
        except CaseChanged:
            changed.append(ref)
        except TransitionNotAllowed as problem:
            refused.append(f"{ref}: {problem}")
        else:
            done.append(ref)
    if done:
        messages.success(
            request,
            ngettext(
                "Done for %(count)d case: %(refs)s.",
                "Done for %(count)d cases: %(refs)s.",
                len(done),
            )
            % {"count": len(done), "refs": ", ".join(done)},
        )
    if changed:
        messages.warning(
            request,
            _(
                "Changed by someone else since you loaded the list, so left alone: %(refs)s. "
                "Open them to see what changed."
            )
            % {"refs": ", ".join(changed)},
        )
    for line in refused:
        messages.error(request, line)
    return go(request, next_url)


def _bulk_one(request: AuthenticatedHttpRequest, case: Case, version: int, data: dict) -> None:
    by = request.user
    match data["action"]:
        case "take":
            staff_services.assign(case=case, agent=by, by=by, version=version)
        case "assign":
            staff_services.assign(case=case, agent=data["agent"], by=by, version=version)
        case "unassign":
            staff_services.assign(case=case, agent=None, by=by, version=version)
        case "remind":
            staff_services.send_reminder_now(case=case, by=by, version=version)
        case "note":
            staff_services.add_internal_note(case=case, by=by, version=version, note=data["note"])


# --- The case page -----------------------------------------------------------------------------


def _case_context(request: AuthenticatedHttpRequest, case: Case, *, others=None, **extra) -> dict:
    now = timezone.now()
    agents = selectors.agent_choices()
    changes = [
        (event.created_at, event.status_to) for event in case.timeline if event.kind == "status"
    ]
    timeline, timeline_has_more = selectors.timeline_preview(case)
    if timeline_has_more:
        # The preview may not reach back to the first wait: read every status change.
        changes = selectors.status_changes([case.pk]).get(case.pk, [])
    version = {"version": case.version}
    context = {
        "case": case,
        "clock": selectors.clock_for(case, changes, now),
        "moves": selectors.moves_for_agent(case),
        "steps": case.step_list,
        "channels": getattr(case.provider, "official_channels", []) if case.provider_id else [],
        "timeline": timeline,
        "timeline_has_more": timeline_has_more,
        "outbox": selectors.outbox(case),
        "others": others if others is not None else [],
        "agents": agents,
        "assign_form": AssignForm(initial=version, case=case, agents=agents),
        "note_form": NoteForm(initial=version, case=case),
        "message_form": MessageForm(initial=version, case=case),
        "move_form": MoveForm(initial=version, case=case),
        "reminders_form": RemindersForm(initial=version, case=case),
        "typical_days": case.typical_wait_days,
        "ping_seconds": presence.PING_SECONDS,
        "now": now,
        "reminder_health": _reminder_health(request, now=now),
        "mail": inbound_selectors.for_case(case, staff=True),
    }
    context.update(extra)
    return context


@require_GET
@agent_page
def case_detail(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    """The whole case on one screen. Opening it is not an event (identity documents aside)."""
    case = selectors.case_for_agent(ref=ref, user=request.user)
    others = presence.visit(case_id=case.pk, agent=request.user, state=presence.VIEWING)
    return render(request, CASE_TEMPLATE, _case_context(request, case, others=others))


@require_GET
@agent_page
def case_timeline(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    case = selectors.case_reference_exists(ref=ref, user=request.user)
    events, next_cursor = selectors.timeline_page(case, cursor=request.GET.get("before", ""))
    context = {
        "case": case,
        "timeline": events,
        "next_cursor": next_cursor,
        "is_first_page": "before" not in request.GET,
    }
    return render(request, "staff/timeline.html", context)


@require_POST
@agent_page
def case_presence(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    """The case page's heartbeat: "viewing", or "editing" once the agent types."""
    case = selectors.case_reference_exists(ref=ref, user=request.user)
    others = presence.visit(
        case_id=case.pk, agent=request.user, state=request.POST.get("state", presence.VIEWING)
    )
    if not request.htmx:
        return redirect(_case_url(case.reference))
    return render(
        request,
        f"{CASE_TEMPLATE}#presence",
        {"case": case, "others": others, "ping_seconds": presence.PING_SECONDS},
    )


def _act(
    request: AuthenticatedHttpRequest, ref: str, form_class, form_name: str, apply, **form_kwargs
):
    """The shape of every case action: validate, apply through a service, then back to the
    case page (PRG; htmx gets the fresh page in place). A stale version shows who changed
    the case and when, with the fresh case and what the agent typed kept in the form."""
    case = selectors.case_reference_exists(ref=ref, user=request.user)
    form = form_class(request.POST, case=case, **form_kwargs)
    extra: dict = {}
    if form.is_valid():
        try:
            apply(case, form.cleaned_data)
        except once.AlreadySubmitted:
            # Back, then submit again: it was done the first time; show the case as it is.
            messages.info(request, _("That was already saved: it is on the case below."))
            if not request.htmx:
                return redirect(_case_url(case.reference))
            extra["done"] = True
        except CaseChanged as stale:
            extra["changed"] = selectors.last_change(stale.case)
            # What they typed stays; the version becomes the one now on screen.
            data = request.POST.copy()
            data["version"] = str(stale.case.version)
            extra[form_name] = form_class(data, case=stale.case, **form_kwargs)
        except TransitionNotAllowed as refused:
            extra["not_allowed"] = str(refused)
            extra[form_name] = form
        else:
            if not request.htmx:
                return redirect(_case_url(case.reference))
    else:
        extra[form_name] = form
    case = selectors.case_for_agent(ref=ref, user=request.user)
    if form_name not in extra:
        extra["done"] = True
    others = presence.visit(case_id=case.pk, agent=request.user, state=presence.VIEWING)
    context = _case_context(request, case, others=others, **extra)
    template = f"{CASE_TEMPLATE}#case-page" if request.htmx else CASE_TEMPLATE
    return render(request, template, context)


@require_POST
@agent_page
def case_assign(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    agents = selectors.agent_choices()

    def apply(case: Case, data: dict) -> None:
        by = request.user
        agent = by if data["action"] == "take" else data["agent"]
        staff_services.assign(case=case, agent=agent, by=by, version=data["version"])

    return _act(request, ref, AssignForm, "assign_form", apply, agents=agents)


@require_POST
@agent_page
def case_note(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    def apply(case: Case, data: dict) -> None:
        staff_services.add_internal_note(
            case=case,
            by=request.user,
            version=data["version"],
            note=data["note"],
            form_token=data["form_token"],
        )

    return _act(request, ref, NoteForm, "note_form", apply)


@require_POST
@agent_page
def case_message(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    def apply(case: Case, data: dict) -> None:
        staff_services.message_customer(
            case=case,
            by=request.user,
            version=data["version"],
            message=data["message"],
            form_token=data["form_token"],
        )

    return _act(request, ref, MessageForm, "message_form", apply)


@require_POST
@agent_page
def case_move(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    """A status button, or "complete with a note": the machine decides what is allowed."""

    def apply(case: Case, data: dict) -> None:
        services.move_case(
            case=case,
            to=data["to"],
            by=request.user,
            version=data["version"],
            note=data["note"].strip(),
            provider_reference=data["provider_reference"].strip(),
        )

    return _act(request, ref, MoveForm, "move_form", apply)


@require_POST
@agent_page
def case_reminders(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    def apply(case: Case, data: dict) -> None:
        by = request.user
        match data["action"]:
            case "send_now":
                staff_services.send_reminder_now(case=case, by=by, version=data["version"])
            case "stop":
                controls.stop_reminders(case=case, by=by, version=data["version"])
            case "resume":
                controls.resume_reminders(case=case, by=by, version=data["version"])
            case "snooze":
                until = schedule.snooze_end(case=case, day=data["until"])
                controls.snooze_reminders(case=case, until=until, by=by, version=data["version"])

    return _act(request, ref, RemindersForm, "reminders_form", apply)


# --- The contact log ---------------------------------------------------------------------------


def _contact(request: AuthenticatedHttpRequest, ref: str, pk: int | None) -> HttpResponse:
    """An agent logs a contact with the provider (or edits one they logged), with the same
    form and scam guard as the customer; back to the case page's contact log."""
    case = selectors.case_for_contact(ref=ref, user=request.user)
    contact = None
    if pk is not None:
        contact = contact_selectors.contact_of(case=case, pk=pk)
        if contact is None or contact.created_by_id != request.user.pk:
            raise Http404
    return contact_page(
        request,
        case=case,
        contact=contact,
        back_url=_case_url(case.reference),
        reload=lambda: selectors.case_for_contact(ref=ref, user=request.user),
        on_staff_page=True,
    )


@require_http_methods(["GET", "POST"])
@agent_page
def contact_new(request: AuthenticatedHttpRequest, ref: str) -> HttpResponse:
    return _contact(request, ref, None)


@require_http_methods(["GET", "POST"])
@agent_page
def contact_edit(request: AuthenticatedHttpRequest, ref: str, pk: int) -> HttpResponse:
    return _contact(request, ref, pk)


# --- The provider directory --------------------------------------------------------------------


@require_GET
@agent_page
def provider_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Browse and search the providers, with their numbers from the stats table."""
    q = request.GET.get("q", "").strip()
    context = {
        "q": q,
        "rows": directory.provider_rows(q=q),
        "recheck_before": directory.recheck_before(),
    }
    template = "staff/providers.html#provider-table" if request.htmx else "staff/providers.html"
    return render(request, template, context)


@require_GET
@agent_page
def provider_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    page = directory.provider_page(slug=slug)
    context = {
        "page": page,
        "provider": page.provider,
        "can_edit": request.user.has_perm("providers.change_contactchannel"),
    }
    return render(request, "staff/provider.html", context)


@require_http_methods(["GET", "POST"])
@agent_page
def channel_edit(request: AuthenticatedHttpRequest, slug: str, channel_id: int) -> HttpResponse:
    """An agent with the permission edits a channel; the change is audited and shows on every
    open case's page at once (they read the directory on each request)."""
    if not request.user.has_perm("providers.change_contactchannel"):
        raise PermissionDenied
    channel = directory.channel_for_edit(slug=slug, channel_id=channel_id)
    provider_url = reverse("staff:provider_detail", kwargs={"slug": slug})
    changed = None
    if request.method == "POST":
        form = ChannelForm(request.POST, instance=channel)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in provider_services.EDITABLE}
            try:
                provider_services.edit_channel(
                    channel=channel, by=request.user, seen=form.cleaned_data["seen"], **data
                )
            except provider_services.ChannelChanged as stale:
                changed = stale.channel
                fresh = request.POST.copy()
                fresh["seen"] = provider_services.fingerprint(stale.channel)
                form = ChannelForm(fresh, instance=stale.channel)
            except ValidationError as invalid:
                form.add_error(None, invalid)
            else:
                messages.success(request, _("Channel saved. Open cases show it now."))
                return go(request, provider_url)
    else:
        form = ChannelForm(
            instance=channel, initial={"seen": provider_services.fingerprint(channel)}
        )
    context = {
        "channel": changed or channel,
        "provider": channel.provider,
        "form": form,
        "changed": changed,
        "provider_url": provider_url,
    }
    template = "staff/channel_edit.html#channel-form" if request.htmx else "staff/channel_edit.html"
    return render(request, template, context)


# --- The numbers -------------------------------------------------------------------------------


@require_GET
@agent_page
def stats_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open cases, stalls, completions and the providers ranked by median days to complete,
    as the periodic task last computed them."""
    return render(request, "staff/stats.html", {"page": directory.stats_page()})


@require_GET
@agent_page
def stats_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The stats page's provider table as CSV."""
    page = directory.stats_page()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = page.snapshot.computed_at.strftime("%Y%m%d-%H%M") if page.snapshot else "empty"
    response["Content-Disposition"] = f'attachment; filename="closeout-providers-{stamp}.csv"'
    writer = csv_writer(response)
    writer.writerow(
        [
            _("Provider"),
            _("Country"),
            _("Open cases"),
            _("Submitted"),
            _("Completed"),
            _("Median days to complete"),
            _("90th percentile days"),
            _("Share stalled"),
            _("Share reopened as still charged"),
            _("Computed at"),
        ]
    )
    computed = page.snapshot.computed_at.isoformat() if page.snapshot else ""
    for row in page.rows:
        writer.writerow(
            [
                row.provider.name,
                row.provider.country,
                row.open_cases,
                row.submitted_cases,
                row.completed_cases,
                _number(row.median_days),
                _number(row.p90_days),
                _number(row.stalled_share, 3),
                _number(row.reopened_share, 3),
                computed,
            ]
        )
    return response


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"
