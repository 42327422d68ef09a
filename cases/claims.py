"""Claiming anonymous drafts at sign-in (owned by accounts; see accounts/apps.py)."""

from django.db import transaction

from accounts.models import User
from cases.models import Case, CaseEvent
from cases.services import record_event


@transaction.atomic
def claim_drafts(*, user: User, tokens: list[str]) -> list[Case]:
    """Give `user` the anonymous drafts whose tokens their session holds. Returns them.

    A token only ever works once: it is cleared on claiming, so a token copied from someone
    else's session, or kept after sign-out, no longer matches anything.
    """
    tokens = [token for token in tokens if isinstance(token, str) and token]
    if not tokens or not user.is_authenticated:
        return []
    cases = list(
        Case.objects.select_for_update()
        .filter(owner__isnull=True, draft_token__in=tokens)
        .order_by("id")
    )
    for case in cases:
        # The version is left alone: owning the case changes none of what a form edits.
        case.owner = user
        case.draft_token = ""
        case.save(update_fields=["owner", "draft_token"])
        record_event(case=case, kind=CaseEvent.Kind.CLAIMED, by=user)
    return cases
