"""The agents' daily digest (DESIGN.md "Agents' digest"): once a day, from AGENT_DIGEST_HOUR in
AGENT_DIGEST_TIME_ZONE, one email to each agent (or to AGENT_DIGEST_TO) listing the newly
stalled cases, the overdue follow-ups and the failed reminders, each linked into /staff/.

Beat asks often (every few minutes); the AgentDigest row of the day makes it once. The row is
inserted first and the emails are sent inside the same transaction: a second beat running at
the same moment waits on the row's unique key and then finds the day taken; a mail failure
rolls the row back, so the next run tries again (a rare duplicate beats a lost digest). A
day with nothing to report is recorded too, with no email.
"""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts import roles
from cases.models import STAFF_OPEN_STATUSES, AgentDigest, Case, CaseEvent
from cases.reminders import attention
from cases.reminders.emails import absolute, site_domain

# Each list is cut here; the email links to the whole Needs attention queue.
LIST_CAP = 50
# Newly stalled: since the last digest, but never further back than this.
LOOKBACK = dt.timedelta(days=7)


def digest_day(now: dt.datetime) -> dt.date | None:
    """The digest's day if its hour has come there, else None."""
    local = now.astimezone(ZoneInfo(settings.AGENT_DIGEST_TIME_ZONE))
    return local.date() if local.hour >= settings.AGENT_DIGEST_HOUR else None


@dataclass(frozen=True)
class Item:
    reference: str
    provider_name: str
    url: str
    detail: str = ""
    provider_name_zh: str = ""

    @property
    def provider(self) -> str:
        """The provider's name in the language the email is being written in."""
        chinese = (translation.get_language() or "").lower().startswith("zh")
        return self.provider_name_zh if chinese and self.provider_name_zh else self.provider_name


@dataclass
class Digest:
    day: dt.date
    stalled: list[Item] = field(default_factory=list)
    follow_ups: list[Item] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)
    total: int = 0

    @property
    def is_empty(self) -> bool:
        return self.total == 0


def _item(case: Case, detail: str = "") -> Item:
    path = reverse("staff:case_detail", kwargs={"ref": case.reference})
    provider = case.provider
    name, name_zh = (provider.name, provider.name_zh) if provider else (case.provider_name, "")
    return Item(case.reference, name, absolute(path), detail, name_zh)


def _open_cases(ids) -> dict[int, Case]:
    cases = Case.objects.filter(pk__in=ids, status__in=STAFF_OPEN_STATUSES)
    return {case.pk: case for case in cases.select_related("provider")}


def gather(*, day: dt.date, since: dt.datetime, now: dt.datetime) -> Digest:
    """What the digest of `day` lists: a fixed number of queries, each list capped."""
    stalled_ids = list(
        CaseEvent.objects.filter(kind=CaseEvent.Kind.STALLED, created_at__gte=since)
        .order_by("-created_at")
        .values_list("case_id", flat=True)[: LIST_CAP * 4]
    )
    follow_ups = list(
        attention.overdue_follow_ups(today=day)
        .order_by("follow_up_on")
        .values_list("case_id", "follow_up_on")[: LIST_CAP * 4]
    )
    failed = list(
        attention.failed_reminders(now=now)
        .order_by("-due_at")
        .values_list("case_id", "last_error")[: LIST_CAP * 4]
    )
    cases = _open_cases({*stalled_ids, *(pk for pk, _ in follow_ups), *(pk for pk, _ in failed)})
    digest = Digest(day=day)
    seen: set[tuple[str, int]] = set()

    def add(section: str, target: list[Item], case_id: int, detail: str = "") -> None:
        case = cases.get(case_id)
        if case is None or (section, case_id) in seen:
            return
        if section == "stalled" and not case.is_stalled:
            return
        seen.add((section, case_id))
        if len(target) < LIST_CAP:
            target.append(_item(case, detail))
        digest.total += 1

    for case_id in stalled_ids:
        add("stalled", digest.stalled, case_id)
    for case_id, follow_up_on in follow_ups:
        add("follow_up", digest.follow_ups, case_id, follow_up_on.isoformat())
    for case_id, error in failed:
        add("failed", digest.failed, case_id, (error or "").splitlines()[0][:120] if error else "")
    return digest


def _message(digest: Digest, *, to: str, language: str, name: str = "") -> EmailMultiAlternatives:
    with translation.override(language):
        context = {
            "digest": digest,
            "name": name,
            "queue_url": absolute(f"{reverse('staff:case_list')}?queue=attention"),
            "language": translation.get_language() or language,
        }
        subject = gettext("Closeout: %(count)s cases need attention (%(day)s)") % {
            "count": digest.total,
            "day": digest.day.isoformat(),
        }
        text = render_to_string("emails/agent_digest.txt", context)
        html = render_to_string("emails/agent_digest.html", context)
    key = "team" if settings.AGENT_DIGEST_TO else to.partition("@")[0]
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers={
            "Message-ID": f"<digest-{digest.day:%Y%m%d}-{key}@{site_domain()}>",
            "Auto-Submitted": "auto-generated",
            "Content-Language": str(context["language"]),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def messages_for(digest: Digest) -> list[EmailMultiAlternatives]:
    if settings.AGENT_DIGEST_TO:
        return [_message(digest, to=settings.AGENT_DIGEST_TO, language=settings.LANGUAGE_CODE)]
    return [
        _message(
            digest, to=agent.email, language=agent.preferred_language, name=agent.get_short_name()
        )
        for agent in roles.support_agents()
        if agent.email
    ]


def send_digest(*, now: dt.datetime) -> int:
    """Send the day's digest if it is due and not yet sent; how many emails went out."""
    day = digest_day(now)
    if day is None:
        return 0
    with transaction.atomic():
        previous = AgentDigest.objects.filter(day__lt=day).order_by("-day").first()
        try:
            with transaction.atomic():
                record = AgentDigest.objects.create(day=day)
        except IntegrityError:
            return 0  # another run has the day
        since = max(previous.sent_at, now - LOOKBACK) if previous else now - dt.timedelta(days=1)
        digest = gather(day=day, since=since, now=now)
        record.case_count = digest.total
        record.save(update_fields=["case_count"])
        if digest.is_empty:
            return 0
        # A mail error raises: the day's row goes with it and the next run tries again.
        return sum(message.send() for message in messages_for(digest))
