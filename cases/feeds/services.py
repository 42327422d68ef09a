"""The private calendar address: made on first use, reset on request (the old one stops)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.models import CalendarFeed, new_feed_token


def feed_for(*, user: User) -> CalendarFeed:
    """The user's feed, made the first time they ask for it."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def reset_feed(*, user: User) -> CalendarFeed:
    """A new secret address; the old one answers 404 from now on."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return CalendarFeed.objects.create(user=user)
    feed.token = new_feed_token()
    feed.reset_at = timezone.now()
    feed.save(update_fields=["token", "reset_at"])
    return feed
