"""The agents' writes on suggested providers: link a group's cases to a provider, or dismiss it.

A group is every open suggestion with the same folded name and country. Each case is locked
before its suggestion (the journey's choose_provider locks in the same order), its change
written as a CaseEvent, and its owner emailed in the case's language once the transaction has
committed.
"""

from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from cases import locking, services, transitions
from cases.events import record_event
from cases.models import Case, CaseEvent, ProviderSuggestion
from cases.suggestions import emails
from providers import services as provider_services
from providers.models import ContactChannel, Provider


def _agent_only(by: User) -> None:
    if not (by and by.is_staff):
        raise transitions.TransitionNotAllowed(_("Only an agent can make this change."))


def _group(suggestion: ProviderSuggestion):
    return ProviderSuggestion.objects.filter(
        resolved_at__isnull=True, name_key=suggestion.name_key, country=suggestion.country
    )


@transaction.atomic
def link_to_provider(*, suggestion: ProviderSuggestion, provider: Provider, by: User) -> list[Case]:
    """Resolve `suggestion`'s group as `provider`: every open case that named it now has it
    (a preparing case gets the provider's own steps), and its customer is told by email.
    Returns the cases linked."""
    _agent_only(by)
    if not provider.is_active:
        raise transitions.TransitionNotAllowed(_("Choose a provider that is listed."))
    case_ids = sorted(_group(suggestion).values_list("case_id", flat=True))
    now = timezone.now()
    linked = []
    for case_id in case_ids:
        case = locking.lock(Case(pk=case_id), None, by=by)  # whatever the customer saw
        item = _group(suggestion).select_for_update().filter(case_id=case_id).first()
        if item is None:  # the customer chose another provider meanwhile
            continue
        item.resolved_at, item.resolved_by, item.provider = now, by, provider
        item.save(update_fields=["resolved_at", "resolved_by", "provider"])
        if not case.is_open or case.provider_id is not None or not case.provider_name:
            continue
        named = case.provider_name
        case.provider, case.provider_name = provider, ""
        locking.update(case)
        record_event(
            case=case,
            kind=CaseEvent.Kind.DETAILS,
            by=by,
            text=gettext_noop(
                "%(name)s is now in Closeout's directory: this case uses its official "
                "channels (you named it “%(named)s”)."
            ),
            params={"name": provider.name, "named": named},
        )
        if case.is_preparing:
            services.rebuild_steps(case=case)
        linked.append(case)
    ids = [case.pk for case in linked]
    if ids:
        transaction.on_commit(partial(emails.send_provider_added, case_ids=ids), robust=True)
    return linked


@transaction.atomic
def dismiss(*, suggestion: ProviderSuggestion, by: User) -> int:
    """Resolve the group without a provider (not a mobile provider, a joke): its cases keep
    the generic steps. Returns how many suggestions it closed."""
    _agent_only(by)
    return _group(suggestion).update(resolved_at=timezone.now(), resolved_by=by)


@transaction.atomic
def add_provider(
    *,
    suggestion: ProviderSuggestion,
    provider: Provider,
    channels: list[ContactChannel],
    by: User,
) -> tuple[Provider, list[Case]]:
    """Add the suggested provider to the directory (official channels only, each sourced and
    dated, audited as `by`) and link its group's open cases to it, all or nothing."""
    _agent_only(by)
    provider = provider_services.add_provider(by=by, provider=provider, channels=channels)
    return provider, link_to_provider(suggestion=suggestion, provider=provider, by=by)
