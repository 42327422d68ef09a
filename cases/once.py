"""Create forms submitted once: a hidden one-time token, recorded by the service that creates.

Every create form (a contact entry, an agent's note or message, an upload, a notice sent)
carries a random token made when the form is shown. A form on a page of its own takes the
token from its URL (`?form=…`, added by a redirect on the first visit): Back returns to that
URL, so the form the browser shows again, with what was typed restored, still carries the
token it was first sent with (browsers restore typed fields, never a hidden one).

The service claims the token in its own transaction, before it checks the version (a form
shown again may carry an old one), and records what it made. A second submission of the same
token, whether a double click, or Back then submit again, or a retry after a lost response,
raises `AlreadySubmitted` with what the first one made; the view shows that instead of a
duplicate. A failed submission rolls its claim back with everything else, so the same form
can be corrected and sent again.

One path has no token to go on: a staff case page is never cached (it shows private data), so
Back fetches it again, with a fresh token, while the browser puts back what was typed in the
note or message. For those, `repeat_of` finds the same text from the same agent on the same
case a moment ago (REPEAT_WINDOW) and the service answers as for a replayed token.

The used tokens are kept FORM_SUBMISSION_KEEP_DAYS (`purge_old`, a beat task), long enough for
any Back or retry a person really makes, then deleted so the table does not grow for ever.
"""

import datetime as dt
import re
import secrets

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import timezone

from cases.models import Case, CaseEvent, FormSubmission

TOKEN_BYTES = 24
REPEAT_WINDOW = dt.timedelta(minutes=10)
URL_PARAMETER = "form"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


class Kind:
    CONTACT = "contact"
    NOTE = "note"
    MESSAGE = "message"
    EVIDENCE = "evidence"
    NOTICE_SENT = "notice_sent"


class AlreadySubmitted(Exception):
    """The form was already submitted: `submission` says what it made."""

    def __init__(self, submission: FormSubmission) -> None:
        super().__init__(submission.kind)
        self.submission = submission

    @property
    def object_id(self) -> int | None:
        return self.submission.object_id


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class OnceFormMixin(forms.Form):
    """Adds the hidden one-time `form_token`, fresh each time an unbound form is made."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form_token"].initial = new_token()


def page_token(request: HttpRequest) -> str | None:
    """The one-time token in the form page's URL, or None when it has none (or a bad one)."""
    token = request.GET.get(URL_PARAMETER, "")
    return token if _TOKEN.fullmatch(token) else None


def with_new_token(request: HttpRequest) -> HttpResponseRedirect:
    """The same page with a fresh token in its URL (a GET that has none goes here first)."""
    query = request.GET.copy()
    query[URL_PARAMETER] = new_token()
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")


def claim(*, token: str, case: Case, kind: str) -> FormSubmission | None:
    """Claim `token` for one submission on `case`, or raise AlreadySubmitted.

    Call inside the creating service's transaction, first. No token (an API or an old form):
    no protection, None. Two at once: the second waits on the unique index for the first to
    commit, then finds it.
    """
    if not token:
        return None
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(token=token, case=case, kind=kind)
    except IntegrityError:
        pass
    previous = FormSubmission.objects.get(token=token)
    if previous.case_id != case.pk or previous.kind != kind:
        # The same token sent to another form or case is no replay of it: refuse it plainly.
        raise AlreadySubmitted(FormSubmission(token=token, case=case, kind=kind))
    raise AlreadySubmitted(previous)


def repeat_of(*, case: Case, by_id: int, kind: str, message: str, visibility: str) -> None:
    """Raise AlreadySubmitted when the agent `by_id` recorded this very `message` on `case`
    within REPEAT_WINDOW: the same note or message sent again after Back, not a new one.
    The (case, created_at) index finds the few recent events."""
    since = timezone.now() - REPEAT_WINDOW
    event_id = (
        CaseEvent.objects.filter(
            case=case,
            created_at__gte=since,
            actor_id=by_id,
            kind=CaseEvent.Kind.NOTE,
            visibility=visibility,
            message=message,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if event_id is not None:
        raise AlreadySubmitted(FormSubmission(case=case, kind=kind, object_id=event_id))


def made(submission: FormSubmission | None, obj_id: int) -> None:
    """Record what the claimed submission created (in the same transaction)."""
    if submission is not None:
        submission.object_id = obj_id
        submission.save(update_fields=["object_id"])


def purge_old(*, now: dt.datetime, batch: int = 1000) -> int:
    """Delete used tokens older than FORM_SUBMISSION_KEEP_DAYS, in short transactions; the
    created_at index finds each batch without a scan. Returns how many went."""
    cutoff = now - dt.timedelta(days=settings.FORM_SUBMISSION_KEEP_DAYS)
    deleted = 0
    while ids := list(
        FormSubmission.objects.filter(created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    ):
        with transaction.atomic():
            FormSubmission.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted
