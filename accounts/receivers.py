"""Signal receivers, connected in AccountsConfig.ready()."""

from django.http import HttpRequest

from accounts.models import User

DRAFT_TOKENS_SESSION_KEY = "draft_tokens"


def claim_session_drafts(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """Whatever the visitor started before signing in becomes theirs."""
    if request is None or not hasattr(request, "session"):
        return
    # Imported here: cases imports accounts, and the app registry must be ready first.
    from cases.claims import claim_drafts

    tokens = request.session.get(DRAFT_TOKENS_SESSION_KEY) or []
    if not isinstance(tokens, list):
        tokens = []
    if tokens:
        claim_drafts(user=user, tokens=tokens)
    # Every token has done its job now: claimed here, or already someone else's.
    request.session.pop(DRAFT_TOKENS_SESSION_KEY, None)
