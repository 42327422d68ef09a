"""Anonymous drafts: the session key that holds their tokens, and claiming them at sign-in
(the receiver is connected in CasesConfig.ready())."""

from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from cases import locking
from cases.events import record_event
from cases.models import Case, CaseEvent

# The session key holding the tokens of the drafts an anonymous visitor started.
DRAFT_TOKENS_SESSION_KEY = "draft_tokens"
# A visitor rarely starts more; older tokens fall off.
MAX_DRAFT_TOKENS = 20


def session_draft_tokens(request: HttpRequest) -> list[str]:
    tokens = request.session.get(DRAFT_TOKENS_SESSION_KEY) or []
    return [token for token in tokens if isinstance(token, str)] if isinstance(tokens, list) else []


def remember_draft(request: HttpRequest, case: Case) -> None:
    """Until sign-in, the session proves that the draft is the visitor's."""
    tokens = [*session_draft_tokens(request), case.draft_token]
    request.session[DRAFT_TOKENS_SESSION_KEY] = tokens[-MAX_DRAFT_TOKENS:]


@transaction.atomic
def claim_drafts(*, user: User, tokens: list[str]) -> list[Case]:
    """Give `user` the anonymous drafts whose tokens their session holds. Returns them.

    A token only ever works once: it is cleared on claiming, so a token copied from someone
    else's session, or kept after sign-out, no longer matches anything.
    """
    tokens = [token for token in tokens if isinstance(token, str) and token]
    if not tokens or not user.is_authenticated:
        return []
    cases = locking.lock_all(Case.objects.filter(owner__isnull=True, draft_token__in=tokens))
    for case in cases:
        locking.update_keeping_version(case, owner=user, draft_token="")
        record_event(case=case, kind=CaseEvent.Kind.CLAIMED, by=user)
    return cases


def claim_session_drafts(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """user_logged_in receiver: whatever the visitor started before signing in becomes theirs."""
    if request is None or not hasattr(request, "session"):
        return
    tokens = session_draft_tokens(request)
    if tokens:
        claim_drafts(user=user, tokens=tokens)
    # Every token has done its job now: claimed here, or already someone else's.
    request.session.pop(DRAFT_TOKENS_SESSION_KEY, None)
