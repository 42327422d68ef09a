"""The provider directory importer: validate whole files, then upsert them in one transaction.

A file (YAML or JSON) holds a mapping with three optional lists:

    providers: [{slug, name, service_kinds: [...], ..., channels: [{kind, value, ...}]}]
    playbooks: [{provider: slug-or-null, service_kind, title, title_zh_hans, steps: [...]}]
    regions: [{country, regulator, wait_days, ..., routes: [{slug, name, providers: [...]}]}]

Every entry is checked with a ModelForm (so the model's own validators and constraints
apply) plus the rules of the directory: no unknown keys, official channels carry their
source, demo providers only link to reserved domains, real ones never do, every escalation
route and waiting rule names its official source and the date it was seen. Either every file
is valid and everything is written, or nothing is.
"""

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from providers import search
from providers.models import (
    OFFER_FIELDS,
    ContactChannel,
    EscalationRegion,
    EscalationRoute,
    Playbook,
    PlaybookStep,
    Provider,
    ServiceKind,
    StepAnswer,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
FILE_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}

PROVIDER_FIELDS = [
    "slug",
    "name",
    "name_zh",
    "local_name",
    "aliases",
    "country",
    "website",
    "cancellation_url",
    "service_kinds_checked",
    "has_self_service",
    "identity_checks",
    "identity_checks_zh_hans",
    "typical_review_days",
    "typical_operator_days",
    "porting_info",
    "porting_info_zh_hans",
    "notes",
    "notes_zh_hans",
    "last_verified_on",
    "is_active",
    "is_demo",
]
CHANNEL_FIELDS = [
    "kind",
    "label",
    "label_zh_hans",
    "value",
    "hours",
    "hours_zh_hans",
    "languages",
    "is_official",
    "verified_on",
    "source_url",
    "position",
]
PLAYBOOK_FIELDS = ["service_kind", "title", "title_zh_hans", "is_active"]
STEP_FIELDS = [
    "position",
    "kind",
    "title",
    "title_zh_hans",
    "instructions",
    "instructions_zh_hans",
    "evidence_kind",
    "starts_waiting",
    "region",
    "hidden_when",
]

REGION_FIELDS = [
    "country",
    "regulator",
    "regulator_zh_hans",
    "wait_days",
    "wait_rule",
    "wait_rule_zh_hans",
    "wait_source_url",
    "wait_verified_on",
    "notice_period_months",
    "notice_rule",
    "notice_rule_zh_hans",
    "notice_source_url",
    "notice_verified_on",
]
ROUTE_FIELDS = [
    "slug",
    "name",
    "name_zh_hans",
    "url",
    "applies_when",
    "applies_when_zh_hans",
    "how",
    "how_zh_hans",
    "include",
    "include_zh_hans",
    "cost",
    "cost_zh_hans",
    "source_url",
    "verified_on",
    "position",
]

PROVIDER_KEYS = {*PROVIDER_FIELDS, "service_kinds", "channels"}
CHANNEL_KEYS = set(CHANNEL_FIELDS)
PLAYBOOK_KEYS = {*PLAYBOOK_FIELDS, "provider", "steps"}
STEP_KEYS = set(STEP_FIELDS)
REGION_KEYS = {*REGION_FIELDS, "routes"}
ROUTE_KEYS = {*ROUTE_FIELDS, "providers"}
TOP_LEVEL_KEYS = {"providers", "playbooks", "regions"}

# RFC 2606 / RFC 6761 names that can never reach a real company.
RESERVED_DOMAIN = re.compile(
    r"(?:^|\.)(?:example\.(?:com|net|org)|example|test|invalid|localhost)$", re.IGNORECASE
)
HOST_IN_TEXT = re.compile(r"(?:https?://|@)([a-z0-9.-]+\.[a-z]{2,})", re.IGNORECASE)
# Ofcom's numbers for drama: London 020 7946 0xxx, mobile 07700 900xxx, 01632 960xxx.
FICTIONAL_UK_NUMBER = re.compile(r"^44(?:2079460\d{3}|7700900\d{3}|1632960\d{3})$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")


def is_reserved_host(host: str) -> bool:
    return bool(RESERVED_DOMAIN.search(host.rstrip(".")))


def hosts_in(text: str) -> list[str]:
    """Domain names in a URL, an email address or free text."""
    if not text:
        return []
    hosts = [match.group(1) for match in HOST_IN_TEXT.finditer(text)]
    if not hosts and "://" in text:
        hosts = [urlsplit(text).hostname or ""]
    return [host.lower().rstrip(".") for host in hosts if host]


def is_fictional_number(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if digits.startswith("0"):
        digits = "44" + digits[1:]
    return bool(FICTIONAL_UK_NUMBER.match(digits))


@dataclass(frozen=True)
class EntryError:
    """One problem in one entry: where it is (file, entry, field) and what is wrong."""

    source: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.entry}: {self.field}: {self.message}"


class ImportFailed(Exception):
    """The files had errors; nothing was imported."""

    def __init__(self, errors: Sequence[EntryError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass
class ImportSummary:
    """What an import did, per kind of record (providers, channels, playbooks)."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, record: str, outcome: str) -> None:
        self.counts.setdefault(record, Counter())[outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    @property
    def created(self) -> int:
        return self.total("created")

    @property
    def updated(self) -> int:
        return self.total("updated")

    @property
    def unchanged(self) -> int:
        return self.total("unchanged")

    @property
    def deleted(self) -> int:
        return self.total("deleted")

    def __str__(self) -> str:
        return gettext(
            "created %(created)d, updated %(updated)d, unchanged %(unchanged)d, deleted %(deleted)d"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
        }

    def lines(self) -> list[str]:
        out = []
        for record, counter in self.counts.items():
            out.append(
                gettext(
                    "  %(record)s: created %(created)d, updated %(updated)d, "
                    "unchanged %(unchanged)d, deleted %(deleted)d"
                )
                % {"record": record, **{k: counter[k] for k in _OUTCOMES}}
            )
        return out


_OUTCOMES = ("created", "updated", "unchanged", "deleted")


# --- forms: one per kind of entry, so the model's validation applies ---------------------


class ProviderEntryForm(forms.ModelForm):
    service_kinds = forms.MultipleChoiceField(label=_("service kinds"), choices=ServiceKind.choices)

    class Meta:
        model = Provider
        fields = PROVIDER_FIELDS

    def clean_country(self) -> str:
        country = self.cleaned_data["country"]
        if country and not COUNTRY_CODE.match(country):
            raise forms.ValidationError(_("Use a two-letter upper-case ISO 3166 code, e.g. GB."))
        return country

    def clean_last_verified_on(self) -> Any:
        verified_on = self.cleaned_data["last_verified_on"]
        if verified_on and verified_on > timezone.localdate():
            raise forms.ValidationError(_("It cannot have been checked on a future date."))
        return verified_on

    def clean_name_zh(self) -> str:
        name = self.cleaned_data["name_zh"].strip()
        if name and not CJK.search(name):
            raise forms.ValidationError(
                _("Give the name in Chinese characters (中国移动), or leave the key out.")
            )
        simplified = search.to_simplified(name)
        if simplified != name:
            raise forms.ValidationError(
                _("Use Simplified Chinese: %(simplified)s.") % {"simplified": simplified}
            )
        return name

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        kinds = set(cleaned.get("service_kinds") or [])
        if cleaned.get("service_kinds_checked") is False and kinds == set(ServiceKind.values):
            self.add_error(
                "service_kinds_checked",
                _("It offers every kind, so none is left unchecked: leave the key out."),
            )
        is_demo = cleaned.get("is_demo", False)
        for name in ("website", "cancellation_url"):
            for host in hosts_in(cleaned.get(name) or ""):
                if is_demo and not is_reserved_host(host):
                    self.add_error(name, demo_host_error(host))
                elif not is_demo and is_reserved_host(host):
                    self.add_error(name, real_host_error(host))
        return cleaned


class ChannelEntryForm(forms.ModelForm):
    class Meta:
        model = ContactChannel
        fields = CHANNEL_FIELDS

    def __init__(self, *args, is_demo: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.is_demo = is_demo

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        verified_on = cleaned.get("verified_on")
        if verified_on and verified_on > timezone.localdate():
            self.add_error("verified_on", _("A channel cannot have been seen on a future date."))
        if cleaned.get("is_official"):
            if not cleaned.get("source_url") and "source_url" not in self.errors:
                self.add_error(
                    "source_url", _("An official channel needs the source it was seen at.")
                )
            if not cleaned.get("verified_on") and "verified_on" not in self.errors:
                self.add_error("verified_on", _("An official channel needs the date it was seen."))
        for name in ("value", "source_url"):
            for host in hosts_in(cleaned.get(name) or ""):
                if self.is_demo and not is_reserved_host(host):
                    self.add_error(name, demo_host_error(host))
                elif not self.is_demo and is_reserved_host(host):
                    self.add_error(name, real_host_error(host))
        value = cleaned.get("value") or ""
        if cleaned.get("kind") == ContactChannel.Kind.PHONE and value:
            fictional = is_fictional_number(value)
            if self.is_demo and not fictional:
                self.add_error(
                    "value",
                    _("A demo provider's phone number must be fictional (+44 20 7946 0xxx)."),
                )
            elif not self.is_demo and fictional:
                self.add_error("value", _("A real provider cannot have a fictional number."))
        return cleaned


class PlaybookEntryForm(forms.ModelForm):
    class Meta:
        model = Playbook
        fields = PLAYBOOK_FIELDS


class StepEntryForm(forms.ModelForm):
    class Meta:
        model = PlaybookStep
        fields = STEP_FIELDS

    def clean_position(self) -> int:
        position = self.cleaned_data["position"]
        if position is None or position < 1:
            raise forms.ValidationError(_("Positions start at 1."))
        return position

    def clean_region(self) -> str:
        region = self.cleaned_data["region"]
        if region and not COUNTRY_CODE.match(region):
            raise forms.ValidationError(_("Use a two-letter upper-case ISO 3166 code, e.g. GB."))
        return region

    def clean_hidden_when(self) -> list[str]:
        answers = self.cleaned_data["hidden_when"] or []
        if not isinstance(answers, list) or not set(answers) <= set(StepAnswer.values):
            raise forms.ValidationError(
                _("List the answers that hide the step: %(answers)s.")
                % {"answers": ", ".join(StepAnswer.values)}
            )
        return answers


class RegionEntryForm(forms.ModelForm):
    class Meta:
        model = EscalationRegion
        fields = REGION_FIELDS

    def clean_country(self) -> str:
        country = self.cleaned_data["country"]
        if not COUNTRY_CODE.match(country or ""):
            raise forms.ValidationError(_("Use a two-letter upper-case ISO 3166 code, e.g. GB."))
        return country

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # The model's check constraints say the same; here each error names its field.
        for rule, source, verified in (
            ("wait_days", "wait_source_url", "wait_verified_on"),
            ("notice_period_months", "notice_source_url", "notice_verified_on"),
        ):
            if cleaned.get(rule) is None:
                continue
            if not cleaned.get(source) and source not in self.errors:
                self.add_error(source, _("A rule needs the official page it was seen on."))
            if not cleaned.get(verified) and verified not in self.errors:
                self.add_error(verified, _("A rule needs the date it was seen."))
        _no_reserved_hosts(self, ("wait_source_url", "notice_source_url"))
        return cleaned


class RouteEntryForm(forms.ModelForm):
    class Meta:
        model = EscalationRoute
        fields = ROUTE_FIELDS

    def clean(self) -> dict[str, Any]:
        super().clean()
        _no_reserved_hosts(self, ("url", "source_url"))
        return self.cleaned_data


def _no_reserved_hosts(form: forms.ModelForm, names: Iterable[str]) -> None:
    for name in names:
        for host in hosts_in(form.cleaned_data.get(name) or ""):
            if is_reserved_host(host):
                form.add_error(name, real_host_error(host))


def demo_host_error(host: str) -> str:
    return gettext(
        "A demo provider may only link to reserved domains (example.com, .test), not %(host)s."
    ) % {"host": host}


def real_host_error(host: str) -> str:
    return gettext("%(host)s is a reserved example domain; only demo providers may use it.") % {
        "host": host
    }


# --- validated entries ---------------------------------------------------------------------


@dataclass
class ValidChannel:
    values: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return (self.values["kind"], self.values["value"])


@dataclass
class ValidProvider:
    values: dict[str, Any]
    channels: list[ValidChannel]


@dataclass
class ValidPlaybook:
    provider_slug: str | None
    values: dict[str, Any]
    steps: list[dict[str, Any]]


@dataclass
class ValidRoute:
    values: dict[str, Any]
    provider_slugs: list[str]


@dataclass
class ValidRegion:
    values: dict[str, Any]
    routes: list[ValidRoute]


@dataclass
class ValidatedData:
    providers: list[ValidProvider] = field(default_factory=list)
    playbooks: list[ValidPlaybook] = field(default_factory=list)
    regions: list[ValidRegion] = field(default_factory=list)


def form_data(model: type[models.Model], fields: Iterable[str], entry: dict) -> dict:
    """The entry with the model's default for every missing key: the file is authoritative."""
    data = {}
    for name in fields:
        if name in entry:
            value = entry[name]
            data[name] = "" if value is None and _is_text(model, name) else value
        else:
            model_field = model._meta.get_field(name)
            assert isinstance(model_field, models.Field)  # a column, never a reverse relation
            data[name] = model_field.get_default() if model_field.has_default() else None
    return data


def _is_text(model: type[models.Model], name: str) -> bool:
    return model._meta.get_field(name).get_internal_type() in {
        "CharField",
        "TextField",
        "SlugField",
        "URLField",
    }


def form_errors(form: forms.BaseForm, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, messages in form.errors.items():
        label = "(entry)" if name == NON_FIELD_ERRORS else name
        out.extend((f"{prefix}{label}", str(message)) for message in messages)
    return out


class Validator:
    """Checks every entry of every document and collects all errors before any write."""

    def __init__(self) -> None:
        self.errors: list[EntryError] = []
        self.data = ValidatedData()
        self.slugs: dict[str, str] = {}
        self.playbook_keys: dict[tuple[Any, Any], str] = {}
        self.offers: dict[str, set[str]] = {}
        self.countries: dict[str, str] = {}  # provider slug -> country, from these files
        self.regions: dict[str, str] = {}
        self.route_slugs: dict[str, str] = {}

    def error(self, source: str, entry: str, field_name: str, message: str) -> None:
        self.errors.append(EntryError(source, entry, field_name, str(message)))

    def check_keys(self, source: str, entry: str, item: dict, allowed: set, prefix: str = ""):
        for key in sorted(set(item) - allowed, key=str):
            self.error(source, entry, f"{prefix}{key}", gettext("Unknown key."))

    def document(self, source: str, document: Any) -> None:
        if document is None:
            return
        if not isinstance(document, dict):
            self.error(source, "(file)", "(file)", gettext("Expected a mapping at the top."))
            return
        self.check_keys(source, "(file)", document, TOP_LEVEL_KEYS)
        for section in TOP_LEVEL_KEYS:
            if not isinstance(document.get(section, []), list):
                self.error(source, "(file)", section, gettext("Expected a list."))
        providers = document.get("providers") or []
        if isinstance(providers, list):
            for index, item in enumerate(providers):
                self.provider(source, index, item)

    def playbooks_of(self, source: str, document: Any) -> None:
        # Second pass, so a playbook may name a provider from any file of the import.
        if not isinstance(document, dict) or not isinstance(document.get("playbooks"), list):
            return
        for index, item in enumerate(document["playbooks"]):
            self.playbook(source, index, item)

    def regions_of(self, source: str, document: Any) -> None:
        # Second pass too: a route names its member providers from any file of the import.
        if not isinstance(document, dict) or not isinstance(document.get("regions"), list):
            return
        for index, item in enumerate(document["regions"]):
            self.region(source, index, item)

    def region(self, source: str, index: int, item: Any) -> None:
        country = item.get("country") if isinstance(item, dict) else None
        entry = f"regions[{index}]" + (f" ({country})" if country else "")
        if not isinstance(item, dict):
            self.error(source, entry, "(entry)", gettext("Expected a mapping."))
            return
        self.check_keys(source, entry, item, REGION_KEYS)
        if isinstance(country, str) and country in self.regions:
            self.error(
                source,
                entry,
                "country",
                gettext("Duplicate region: already defined by %(other)s.")
                % {"other": self.regions[country]},
            )
        instance = (
            EscalationRegion.objects.filter(country=country).first()
            if isinstance(country, str)
            else None
        )
        form = RegionEntryForm(form_data(EscalationRegion, REGION_FIELDS, item), instance=instance)
        valid = form.is_valid()
        for name, message in form_errors(form):
            self.error(source, entry, name, message)
        if isinstance(country, str):
            self.regions.setdefault(country, f"{source} {entry}")
        raw_routes = item.get("routes")
        if not isinstance(raw_routes, list) or not raw_routes:
            self.error(source, entry, "routes", gettext("A region needs a list of routes."))
            return
        routes = [
            route
            for position, raw in enumerate(raw_routes)
            if (route := self.route(source, entry, position, raw, country=country)) is not None
        ]
        if valid and len(routes) == len(raw_routes):
            values = {name: form.cleaned_data[name] for name in REGION_FIELDS}
            self.data.regions.append(ValidRegion(values, routes))

    def route(
        self, source: str, entry: str, position: int, raw: Any, *, country: Any
    ) -> ValidRoute | None:
        prefix = f"routes[{position}]."
        if not isinstance(raw, dict):
            self.error(source, entry, prefix + "(entry)", gettext("Expected a mapping."))
            return None
        self.check_keys(source, entry, raw, ROUTE_KEYS, prefix)
        slug = raw.get("slug")
        if isinstance(slug, str) and slug in self.route_slugs:
            self.error(
                source,
                entry,
                prefix + "slug",
                gettext("Duplicate slug: already used by %(other)s.")
                % {"other": self.route_slugs[slug]},
            )
        if isinstance(slug, str):
            self.route_slugs.setdefault(slug, f"{source} {entry} {prefix.rstrip('.')}")
        data = form_data(EscalationRoute, ROUTE_FIELDS, raw)
        if "position" not in raw:
            data["position"] = position
        instance = (
            EscalationRoute.objects.filter(slug=slug).first() if isinstance(slug, str) else None
        )
        form = RouteEntryForm(data, instance=instance)
        ok = form.is_valid()
        for name, message in form_errors(form, prefix):
            self.error(source, entry, name, message)
        members = raw.get("providers", [])
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            self.error(source, entry, prefix + "providers", gettext("Expected a list of slugs."))
            return None
        for member in members:
            ok = self.member_ok(source, entry, prefix, member, country=country) and ok
        if not ok:
            return None
        return ValidRoute({name: form.cleaned_data[name] for name in ROUTE_FIELDS}, members)

    def member_ok(self, source: str, entry: str, prefix: str, slug: str, *, country: Any) -> bool:
        """Whether a route's member provider exists (in these files or the database) there."""
        member_country = self.countries.get(slug)
        if member_country is None:
            existing = Provider.objects.filter(slug=slug).first()
            if existing is None:
                self.error(
                    source,
                    entry,
                    prefix + "providers",
                    gettext("No provider with slug %(slug)s in these files or the database.")
                    % {"slug": slug},
                )
                return False
            member_country = existing.country
        if member_country != country:
            self.error(
                source,
                entry,
                prefix + "providers",
                gettext("The provider %(slug)s is not in this region.") % {"slug": slug},
            )
            return False
        return True

    def provider(self, source: str, index: int, item: Any) -> None:
        slug = item.get("slug") if isinstance(item, dict) else None
        entry = f"providers[{index}]" + (f" ({slug})" if slug else "")
        if not isinstance(item, dict):
            self.error(source, entry, "(entry)", gettext("Expected a mapping."))
            return
        self.check_keys(source, entry, item, PROVIDER_KEYS)
        if isinstance(slug, str) and slug in self.slugs:
            self.error(
                source,
                entry,
                "slug",
                gettext("Duplicate slug: already used by %(other)s.") % {"other": self.slugs[slug]},
            )
        instance = Provider.objects.filter(slug=slug).first() if isinstance(slug, str) else None
        data = form_data(Provider, PROVIDER_FIELDS, item)
        data["service_kinds"] = item.get("service_kinds")
        form = ProviderEntryForm(data, instance=instance)
        valid = form.is_valid()
        for name, message in form_errors(form):
            self.error(source, entry, name, message)
        # A form's BooleanField reads "no" or "maybe" as true; a claim about what we checked
        # must be written as a YAML boolean.
        if not isinstance(item.get("service_kinds_checked", True), bool):
            self.error(
                source,
                entry,
                "service_kinds_checked",
                gettext(
                    "Write true or false (false: the official pages confirm only some of its "
                    "kinds), not %(value)s."
                )
                % {"value": repr(item["service_kinds_checked"])},
            )
            valid = False
        if isinstance(slug, str):
            self.slugs.setdefault(slug, f"{source} {entry}")

        is_demo = bool(form.cleaned_data.get("is_demo", item.get("is_demo", False)))
        channels = self.channels(source, entry, item.get("channels", []), is_demo=is_demo)

        if valid and isinstance(slug, str):
            values = {name: form.cleaned_data[name] for name in PROVIDER_FIELDS}
            kinds = set(form.cleaned_data["service_kinds"])
            for kind, offer_field in OFFER_FIELDS.items():
                values[offer_field] = kind in kinds
            self.offers[slug] = kinds
            self.countries[slug] = values["country"]
            self.data.providers.append(ValidProvider(values, channels))

    def channels(
        self, source: str, entry: str, raw_channels: Any, *, is_demo: bool
    ) -> list["ValidChannel"]:
        """The valid channels of a provider entry; every problem is reported."""
        channels: list[ValidChannel] = []
        if not isinstance(raw_channels, list):
            self.error(source, entry, "channels", gettext("Expected a list."))
            return channels
        seen: dict[tuple, int] = {}
        for position, channel in enumerate(raw_channels):
            prefix = f"channels[{position}]."
            if not isinstance(channel, dict):
                self.error(source, entry, prefix + "(entry)", gettext("Expected a mapping."))
                continue
            self.check_keys(source, entry, channel, CHANNEL_KEYS, prefix)
            data = form_data(ContactChannel, CHANNEL_FIELDS, channel)
            if "position" not in channel:
                data["position"] = position
            channel_form = ChannelEntryForm(data, is_demo=is_demo)
            for name, message in form_errors(channel_form, prefix):
                self.error(source, entry, name, message)
            if channel_form.is_valid():
                valid_channel = ValidChannel(channel_form.cleaned_data)
                if valid_channel.key in seen:
                    self.error(
                        source,
                        entry,
                        prefix + "value",
                        gettext("Same kind and value as channels[%(other)d].")
                        % {"other": seen[valid_channel.key]},
                    )
                seen[valid_channel.key] = position
                channels.append(valid_channel)
        return channels

    def playbook(self, source: str, index: int, item: Any) -> None:
        if not isinstance(item, dict):
            self.error(source, f"playbooks[{index}]", "(entry)", gettext("Expected a mapping."))
            return
        slug = item.get("provider")
        kind = item.get("service_kind")
        entry = f"playbooks[{index}] ({slug or 'generic'}/{kind})"
        self.check_keys(source, entry, item, PLAYBOOK_KEYS)
        ok = self.playbook_provider_ok(source, entry, slug, kind)
        form = PlaybookEntryForm(form_data(Playbook, PLAYBOOK_FIELDS, item))
        ok = form.is_valid() and ok
        for name, message in form_errors(form):
            self.error(source, entry, name, message)
        key = (slug, kind)
        if key in self.playbook_keys:
            self.error(
                source,
                entry,
                "service_kind",
                gettext("Duplicate playbook: already defined by %(other)s.")
                % {"other": self.playbook_keys[key]},
            )
            ok = False
        self.playbook_keys.setdefault(key, f"{source} {entry}")

        raw_steps = item.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            self.error(source, entry, "steps", gettext("A playbook needs a list of steps."))
            return
        steps, steps_ok = self.steps(source, entry, raw_steps)
        ok = ok and steps_ok
        if ok:
            values = {name: form.cleaned_data[name] for name in PLAYBOOK_FIELDS}
            steps.sort(key=lambda step: step["position"])
            self.data.playbooks.append(ValidPlaybook(slug, values, steps))

    def playbook_provider_ok(self, source: str, entry: str, slug: Any, kind: Any) -> bool:
        """Whether a playbook's provider (None: generic) exists and offers its service kind."""
        if slug is None:
            return True
        if not isinstance(slug, str):
            self.error(source, entry, "provider", gettext("Give the provider's slug or null."))
            return False
        if slug not in self.offers and not Provider.objects.filter(slug=slug).exists():
            self.error(
                source,
                entry,
                "provider",
                gettext("No provider with slug %(slug)s in these files or the database.")
                % {"slug": slug},
            )
            return False
        offered = self.offers.get(slug)
        if offered is None:
            existing = Provider.objects.get(slug=slug)
            offered = {k for k in OFFER_FIELDS if existing.offers(k)}
        if kind in ServiceKind.values and kind not in offered:
            self.error(
                source,
                entry,
                "service_kind",
                gettext("The provider does not offer this service kind."),
            )
            return False
        return True

    def steps(self, source: str, entry: str, raw_steps: list) -> tuple[list[dict], bool]:
        """A playbook's valid steps, and whether all of them were; every problem is reported."""
        steps: list[dict] = []
        ok = True
        positions: dict[int, int] = {}
        for number, step in enumerate(raw_steps):
            prefix = f"steps[{number}]."
            if not isinstance(step, dict):
                self.error(source, entry, prefix + "(entry)", gettext("Expected a mapping."))
                ok = False
                continue
            self.check_keys(source, entry, step, STEP_KEYS, prefix)
            data = form_data(PlaybookStep, STEP_FIELDS, step)
            if "position" not in step:
                data["position"] = number + 1
            step_form = StepEntryForm(data)
            step_ok = step_form.is_valid()
            for name, message in form_errors(step_form, prefix):
                self.error(source, entry, name, message)
            # Checked even when another field of the step is wrong: report every error at once.
            position = step_form.cleaned_data.get("position")
            if position is None:
                ok = False
                continue
            if position in positions:
                self.error(
                    source,
                    entry,
                    prefix + "position",
                    gettext("Position %(position)d is already used by steps[%(other)d].")
                    % {"position": position, "other": positions[position]},
                )
                ok = False
            positions[position] = number
            if step_ok:
                steps.append({name: step_form.cleaned_data[name] for name in STEP_FIELDS})
            else:
                ok = False
        return steps, ok


# --- reading files -----------------------------------------------------------------------


def read_file(path: Path) -> tuple[Any, list[EntryError]]:
    """Parse one file by its extension; a parse error is reported like any other error."""
    source = str(path)
    kind = FILE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        message = gettext("Unsupported file type: use .yaml, .yml or .json.")
        return None, [EntryError(source, "(file)", "(file)", message)]
    try:
        text = path.read_text(encoding="utf-8")
        return (yaml.safe_load(text) if kind == "yaml" else json.loads(text)), []
    except (OSError, UnicodeDecodeError, yaml.YAMLError, json.JSONDecodeError) as exc:
        return None, [EntryError(source, "(file)", "(file)", str(exc))]


def validate(documents: Sequence[tuple[str, Any]]) -> ValidatedData:
    """Validate every document together; raise ImportFailed listing every error."""
    validator = Validator()
    for source, document in documents:
        validator.document(source, document)
    for source, document in documents:
        validator.playbooks_of(source, document)
        validator.regions_of(source, document)
    if validator.errors:
        raise ImportFailed(validator.errors)
    return validator.data


# --- writing -------------------------------------------------------------------------------


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _upsert_provider(valid: ValidProvider, summary: ImportSummary) -> Provider:
    slug = valid.values["slug"]
    provider = Provider.objects.select_for_update().filter(slug=slug).first()
    if provider is None:
        provider = Provider.objects.create(**valid.values)
        summary.add("providers", "created")
    elif _apply(provider, valid.values):
        provider.save()
        summary.add("providers", "updated")
    else:
        summary.add("providers", "unchanged")

    existing = {(c.kind, c.value): c for c in provider.channels.all()}
    for channel in valid.channels:
        current = existing.pop(channel.key, None)
        if current is None:
            ContactChannel.objects.create(provider=provider, **channel.values)
            summary.add("contact channels", "created")
        elif _apply(current, channel.values):
            current.save()  # the audit signal records before and after
            summary.add("contact channels", "updated")
        else:
            summary.add("contact channels", "unchanged")
    # The file lists the provider's channels in full: one it no longer names is stale, and a
    # stale "official" number is exactly what the directory must never show.
    for stale in existing.values():
        stale.delete()
        summary.add("contact channels", "deleted")
    return provider


def _upsert_playbook(valid: ValidPlaybook, summary: ImportSummary) -> None:
    provider = Provider.objects.get(slug=valid.provider_slug) if valid.provider_slug else None
    playbook = (
        # No default ordering: it joins the nullable provider, which FOR UPDATE refuses.
        Playbook.objects.select_for_update()
        .filter(provider=provider, service_kind=valid.values["service_kind"])
        .order_by()
        .first()
    )
    if playbook is None:
        playbook = Playbook.objects.create(provider=provider, **valid.values)
        PlaybookStep.objects.bulk_create(PlaybookStep(playbook=playbook, **s) for s in valid.steps)
        summary.add("playbooks", "created")
        return
    changed = _apply(playbook, valid.values)
    current_steps = list(playbook.steps.order_by("position").values(*STEP_FIELDS))
    # Cases keep their own copies of steps, so replacing a playbook's steps is safe.
    if current_steps != valid.steps:
        playbook.steps.all().delete()
        PlaybookStep.objects.bulk_create(PlaybookStep(playbook=playbook, **s) for s in valid.steps)
        changed = True
    if changed:
        playbook.save()
        summary.add("playbooks", "updated")
    else:
        summary.add("playbooks", "unchanged")


def _upsert_region(valid: ValidRegion, summary: ImportSummary) -> None:
    country = valid.values["country"]
    region = EscalationRegion.objects.select_for_update().filter(country=country).first()
    if region is None:
        region = EscalationRegion.objects.create(**valid.values)
        summary.add("escalation regions", "created")
    elif _apply(region, valid.values):
        region.save()
        summary.add("escalation regions", "updated")
    else:
        summary.add("escalation regions", "unchanged")
    existing = {route.slug: route for route in EscalationRoute.objects.filter(region=region)}
    for valid_route in valid.routes:
        slug = valid_route.values["slug"]
        route = existing.pop(slug, None) or EscalationRoute.objects.filter(slug=slug).first()
        values = {**valid_route.values, "region": region}
        if route is None:
            route = EscalationRoute.objects.create(**values)
            outcome = "created"
        else:
            outcome = "updated" if _apply(route, values) else "unchanged"
            if outcome == "updated":
                route.save()
        members = set(Provider.objects.filter(slug__in=valid_route.provider_slugs))
        if set(route.providers.all()) != members:
            route.providers.set(members)
            outcome = "created" if outcome == "created" else "updated"
        summary.add("escalation routes", outcome)
    # The file lists a region's routes in full: a route it no longer names is not offered.
    for stale in existing.values():
        stale.delete()
        summary.add("escalation routes", "deleted")


def shipped_data_line() -> str:
    """What the directory holds, in one line: "26 providers, 34 official channels, 4 playbooks"."""
    providers = Provider.objects.active().count()
    channels = ContactChannel.objects.filter(is_official=True, provider__is_active=True).count()
    playbooks = Playbook.objects.filter(is_active=True).count()
    return ", ".join(
        (
            ngettext("%(count)d provider", "%(count)d providers", providers) % {"count": providers},
            ngettext("%(count)d official channel", "%(count)d official channels", channels)
            % {"count": channels},
            ngettext("%(count)d playbook", "%(count)d playbooks", playbooks) % {"count": playbooks},
        )
    )


@transaction.atomic
def write(data: ValidatedData) -> ImportSummary:
    """Upsert validated data: providers by slug, channels by (kind, value), playbooks by kind,
    escalation regions by country and their routes by slug."""
    summary = ImportSummary()
    for valid in data.providers:
        _upsert_provider(valid, summary)
    for playbook in data.playbooks:
        _upsert_playbook(playbook, summary)
    for region in data.regions:
        _upsert_region(region, summary)
    return summary


def import_documents(documents: Sequence[tuple[str, Any]]) -> ImportSummary:
    """Validate all documents, then import them all in one transaction, or raise ImportFailed."""
    return write(validate(documents))


def import_files(paths: Sequence[Path | str], *, dry_run: bool = False) -> ImportSummary:
    """Import YAML/JSON files; with dry_run only validate. Raises ImportFailed on any error."""
    documents, errors = [], []
    for path in map(Path, paths):
        document, file_errors = read_file(path)
        errors.extend(file_errors)
        documents.append((str(path), document))
    if errors:
        raise ImportFailed(errors)
    data = validate(documents)
    return ImportSummary() if dry_run else write(data)


def shipped_files() -> list[Path]:
    """The data shipped with Closeout: every YAML/JSON file under providers/data/."""
    return sorted(p for p in DATA_DIR.iterdir() if p.suffix.lower() in FILE_SUFFIXES)


def load_shipped_data() -> ImportSummary:
    return import_files(shipped_files())
