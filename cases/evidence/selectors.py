"""The reads of evidence pages: a case's files and its proof packs (who may see them is
cases/access.py's to say)."""

import datetime as dt

from django.db.models import QuerySet, Sum
from django.http import Http404

from cases.models import Case, CaseEvent, Evidence, ProofPackBuild


def for_case(case: Case) -> list[Evidence]:
    """The case's files, oldest first (the order of the proof pack), in one query."""
    return list(
        Evidence.objects.filter(case=case).select_related("step").order_by("uploaded_at", "id")
    )


def proof_packs(case: Case) -> QuerySet[CaseEvent]:
    """The proof packs made of the case, newest first, each with its fingerprint."""
    return CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.PROOF_PACK).order_by(
        "-created_at", "-id"
    )


def stored_bytes(case: Case) -> int:
    """The size of the case's files together: what decides whether a pack streams at once."""
    return Evidence.objects.filter(case=case).aggregate(size=Sum("size"))["size"] or 0


def current_build(case: Case, *, now: dt.datetime) -> ProofPackBuild | None:
    """The case's latest worker-made pack still kept (or on its way), for the pack page."""
    return (
        ProofPackBuild.objects.filter(case=case, expires_at__gt=now)
        .order_by("-created_at", "-id")
        .first()
    )


def ready_build(*, case: Case, pk: int, now: dt.datetime) -> ProofPackBuild:
    """A finished pack of this case, still kept; 404 otherwise (gone after a day)."""
    build = ProofPackBuild.objects.filter(
        case=case, pk=pk, state=ProofPackBuild.State.READY, expires_at__gt=now
    ).first()
    if build is None:
        raise Http404
    return build
