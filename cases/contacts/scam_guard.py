"""The scam guard: is a contact the customer typed one of the provider's official channels?

Cancelling a line is a favourite pretext of scams that ask for ID photos and verification
codes, so every contact a customer logs (and every note they paste) is compared with the
provider's official channels before it is saved. This module is pure: it takes plain strings
(what was typed, the official values from the directory, the provider's country) and returns
a `Verdict` whose findings each carry a reason code. It reads no database and sends nothing.

What counts as the same channel:
- phone numbers compare as E.164 (phonenumbers), read in the provider's country, so
  `10086`, `100 86`, `+86 10086` and `0086-10086` are one number; a short code or a number
  that is not valid in that country also matches on its national digits;
- web addresses and email domains compare by registrable domain (the offline public suffix
  list), so `https://www.10086.cn/` and `sh.10086.cn` are one site;
- messaging handles compare case-insensitively.
"""

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import phonenumbers
import tldextract
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    MESSAGING = "messaging_handle", _("Messaging-app handle or link")
    UNKNOWN_DOMAIN = "unknown_domain", _("Web address not in the directory")
    UNKNOWN_PHONE = "unknown_phone", _("Phone number not in the directory")
    FREE_MAIL = "free_mail", _("Free email address")
    LOOKALIKE = "lookalike_domain", _("Look-alike of an official address")
    PUNYCODE = "punycode_domain", _("Address in look-alike international characters")
    PREMIUM_RATE = "premium_rate", _("Premium-rate or 400 number")


# What the customer reads next to each finding (the template adds the official channels).
EXPLANATIONS = {
    Reason.MESSAGING: _(
        "This is an account on a messaging app. Providers do not close lines through "
        "private messaging accounts, and scammers often ask people to move there."
    ),
    Reason.UNKNOWN_DOMAIN: _("This web address is not one of the provider's official sites."),
    Reason.UNKNOWN_PHONE: _("This phone number is not one of the provider's official numbers."),
    Reason.FREE_MAIL: _(
        "This is a free email address that anyone can open, not the provider's own address."
    ),
    Reason.LOOKALIKE: _(
        "This address imitates an official one (%(official)s) but leads somewhere else."
    ),
    Reason.PUNYCODE: _(
        "This address uses international characters that can imitate ordinary letters."
    ),
    Reason.PREMIUM_RATE: _(
        "This is a premium-rate or 400 number, and the provider's official number is different."
    ),
}

# Mailboxes anyone can open; an official address on one matches only when written exactly.
FREE_MAIL_DOMAINS = frozenset(
    {
        "163.com", "126.com", "yeah.net", "qq.com", "foxmail.com", "sina.com", "sina.cn",
        "sohu.com", "139.com", "189.cn", "wo.cn", "aliyun.com", "tom.com", "21cn.com",
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk",
        "live.com", "msn.com", "yahoo.com", "yahoo.co.uk", "yahoo.com.hk", "ymail.com",
        "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com",
        "gmx.com", "gmx.de", "gmx.net", "web.de", "yandex.com", "yandex.ru", "mail.ru",
        "mail.com", "zoho.com", "tutanota.com", "naver.com",
    }
)  # fmt: skip

# Hosts (or their parents) and URL schemes of messaging apps, with the app's name.
MESSAGING_HOSTS = {
    "t.me": "Telegram",
    "telegram.me": "Telegram",
    "telegram.dog": "Telegram",
    "telegram.org": "Telegram",
    "wa.me": "WhatsApp",
    "whatsapp.com": "WhatsApp",
    "whatsapp.net": "WhatsApp",
    "line.me": "LINE",
    "lin.ee": "LINE",
    "weixin.qq.com": "WeChat",
    "wechat.com": "WeChat",
    "qm.qq.com": "QQ",
    "wpa.qq.com": "QQ",
    "im.qq.com": "QQ",
    "signal.me": "Signal",
    "viber.com": "Viber",
}
MESSAGING_SCHEMES = {
    "tg": "Telegram",
    "whatsapp": "WhatsApp",
    "line": "LINE",
    "weixin": "WeChat",
    "mqq": "QQ",
    "viber": "Viber",
}

# Letters people (and scammers) swap for one another, folded before comparing domains.
CONFUSABLES = str.maketrans(
    {
        "0": "o", "1": "l", "i": "l", "5": "s",
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "l",
        "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ո": "n", "ѵ": "v", "ԝ": "w",
        "ο": "o", "α": "a", "ν": "v", "ρ": "p", "ι": "l", "κ": "k", "τ": "t", "ε": "e",
    }
)  # fmt: skip
CONFUSABLE_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))

_LETTER = r"a-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"  # Latin, Greek, Cyrillic
_LABEL = rf"[{_LETTER}](?:[{_LETTER}-]{{0,61}}[{_LETTER}])?"
_HOST = rf"(?:{_LABEL}\.)+{_LABEL}"
# A link ends at a space, a quote or bracket, or where Chinese text (or its punctuation) starts.
_PATH_CHARS = r"[^\s<>\"'()\u3000-\u9fff\uff00-\uffef]"
# Look-behinds name ASCII and the letters of _LETTER, not \w: Chinese text runs into a link.
_BEFORE = rf"(?<![{_LETTER}_@.-])"
URL = re.compile(rf"(?<![a-z])(?:https?|ftp)://{_PATH_CHARS}+", re.IGNORECASE)
APP_URL = re.compile(
    rf"(?<![a-z])({'|'.join(MESSAGING_SCHEMES)}):(?://)?{_PATH_CHARS}+", re.IGNORECASE
)
EMAIL = re.compile(rf"{_BEFORE}[a-z0-9._%+-]+@({_HOST})", re.IGNORECASE)
BARE_HOST = re.compile(rf"{_BEFORE}({_HOST})(/{_PATH_CHARS}*)?", re.IGNORECASE)
# Keyword, optional "id/number" word, separator, then the handle or number.
_SEP = r"\s*(?:号码|号|账号|群|id|number|no\.?)?\s*[:：]?\s*"
KEYWORD_HANDLES = (
    ("QQ", re.compile(rf"(?<![a-z])(?:qq|扣扣){_SEP}(\d{{5,12}})", re.IGNORECASE)),
    (
        "WeChat",
        re.compile(
            rf"(?:微信|威信|v信|(?<![a-z])(?:vx|wx|wechat|weixin)(?![a-z])){_SEP}"
            r"(\+?[a-z0-9][\w-]{4,19})",
            re.IGNORECASE,
        ),
    ),
    ("WeChat", re.compile(r"(?<![a-z])(wxid_[a-z0-9]{4,})", re.IGNORECASE)),
    ("LINE", re.compile(rf"(?:\bLINE\b|(?i:\bline\s*id\b)){_SEP}@?([\w.-]{{3,20}})")),
    (
        "WhatsApp",
        re.compile(rf"whats\s*app{_SEP}(\+?\d[\d\s().-]{{5,}}\d)", re.IGNORECASE),
    ),
    (
        "Telegram",
        re.compile(
            rf"(?:telegram|电报|纸飞机|(?<![a-z])tg(?![a-z])){_SEP}@?([a-z]\w{{3,31}})",
            re.IGNORECASE,
        ),
    ),
)
# Naming the app alone is enough in a contact field ("WeChat"), not in a free-text note.
APP_NAMES = (
    ("WeChat", re.compile(r"微信|wechat|weixin", re.IGNORECASE)),
    ("QQ", re.compile(r"(?<![a-z])qq(?![a-z])", re.IGNORECASE)),
    ("WhatsApp", re.compile(r"whats\s*app", re.IGNORECASE)),
    ("Telegram", re.compile(r"telegram|电报|纸飞机", re.IGNORECASE)),
    ("LINE", re.compile(r"\bLINE\b")),
    ("Signal", re.compile(r"\bSignal\b")),
    ("Viber", re.compile(r"viber", re.IGNORECASE)),
)
AT_HANDLE = re.compile(r"(?<![a-z0-9_.@])@([a-z][a-z0-9_.]{3,31})(?![\w@])", re.IGNORECASE)
PHONE_RUN = re.compile(r"(?:\+|\b00|\(\+?)?\d[\d\s().\-]*\d")
NOT_DIGITS = re.compile(r"\D")

PREMIUM_TYPES = {
    phonenumbers.PhoneNumberType.PREMIUM_RATE,
    phonenumbers.PhoneNumberType.SHARED_COST,
}


@dataclass(frozen=True)
class Finding:
    """One thing in the text that is not an official channel, and why."""

    code: Reason
    value: str  # what was found, as typed (never turned into a link)
    app: str = ""  # the messaging app, for MESSAGING
    official: str = ""  # the official domain imitated, for LOOKALIKE

    @property
    def explanation(self) -> str:
        return EXPLANATIONS[self.code] % {"official": self.official}

    def as_dict(self) -> dict[str, str]:
        data = {"code": str(self.code), "value": self.value}
        if self.app:
            data["app"] = self.app
        if self.official:
            data["official"] = self.official
        return data


@dataclass(frozen=True)
class Verdict:
    """What the guard found; empty findings mean nothing looked unofficial."""

    findings: tuple[Finding, ...] = ()

    @property
    def is_suspicious(self) -> bool:
        return bool(self.findings)

    @property
    def codes(self) -> list[str]:
        return sorted({str(finding.code) for finding in self.findings})

    def as_dict(self) -> dict[str, Any]:
        """The verdict as stored on a ContactAttempt (JSON)."""
        return {"findings": [finding.as_dict() for finding in self.findings]}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Verdict":
        findings = []
        for item in (data or {}).get("findings", []):
            if item.get("code") in Reason.values:
                findings.append(
                    Finding(
                        code=Reason(item["code"]),
                        value=str(item.get("value", "")),
                        app=str(item.get("app", "")),
                        official=str(item.get("official", "")),
                    )
                )
        return cls(tuple(findings))


# --- what a text contains --------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    kind: str  # "phone", "email", "domain", "handle"
    value: str
    keys: frozenset = field(default_factory=frozenset)
    host: str = ""  # the ASCII host, for email and domain
    app: str = ""
    is_valid: bool = False  # a phone number valid in its country (not a short code)
    is_premium: bool = False


@cache
def _psl() -> tldextract.TLDExtract:
    # The snapshot bundled with the package: no network, no cache folder. Private suffixes
    # (github.io, ...) count, so each site under them is a domain of its own.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


def _ascii_host(host: str) -> str:
    host = host.strip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""


def registrable_domain(host: str) -> str:
    """`www.sh.10086.cn` → `10086.cn`; "" for something that is not a domain on the web."""
    ascii_host = _ascii_host(host)
    if not ascii_host:
        return ""
    return _psl()(ascii_host).top_domain_under_public_suffix


def _messaging_app(host: str) -> str:
    parts = host.split(".")
    for start in range(len(parts) - 1):
        app = MESSAGING_HOSTS.get(".".join(parts[start:]))
        if app:
            return app
    return ""


def _handle_key(handle: str) -> frozenset:
    return frozenset({("handle", handle.lower().lstrip("@").strip("/"))})


def _url_item(text: str, host: str, path: str) -> _Item | None:
    ascii_host = _ascii_host(host)
    if not registrable_domain(ascii_host):
        return None
    app = _messaging_app(ascii_host)
    if app:
        handle = path.strip("/").split("/")[-1] if path.strip("/") else ""
        query = parse_qs(urlsplit(text).query)
        handle = (query.get("phone") or query.get("domain") or [handle])[0]
        return _Item("handle", text, _handle_key(handle or ascii_host), app=app)
    return _Item("domain", text, host=ascii_host)


def _phone_item(raw: str, region: str) -> _Item | None:
    digits = NOT_DIGITS.sub("", raw)
    if not 3 <= len(digits) <= 17:
        return None
    keys: set[tuple[str, str]] = set()
    is_valid = is_premium = False
    attempts = [raw]
    if not raw.lstrip("( ").startswith(("+", "00")) and len(digits) >= 8:
        attempts.append("+" + digits)  # "(852) 2512 3123": a country code without its plus
    for attempt in attempts:
        try:
            number = phonenumbers.parse(attempt, region or None)
        except phonenumbers.NumberParseException:
            continue
        is_valid = phonenumbers.is_valid_number(number)
        home = phonenumbers.country_code_for_region(region) if region else 0
        if attempt is not raw and not is_valid and number.country_code != home:
            continue
        keys.add(("e164", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)))
        keys.add(("nd", str(number.national_number)))
        if is_valid:
            is_premium = phonenumbers.number_type(number) in PREMIUM_TYPES
            break
    if not keys:
        keys.add(("nd", digits.lstrip("0")))
    # China's 400 numbers are company hotlines anyone can rent: a favourite of fake support.
    national = next((key for kind, key in keys if kind == "nd"), "")
    if region in ("", "CN") and national.startswith("400") and len(national) == 10:
        is_premium = True
    return _Item("phone", raw.strip(), frozenset(keys), is_valid=is_valid, is_premium=is_premium)


def _fold(text: str) -> str:
    """NFKC per character where it keeps one character (full-width ｃｎ, ＠, ：), so that
    positions in the folded text are positions in what the customer typed."""
    folded = (unicodedata.normalize("NFKC", char) for char in text)
    return "".join(new if len(new) == 1 else old for new, old in zip(folded, text, strict=True))


# Words that may stand around a short number in a contact field ("call 150", "拨打 10086").
PHONE_WORDS = re.compile(r"tel|phone|call(?:ed)?|dial(?:led)?|hotline|电话|热线|拨打|致电", re.I)
SHORT_CODE_DIGITS = 5


class _Scanner:
    """Finds items in a text one kind at a time, blanking each match so it is seen once."""

    def __init__(self, text: str) -> None:
        self.original = text or ""
        self.text = _fold(self.original)

    def take(self, match: re.Match | tuple[int, int]) -> str:
        start, end = match.span() if isinstance(match, re.Match) else match
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]
        return self.original[start:end].strip()

    def rest_without(self, start: int, end: int) -> str:
        return self.text[:start] + self.text[end:]


def _links(scan: _Scanner) -> Iterator[_Item]:
    for match in APP_URL.finditer(scan.text):
        raw = match.group(0).rstrip(".,;:!?")
        handle = re.split(r"[/?=&]", raw.split(":", 1)[1].lstrip("/"))[-1]
        app = MESSAGING_SCHEMES[match.group(1).lower()]
        value = scan.take((match.start(), match.start() + len(raw)))
        yield _Item("handle", value, _handle_key(handle), app=app)
    for match in URL.finditer(scan.text):
        raw = match.group(0).rstrip(".,;:!?")
        parts = urlsplit(raw)
        item = _url_item(raw, parts.hostname or "", parts.path)
        if item:
            yield replace(item, value=scan.take((match.start(), match.start() + len(raw))))


def _addresses(scan: _Scanner) -> Iterator[_Item]:
    for match in EMAIL.finditer(scan.text):
        host = _ascii_host(match.group(1))
        if registrable_domain(host):
            key = frozenset({("email", match.group(0).lower())})
            yield _Item("email", scan.take(match), key, host=host)
    for match in BARE_HOST.finditer(scan.text):
        item = _url_item(match.group(0), match.group(1), match.group(2) or "")
        if item:
            yield replace(item, value=scan.take(match))


def _handles(scan: _Scanner, *, is_contact: bool) -> Iterator[_Item]:
    for app, pattern in KEYWORD_HANDLES:
        for match in pattern.finditer(scan.text):
            handle = match.group(1).strip()
            key = NOT_DIGITS.sub("", handle) if app == "WhatsApp" else handle
            yield _Item("handle", scan.take(match), _handle_key(key), app=app)
    for match in AT_HANDLE.finditer(scan.text):
        yield _Item("handle", scan.take(match), _handle_key(match.group(1)))
    if is_contact:
        for app, pattern in APP_NAMES:
            for match in pattern.finditer(scan.text):
                yield _Item("handle", scan.take(match), _handle_key(app), app=app)


def _phones(scan: _Scanner, *, region: str, is_contact: bool) -> Iterator[_Item]:
    if is_contact:
        spans = [(m.start(), m.end()) for m in PHONE_RUN.finditer(scan.text)]
    else:
        # In free text only numbers valid in the region (dates and references are not).
        matcher = phonenumbers.PhoneNumberMatcher(
            scan.text, region or "ZZ", leniency=phonenumbers.Leniency.VALID
        )
        spans = [(m.start, m.end) for m in matcher]
    for start, end in spans:
        raw = scan.text[start:end]
        if is_contact and len(NOT_DIGITS.sub("", raw)) < SHORT_CODE_DIGITS:
            # "150" is a number only when it stands alone, not "Shop 123, Nathan Road".
            rest = PHONE_WORDS.sub("", scan.rest_without(start, end))
            if re.search(r"[^\W_]", rest):
                continue
        item = _phone_item(raw, region)
        if item:
            yield replace(item, value=scan.original[start:end].strip())


def _items(text: str, *, region: str, is_contact: bool) -> Iterator[_Item]:
    """Everything reachable in `text`: links, emails, domains, handles, phone numbers.

    Each kind is taken out of the text before the next is looked for, so the digits of a
    link or a QQ number are never read again as a phone number.
    """
    scan = _Scanner(text)
    yield from _links(scan)
    yield from _addresses(scan)
    yield from _handles(scan, is_contact=is_contact)
    yield from _phones(scan, region=region, is_contact=is_contact)


# --- comparing with the directory ------------------------------------------------------------


def _skeleton(label: str) -> str:
    label = unicodedata.normalize("NFKC", label).lower().translate(CONFUSABLES)
    for pair, letter in CONFUSABLE_PAIRS:
        label = label.replace(pair, letter)
    return label.replace("-", "")


def _distance(a: str, b: str) -> int:
    """Damerau–Levenshtein (optimal string alignment) distance."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _first_label(domain: str) -> str:
    """The part of a registrable domain its owner chose: `10086` of `10086.cn`."""
    return domain.split(".")[0]


def _imitated(host: str, domain: str, directory: "_Directory") -> str:
    """The official domain (or the provider's name) that `host` imitates, or ""."""
    label = _first_label(domain)
    decoded = label
    if label.startswith("xn--"):
        try:
            decoded = label.encode("ascii").decode("idna")
        except UnicodeError:
            decoded = label
    labels = [part for part in host.split(".") if part]
    tokens = {token for part in labels for token in part.split("-") if token}
    for official in sorted(directory.domains):
        official_label = _first_label(official)
        if _skeleton(decoded) == _skeleton(official_label):
            return official  # "1OO86.cn", "10086.com", "eе.co.uk" (a Cyrillic е)
        if official_label in tokens and label != official_label:
            return official  # "ee-support.co.uk", "10086.cn.example-help.net"
        if len(official_label) < 4:
            continue
        limit = 1 if len(official_label) < 8 else 2
        if _distance(_skeleton(decoded), _skeleton(official_label)) <= limit:
            return official  # "10068.cn", "chinamoblie.com"
        if any(official_label in part for part in labels):
            return official  # "10086kf.com"
    for name, skeleton in directory.brands:
        if _skeleton(label) != skeleton and any(skeleton in _skeleton(p) for p in labels):
            return name  # "chinamobile-help.com" for a provider without a website
    return ""


@dataclass(frozen=True)
class _Directory:
    phone_keys: frozenset
    emails: frozenset
    domains: frozenset
    handles: frozenset
    brands: tuple[tuple[str, str], ...]  # (name as written, its skeleton)


def _directory(official: Sequence[str], *, region: str, names: Sequence[str]) -> _Directory:
    phone_keys: set = set()
    emails: set = set()
    domains: set = set()
    handles: set = set()
    for value in official:
        for item in _items(value, region=region, is_contact=True):
            if item.kind == "phone":
                # An official number valid in its country matches by E.164 only; a short code
                # (10086) or a number the library cannot place also by its national digits.
                if item.is_valid:
                    phone_keys |= {key for key in item.keys if key[0] == "e164"}
                else:
                    phone_keys |= item.keys
            elif item.kind == "email":
                emails |= item.keys
                domain = registrable_domain(item.host)
                if domain not in FREE_MAIL_DOMAINS:
                    domains.add(domain)
            elif item.kind == "domain":
                domains.add(registrable_domain(item.host))
            elif item.kind == "handle":
                handles |= item.keys
    brands = tuple(
        (name, skeleton)
        for name, skeleton in (
            (name, _skeleton(re.sub(r"[^a-z0-9]", "", name.lower()))) for name in names
        )
        if len(skeleton) >= 5
    )
    return _Directory(
        frozenset(phone_keys), frozenset(emails), frozenset(domains), frozenset(handles), brands
    )


def _domain_finding(item: _Item, directory: _Directory) -> Finding | None:
    domain = registrable_domain(item.host)
    if domain in directory.domains:
        return None
    official = _imitated(item.host, domain, directory)
    if official:
        return Finding(Reason.LOOKALIKE, item.value, official=official)
    if any(label.startswith("xn--") for label in item.host.split(".")):
        return Finding(Reason.PUNYCODE, item.value)
    return Finding(Reason.UNKNOWN_DOMAIN, item.value)


def _finding(item: _Item, directory: _Directory) -> Finding | None:
    if item.kind == "phone":
        if item.keys & directory.phone_keys:
            return None
        code = Reason.PREMIUM_RATE if item.is_premium else Reason.UNKNOWN_PHONE
        return Finding(code, item.value)
    if item.kind == "email":
        if item.keys & directory.emails:
            return None
        if registrable_domain(item.host) in FREE_MAIL_DOMAINS:
            return Finding(Reason.FREE_MAIL, item.value)
        return _domain_finding(item, directory)
    if item.kind == "domain":
        return _domain_finding(item, directory)
    if item.keys & directory.handles:
        return None
    return Finding(Reason.MESSAGING, item.value, app=item.app)


def _check(
    text: str, *, official: Sequence[str], country: str, names: Sequence[str], is_contact: bool
) -> Verdict:
    region = (country or "").upper()
    directory = _directory(official, region=region, names=names)
    findings: list[Finding] = []
    for item in _items(text, region=region, is_contact=is_contact):
        finding = _finding(item, directory)
        if finding and finding not in findings:
            findings.append(finding)
    return Verdict(tuple(findings))


def check_contact(
    contact: str, *, official: Sequence[str], country: str = "", names: Sequence[str] = ()
) -> Verdict:
    """Check a contact the customer typed (a number, address, link or handle).

    `official` holds the provider's official values: channel values, website, cancellation
    page, source pages. `country` (ISO code) reads national phone numbers; `names` (the
    provider's name and slug) catch look-alike domains of a provider without a website.
    """
    return _check(contact, official=official, country=country, names=names, is_contact=True)


def check_text(
    text: str, *, official: Sequence[str], country: str = "", names: Sequence[str] = ()
) -> Verdict:
    """Check free text (a step note, the outcome note) for unofficial contacts pasted in it.

    Like check_contact, but a number counts only when it is a valid phone number of the
    region (references and dates are not), and naming an app without a handle is fine.
    """
    return _check(text, official=official, country=country, names=names, is_contact=False)
