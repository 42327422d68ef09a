"""Writes to accounts (STYLE.md "A service")."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts import roles
from accounts.models import User

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def customer_for_code(*, email: str, user: User | None, language: str) -> User | None:
    """The account a sign-in code may be sent to for `email`, made on first use; else None.

    `user` is the active account allauth already found for the address, if any. Staff never
    get a code (they sign in with a password and a second factor) and an inactive account
    stays shut; both get None, which allauth answers exactly like a sent code.
    """
    if user is not None:
        return None if roles.signs_in_with_password(user) else user
    if User.objects.filter(email__iexact=email).exists():
        return None  # inactive: never revived by asking for a code
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email,
                preferred_language=language if language in LANGUAGE_CODES else "en",
            )
    except IntegrityError:
        # Two first requests for one address at once: the other one made it.
        found = User.objects.filter(email__iexact=email, is_active=True).first()
        return found if found is not None and not roles.signs_in_with_password(found) else None


def remember_language(*, user: User, language: str) -> None:
    """Keep the language a signed-in person picked, for pages and emails alike."""
    if language in LANGUAGE_CODES and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def language_at_sign_in(*, request: HttpRequest, user: User) -> str:
    """The language to carry on with after sign-in.

    A language picked with the switch before signing in is a choice made now, so it wins and
    is remembered; without one, the account's saved preference applies.
    """
    picked = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if picked in LANGUAGE_CODES:
        remember_language(user=user, language=picked)
        return picked
    return user.preferred_language


def update_preferences(
    *, user: User, display_name: str, preferred_language: str, time_zone: str
) -> User:
    """Save the preferences page."""
    user.display_name = display_name
    user.preferred_language = preferred_language
    user.time_zone = time_zone
    user.save(update_fields=["display_name", "preferred_language", "time_zone"])
    return user


def remember_time_zone(*, user: User, time_zone: str) -> None:
    """Keep a time zone the person confirmed elsewhere (the case's save page) in Preferences."""
    if user.time_zone != time_zone:
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
