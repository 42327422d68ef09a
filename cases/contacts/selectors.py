"""The reads of the contact log: a case's contacts, and what the scam guard compares with.

`contacts_for(case)` and the template `contacts/components/contact_list.html` are shared with
the staff case page (pass `show_verdict=True` there: agents see the guard's findings).
"""

from django.db.models import QuerySet

from cases.contacts import scam_guard
from cases.models import Case, ContactAttempt
from providers.models import ContactChannel, Provider


def contacts_for(case: Case) -> QuerySet[ContactAttempt]:
    """The case's contact log, newest first, with the channel and author (one query)."""
    return ContactAttempt.objects.filter(case=case).select_related("channel", "created_by")


def contact_of(*, case: Case, pk: int) -> ContactAttempt | None:
    return contacts_for(case).filter(pk=pk).first()


def official_channels(provider: Provider | None) -> list[ContactChannel]:
    if provider is None:
        return []
    prefetched = getattr(provider, "official_channels", None)
    if prefetched is not None:
        return list(prefetched)
    return list(provider.channels.filter(is_official=True).order_by("position", "id"))


def official_values(provider: Provider | None, channels: list[ContactChannel]) -> list[str]:
    """Every value the directory vouches for: channels, website, cancellation and source pages."""
    if provider is None:
        return []
    values = [provider.website, provider.cancellation_url]
    for channel in channels:
        values += [channel.value, channel.source_url]
    return [value for value in values if value]


def sender_names() -> list[str]:
    """Every provider's names (and aliases), so a disguised sender name of any carrier shows
    up whichever provider the case is with: one query."""
    names = []
    for name, aliases in Provider.objects.values_list("name", "aliases"):
        names += [name, *(alias.strip() for alias in (aliases or "").split(",") if alias.strip())]
    return names


def check_entry(
    *, provider: Provider | None, channels: list[ContactChannel], contact: str, notes: str = ""
) -> scam_guard.Verdict:
    """The guard's verdict on a typed contact and the free text logged with it."""
    official = official_values(provider, channels)
    country = provider.country if provider else ""
    names = [provider.name, provider.slug] if provider else []
    others = sender_names()
    found = scam_guard.check_contact(
        contact, official=official, country=country, names=names, other_names=others
    )
    in_notes = scam_guard.check_text(
        notes, official=official, country=country, names=names, other_names=others
    )
    extra = tuple(f for f in in_notes.findings if f not in found.findings)
    return scam_guard.Verdict(found.findings + extra)


def check_note(*, case: Case, text: str) -> scam_guard.Verdict:
    """The guard's verdict on a free-text note of the case (a step note, the outcome note)."""
    provider = case.provider if case.provider_id else None
    channels = official_channels(provider)
    official = official_values(provider, channels)
    country = provider.country if provider else ""
    names = [provider.name, provider.slug] if provider else []
    return scam_guard.check_text(
        text, official=official, country=country, names=names, other_names=sender_names()
    )
