import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from providers import search


class ServiceKind(models.TextChoices):
    VIRTUAL = "virtual", _("Virtual SIM or virtual number (app-managed)")
    ESIM = "esim", _("eSIM")
    PHYSICAL_SIM = "physical_sim", _("Physical SIM")


def localized(obj: models.Model, field: str) -> str:
    """The Simplified Chinese text of `field` when that is the active language and it is set."""
    if (get_language() or "").lower().startswith("zh"):
        return getattr(obj, f"{field}_zh_hans", "") or getattr(obj, field)
    return getattr(obj, field)


# Kiribati is UTC+14: no date after its today has been seen anywhere yet.
_EARLIEST_ZONE = dt.timedelta(hours=14)


def latest_possible_date() -> dt.date:
    """Today where the day is furthest on: a verified date after this is in the future."""
    return (timezone.now() + _EARLIEST_ZONE).date()


def refuse_future_dates(obj: models.Model, *fields: str) -> None:
    """Raise ValidationError for each of `fields` of `obj` set to a date not yet reached."""
    latest = latest_possible_date()
    errors = {
        name: ValidationError(
            _("This date is in the future: enter the day it was checked."), code="future"
        )
        for name in fields
        if isinstance(getattr(obj, name), dt.date) and getattr(obj, name) > latest
    }
    if errors:
        raise ValidationError(errors)


# Countries of the shipped directory, named as people read them; other codes show as they are.
COUNTRY_NAMES = {
    "CN": _("Mainland China"),
    "HK": _("Hong Kong"),
    "GB": _("United Kingdom"),
    "US": _("United States"),
    "DE": _("Germany"),
}

# The Provider field that says whether it offers each service kind.
OFFER_FIELDS = {
    ServiceKind.VIRTUAL: "offers_virtual",
    ServiceKind.ESIM: "offers_esim",
    ServiceKind.PHYSICAL_SIM: "offers_physical_sim",
}


class ProviderQuerySet(models.QuerySet):
    def active(self) -> "ProviderQuerySet":
        return self.filter(is_active=True)

    def offering(self, kind: str, *, unchecked_too: bool = False) -> "ProviderQuerySet":
        """Providers known to offer `kind`; with `unchecked_too`, also those whose kinds we
        have not checked (Provider.service_kinds_checked), after the known ones."""
        offers = OFFER_FIELDS[ServiceKind(kind)]
        if not unchecked_too:
            return self.filter(**{offers: True})
        return self.filter(Q(**{offers: True}) | Q(service_kinds_checked=False)).order_by(
            F(offers).desc(), Lower("name"), "name", "pk"
        )

    def matching(self, query: str) -> "ProviderQuerySet":
        """Providers any of whose names (Simplified or Traditional, any case) contain `query`."""
        folded = search.fold(query)
        return self.filter(search_text__contains=folded) if folded else self

    def by_name(self) -> "ProviderQuerySet":
        """Sorted by name whatever its case: "giffgaff" among the G's, not after "Vodafone"."""
        return self.order_by(Lower("name"), "name", "pk")


class Provider(models.Model):
    """A mobile provider or virtual-number app, with what it takes to leave it."""

    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(
        _("name in Simplified Chinese"),
        max_length=120,
        blank=True,
        help_text=_(
            "Shown instead of the name on Chinese pages and emails (中国移动). Leave it empty "
            "for a brand with no established Chinese name: the name is shown."
        ),
    )
    local_name = models.CharField(_("local name"), max_length=120, blank=True)
    aliases = models.CharField(
        _("aliases"),
        max_length=300,
        blank=True,
        help_text=_("Other names people search for, separated by commas (CMHK, 1010)."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. GB, CN.")
    )
    offers_virtual = models.BooleanField(_("offers virtual SIM / number"), default=False)
    offers_esim = models.BooleanField(_("offers eSIM"), default=False)
    offers_physical_sim = models.BooleanField(_("offers physical SIM"), default=False)
    service_kinds_checked = models.BooleanField(
        _("service kinds checked"),
        default=True,
        help_text=_(
            "Untick when its official pages confirm only some of the kinds it may offer: the "
            "kinds ticked above are still claimed, and the journey also offers it under the "
            "others, with a note that we have not checked them."
        ),
    )
    website = models.URLField(_("website"), blank=True)
    cancellation_url = models.URLField(_("official cancellation page"), blank=True)
    has_self_service = models.BooleanField(_("self-service cancellation available"), default=False)
    identity_checks = models.TextField(_("identity checks it asks for"), blank=True)
    identity_checks_zh_hans = models.TextField(_("identity checks (Chinese)"), blank=True)
    typical_review_days = models.PositiveSmallIntegerField(
        _("typical review days"), null=True, blank=True
    )
    typical_operator_days = models.PositiveSmallIntegerField(
        _("typical operator processing days"), null=True, blank=True
    )
    porting_info = models.TextField(_("how to keep the number"), blank=True)
    porting_info_zh_hans = models.TextField(_("how to keep the number (Chinese)"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    notes_zh_hans = models.TextField(_("notes (Chinese)"), blank=True)
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(
        _("demo"), default=False, help_text=_("Fictional provider for demos and tests.")
    )
    # Derived from the names on every save (providers.search); searched by matching().
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    objects = ProviderQuerySet.as_manager()

    # Set by a Prefetch(to_attr=...) of the official channels, where a page loads them.
    official_channels: list["ContactChannel"]

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_active", "name"], name="provider_active_name_idx"),
            models.Index(fields=["country"], name="provider_country_idx"),
        ]

    def __str__(self) -> str:
        demo = " [demo]" if self.is_demo else ""
        local = f" ({self.local_name})" if self.local_name else ""
        return f"{self.name}{local}{demo}"

    def save(self, *args, **kwargs) -> None:
        self.search_text = search.search_text(
            name=self.name,
            name_zh=self.name_zh,
            local_name=self.local_name,
            slug=self.slug,
            aliases=self.aliases,
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        refuse_future_dates(self, "last_verified_on")

    @property
    def display_name(self) -> str:
        """The name to show people: the Chinese one on Chinese pages when there is one."""
        if self.name_zh and (get_language() or "").lower().startswith("zh"):
            return self.name_zh
        return self.name

    @property
    def display_local_name(self) -> str:
        """The local name to show beside display_name, or "" when it says the same thing."""
        if not self.local_name or search.fold(self.local_name) == search.fold(self.display_name):
            return ""
        return self.local_name

    @property
    def country_name(self) -> str:
        return str(COUNTRY_NAMES.get(self.country, self.country))

    def offers(self, kind: str) -> bool:
        return getattr(self, OFFER_FIELDS[ServiceKind(kind)])

    def is_unchecked_for(self, kind: str) -> bool:
        """Whether `kind` is one we have not checked: not claimed, but not ruled out either."""
        return not self.service_kinds_checked and not self.offers(kind)

    def typical_days(self, *, waiting_for_operator: bool) -> int:
        if waiting_for_operator:
            return self.typical_operator_days or settings.TYPICAL_OPERATOR_DAYS
        return self.typical_review_days or settings.TYPICAL_REVIEW_DAYS


class ContactChannel(models.Model):
    """One way to reach a provider; only official channels are shown as trustworthy."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        WEB_FORM = "web_form", _("Web form")
        EMAIL = "email", _("Email")
        IN_APP_CHAT = "in_app_chat", _("In-app chat")
        STORE = "store", _("Store")
        POST = "post", _("Post")
        FAX = "fax", _("Fax")

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="channels", verbose_name=_("provider")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=120, blank=True)
    label_zh_hans = models.CharField(_("label (Chinese)"), max_length=120, blank=True)
    value = models.CharField(_("value"), max_length=300)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    hours_zh_hans = models.CharField(_("hours (Chinese)"), max_length=200, blank=True)
    languages = models.CharField(_("languages"), max_length=100, blank=True)
    is_official = models.BooleanField(_("official"), default=True)
    verified_on = models.DateField(_("verified"), null=True, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")
        ordering = ["provider", "position", "id"]
        constraints = [
            # The importer matches channels on this key; the database keeps it true.
            models.UniqueConstraint(
                fields=["provider", "kind", "value"], name="channel_provider_kind_value_unique"
            ),
            models.CheckConstraint(
                condition=Q(is_official=False) | ~Q(source_url=""),
                name="channel_official_needs_source",
                violation_error_message=_("An official channel needs the source it was seen at."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider.name}: {self.get_kind_display()} {self.value}"

    def clean(self) -> None:
        refuse_future_dates(self, "verified_on")

    # The stored row before a save, kept by the audit receivers (providers/signals.py).
    _audit_before: dict | None

    def audit_snapshot(self) -> dict:
        return {
            field.attname: str(getattr(self, field.attname))
            for field in self._meta.concrete_fields
            if field.attname != "id"
        }


class ContactChannelChange(models.Model):
    """The audit trail of the contact directory: who changed which channel, before and after."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        DELETED = "deleted", _("Deleted")

    channel = models.ForeignKey(
        ContactChannel, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="channel_changes")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact channel change")
        verbose_name_plural = _("contact channel changes")
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["provider", "-changed_at"], name="channelchange_prov_idx")]

    def __str__(self) -> str:
        when = f"{self.changed_at:%Y-%m-%d %H:%M}"
        return f"{self.get_action_display()} {self.provider.name} channel at {when}"


class ChannelReport(models.Model):
    """Someone says a public channel's detail is wrong: the agents' queue until re-checked.

    The case it came from is kept as its plain reference, checked by whoever took the report:
    `providers` never imports from `cases`.
    """

    channel = models.ForeignKey(
        ContactChannel, on_delete=models.CASCADE, related_name="reports", verbose_name=_("channel")
    )
    text = models.TextField(_("what is wrong"), max_length=1000)
    case_reference = models.CharField(_("case"), max_length=12, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("channel report")
        verbose_name_plural = _("channel reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The agents' queue: the open reports, newest first.
            models.Index(
                fields=["-created_at", "-id"],
                name="channelreport_open_idx",
                condition=Q(resolved_at__isnull=True),
            ),
            models.Index(fields=["channel", "-created_at"], name="channelreport_channel_idx"),
        ]

    def __str__(self) -> str:
        return f"Report on channel {self.channel_id} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Playbook(models.Model):
    """The ordered steps for a provider and service kind, or the generic ones for a kind."""

    provider = models.ForeignKey(
        Provider,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="playbooks",
        help_text=_("Empty for the generic playbook of the service kind."),
    )
    service_kind = models.CharField(_("service kind"), max_length=20, choices=ServiceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        ordering = ["service_kind", "provider__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "service_kind"], name="playbook_provider_kind_unique"
            ),
            models.UniqueConstraint(
                fields=["service_kind"],
                condition=Q(provider__isnull=True),
                name="playbook_generic_kind_unique",
            ),
        ]

    def __str__(self) -> str:
        owner = self.provider.name if self.provider is not None else _("Generic")
        return f"{owner} — {self.get_service_kind_display()}"


class StepKind(models.TextChoices):
    CHECKLIST = "checklist", _("Checklist (precaution)")
    ACTION = "action", _("Action")
    WAIT = "wait", _("Wait")


class StepAnswer(models.TextChoices):
    """Answers given before the steps are copied that can make a step moot."""

    NUMBER_CAN_GO = "number_can_go", _("The number can go (not moving it)")
    DEVICE_LOST = "device_lost", _("The device is lost or stolen")


class EvidenceKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Confirmation email or SMS")
    FINAL_BILL = "final_bill", _("Final bill or receipt")
    CERTIFICATE = "certificate", _("Cancellation certificate")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    IDENTITY = "identity", _("Identity document")
    OTHER = "other", _("Other")


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="steps", verbose_name=_("playbook")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    title = models.CharField(_("title"), max_length=200)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200)
    instructions = models.TextField(_("instructions"))
    instructions_zh_hans = models.TextField(_("instructions (Chinese)"))
    evidence_kind = models.CharField(
        _("evidence asked for"), max_length=20, choices=EvidenceKind.choices, blank=True
    )
    starts_waiting = models.BooleanField(
        _("completing it starts waiting on the provider"), default=False
    )
    region = models.CharField(
        _("region"),
        max_length=2,
        blank=True,
        help_text=_("ISO country code: the step only applies to providers there."),
    )
    hidden_when = models.JSONField(
        _("left out when"),
        default=list,
        blank=True,
        help_text=_(
            "Answers that make the step moot, as a list: number_can_go, device_lost. "
            "A case with any of them does not get the step."
        ),
    )

    class Meta:
        verbose_name = _("playbook step")
        verbose_name_plural = _("playbook steps")
        ordering = ["playbook", "position"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "position"], name="playbookstep_order")
        ]

    def __str__(self) -> str:
        return f"{self.playbook} · {self.position}. {self.title}"


class EscalationRegion(models.Model):
    """A country's rules for when a provider will not move: how long to wait, the notice period.

    Every rule carries the official page it was seen on and the date: the waiting time in
    particular changes (Ofcom's 8 weeks), so it is data, never a constant in code.
    """

    country = models.CharField(
        _("country"), max_length=2, unique=True, help_text=_("ISO 3166 code, e.g. GB, CN.")
    )
    regulator = models.CharField(_("regulator"), max_length=200)
    regulator_zh_hans = models.CharField(_("regulator (Chinese)"), max_length=200, blank=True)
    wait_days = models.PositiveSmallIntegerField(
        _("days to wait after the first complaint"),
        null=True,
        blank=True,
        help_text=_("Empty: escalation opens at the case's own stall point."),
    )
    wait_rule = models.TextField(_("waiting rule"), blank=True)
    wait_rule_zh_hans = models.TextField(_("waiting rule (Chinese)"), blank=True)
    wait_source_url = models.URLField(_("waiting rule source"), max_length=500, blank=True)
    wait_verified_on = models.DateField(_("waiting rule verified"), null=True, blank=True)
    notice_period_months = models.PositiveSmallIntegerField(
        _("notice period in months"), null=True, blank=True
    )
    notice_rule = models.TextField(_("notice period rule"), blank=True)
    notice_rule_zh_hans = models.TextField(_("notice period rule (Chinese)"), blank=True)
    notice_source_url = models.URLField(_("notice rule source"), max_length=500, blank=True)
    notice_verified_on = models.DateField(_("notice rule verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation region")
        verbose_name_plural = _("escalation regions")
        ordering = ["country"]
        constraints = [
            models.CheckConstraint(
                condition=Q(wait_days__isnull=True)
                | (~Q(wait_source_url="") & Q(wait_verified_on__isnull=False)),
                name="region_wait_needs_source",
                violation_error_message=_("A waiting time needs its source and verified date."),
            ),
            models.CheckConstraint(
                condition=Q(notice_period_months__isnull=True)
                | (~Q(notice_source_url="") & Q(notice_verified_on__isnull=False)),
                name="region_notice_needs_source",
                violation_error_message=_("A notice period needs its source and verified date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{COUNTRY_NAMES.get(self.country, self.country)}: {self.regulator}"

    def clean(self) -> None:
        refuse_future_dates(self, "wait_verified_on", "notice_verified_on")

    @property
    def country_name(self) -> str:
        return str(COUNTRY_NAMES.get(self.country, self.country))


class EscalationRoute(models.Model):
    """Where to take a dispute the provider will not settle: an ombudsman, ADR scheme or regulator.

    Shipped only from the scheme's, regulator's or government's own pages (source and date).
    """

    region = models.ForeignKey(
        EscalationRegion, on_delete=models.CASCADE, related_name="routes", verbose_name=_("region")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    url = models.URLField(_("where to start"), max_length=500)
    applies_when = models.TextField(_("when it takes a case"))
    applies_when_zh_hans = models.TextField(_("when it takes a case (Chinese)"), blank=True)
    how = models.TextField(_("how to apply"))
    how_zh_hans = models.TextField(_("how to apply (Chinese)"), blank=True)
    include = models.TextField(_("what to include"))
    include_zh_hans = models.TextField(_("what to include (Chinese)"), blank=True)
    cost = models.CharField(_("cost"), max_length=200, blank=True)
    cost_zh_hans = models.CharField(_("cost (Chinese)"), max_length=200, blank=True)
    providers = models.ManyToManyField(
        Provider,
        blank=True,
        related_name="escalation_routes",
        verbose_name=_("member providers"),
        help_text=_("Empty: open to every provider of the region."),
    )
    source_url = models.URLField(_("source"), max_length=500)
    verified_on = models.DateField(_("verified"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("escalation route")
        verbose_name_plural = _("escalation routes")
        ordering = ["region", "position", "id"]

    def __str__(self) -> str:
        return f"{self.region.country}: {self.name}"

    def clean(self) -> None:
        refuse_future_dates(self, "verified_on")
