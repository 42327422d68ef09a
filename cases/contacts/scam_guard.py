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
- messaging handles compare case-insensitively;
- on a host where anyone can publish (shared_platforms.py: Google Sites, Zendesk, github.io,
  every suffix of the public suffix list's PRIVATE section, ...) only the exact official URL
  counts, never the registrable domain;
- a domain whose top-level domain the bundled public suffix list does not know is judged
  (an unknown address), not skipped.

Before anything is compared, the text is folded as a browser would read it: full-width forms
(NFKC) and the dots IDNA/UTS #46 accept (。．｡) become ASCII, hosts are mapped by UTS #46.
Numbers and sender names written with look-alike characters (1OO86 for 10086, V0dafone,
02 for O2) are flagged for every provider: a real one never writes them so.
"""

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import idna
import phonenumbers
import tldextract
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.contacts.shared_platforms import SHARED_HOSTS


class Reason(models.TextChoices):
    MESSAGING = "messaging_handle", _("Messaging-app handle or link")
    UNKNOWN_DOMAIN = "unknown_domain", _("Web address not in the directory")
    UNKNOWN_PHONE = "unknown_phone", _("Phone number not in the directory")
    FREE_MAIL = "free_mail", _("Free email address")
    LOOKALIKE = "lookalike_domain", _("Look-alike of an official address")
    PUNYCODE = "punycode_domain", _("Address in look-alike international characters")
    PREMIUM_RATE = "premium_rate", _("Premium-rate or 400 number")
    DISGUISED = "disguised_characters", _("Letters and digits swapped to imitate a number or name")
    SHARED_PLATFORM = "shared_platform", _("Page on a site where anyone can publish")


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
    Reason.DISGUISED: _(
        "This is written with look-alike characters (such as the letter O for a zero, or the "
        "digit 1 for an l) so that it reads as %(official)s. Real numbers and sender names "
        "are never written this way."
    ),
    Reason.SHARED_PLATFORM: _(
        "This page is on %(official)s, where anyone can publish. Only the provider's own "
        "pages listed as official can be trusted there."
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

# Letters that pass for digits in a number (Latin, Cyrillic and Greek look-alikes; full-width
# forms are folded to these first). "1OO86" reads as 10086 and dials nothing of the sort.
DIGIT_LOOKALIKES = {
    "O": "0", "o": "0", "О": "0", "о": "0", "Ο": "0", "ο": "0",
    "l": "1", "I": "1", "|": "1", "Ӏ": "1", "ǀ": "1",
    "Z": "2", "z": "2",
    "З": "3", "з": "3",
    "S": "5", "s": "5",
    "G": "6", "b": "6", "б": "6",
    "B": "8",
    "g": "9", "q": "9",
}  # fmt: skip
ZERO_ONE_LOOKALIKES = frozenset("OoОоΟοlI|Ӏǀ")
# Digits that pass for letters in a name: "V0dafone", "g1ffgaff", "Thr3e", "02" for O2.
LETTER_LOOKALIKES = str.maketrans(
    {"0": "o", "1": "l", "2": "z", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"}
)
_SCRIPTS = r"A-Za-z0-9_\u0370-\u03ff\u0400-\u04ff"
_LOOK = re.escape("".join(DIGIT_LOOKALIKES))
NUMBER_LIKE = re.compile(
    rf"(?<![{_SCRIPTS}])[0-9{_LOOK}](?:[0-9{_LOOK}]|[ .()\-](?=[0-9{_LOOK}]))*(?![{_SCRIPTS}])"
)
_NAME_CHARS = r"A-Za-z0-9\u0370-\u03ff\u0400-\u04ff"
NAME_LIKE = re.compile(rf"(?<![{_SCRIPTS}])[{_NAME_CHARS}]{{2,}}(?![{_SCRIPTS}])")
FOREIGN_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
# A digit standing between letters ("V0dafone"): in a contact field, a disguise by itself.
DIGIT_IN_WORD = re.compile(r"[A-Za-z][0134578][A-Za-z]")

# The dots browsers accept in a host name (UTS #46 maps each to "."): 。 ． ｡
DOT_EQUIVALENTS = "\u3002\uff0e\uff61"
# Between two label characters a dot equivalent is a dot. In free text, a sentence that ends
# in 。 and starts again in Latin letters ("10086。EE ...") is no host: there the next label
# must start in lower case or a digit, as hosts are written.
_DOT_IN_CONTACT = re.compile(rf"(?<=[a-z0-9-])[{DOT_EQUIVALENTS}](?=[a-z0-9])", re.IGNORECASE)
_DOT_IN_TEXT = re.compile(rf"(?<=[A-Za-z0-9-])[{DOT_EQUIVALENTS}](?=[a-z0-9])")

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
    # The official domain imitated (LOOKALIKE), what a disguised value reads as (DISGUISED),
    # or the platform a page is on (SHARED_PLATFORM).
    official: str = ""

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
    platform: str = ""  # the shared platform a page is on (exact URLs only)
    page: tuple[str, str, str] = ("", "", "")  # (host, path, query) of a page
    reads_as: str = ""  # what a disguised number or name reads as


@cache
def _psl() -> tldextract.TLDExtract:
    # The snapshot bundled with the package: no network, no cache folder. Private suffixes
    # (github.io, ...) count, so each site under them is a domain of its own.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


def _ascii_host(host: str) -> str:
    """The host as a browser sends it: UTS #46 mapping (its dots 。．｡ too), then IDNA."""
    try:
        host = idna.uts46_remap(host, std3_rules=False, transitional=False)
    except (idna.IDNAError, ValueError):
        host = host.translate({ord(dot): "." for dot in DOT_EQUIVALENTS})
    host = host.strip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        try:
            return idna.encode(host, uts46=False).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return ""


def registrable_domain(host: str) -> str:
    """`www.sh.10086.cn` → `10086.cn`; "" for something that is not a domain on the web."""
    ascii_host = _ascii_host(host)
    if not ascii_host:
        return ""
    return _psl()(ascii_host).top_domain_under_public_suffix


IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
ALPHA_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")


def _site(host: str) -> str:
    """The site a host belongs to: its registrable domain, or for a top-level domain the
    bundled list does not know (or an IP address), the host's last two labels (the host)."""
    domain = registrable_domain(host)
    if domain:
        return domain
    ascii_host = _ascii_host(host)
    if IPV4.fullmatch(ascii_host):
        return ascii_host
    return ".".join(ascii_host.split(".")[-2:])


def _is_unknown_suffix(host: str) -> bool:
    """A host name (or IP address) whose top-level domain the bundled list does not know."""
    ascii_host = _ascii_host(host)
    if not ascii_host or "." not in ascii_host or registrable_domain(ascii_host):
        return False
    return bool(IPV4.fullmatch(ascii_host) or ALPHA_TLD.fullmatch(ascii_host.rsplit(".", 1)[1]))


def shared_platform(host: str) -> str:
    """The platform's name when anyone can publish on `host` (shared_platforms.py), else ""."""
    ascii_host = _ascii_host(host)
    parts = ascii_host.split(".")
    for start in range(len(parts) - 1):
        name = SHARED_HOSTS.get(".".join(parts[start:]))
        if name:
            return name
    if ascii_host:
        extracted = _psl()(ascii_host)
        if extracted.is_private and extracted.domain:
            return extracted.suffix  # github.io, netlify.app: the PSL's PRIVATE section
    return ""


def _page_key(text: str, host: str) -> tuple[str, str, str]:
    """(host, path, query) of a page, as compared on a shared platform."""
    text = text.strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    parts = urlsplit(text if "://" in text else "//" + text)
    return (_ascii_host(host), unquote(parts.path).rstrip("/"), parts.query)


def _messaging_app(host: str) -> str:
    parts = host.split(".")
    for start in range(len(parts) - 1):
        app = MESSAGING_HOSTS.get(".".join(parts[start:]))
        if app:
            return app
    return ""


def _handle_key(handle: str) -> frozenset:
    return frozenset({("handle", handle.lower().lstrip("@").strip("/"))})


def _url_item(text: str, host: str, path: str, *, is_address: bool = True) -> _Item | None:
    """A link or bare host; `is_address`: clearly meant as an address (a scheme, a contact
    field), so a top-level domain the bundled list does not know is judged, not skipped."""
    ascii_host = _ascii_host(host)
    if not registrable_domain(ascii_host) and not (is_address and _is_unknown_suffix(host)):
        return None
    app = _messaging_app(ascii_host)
    if app:
        handle = path.strip("/").split("/")[-1] if path.strip("/") else ""
        query = parse_qs(urlsplit(text).query)
        handle = (query.get("phone") or query.get("domain") or [handle])[0]
        return _Item("handle", text, _handle_key(handle or ascii_host), app=app)
    platform = shared_platform(ascii_host)
    page = _page_key(text, ascii_host) if platform else ("", "", "")
    return _Item("domain", text, host=ascii_host, platform=platform, page=page)


def _phone_item(raw: str, region: str) -> _Item | None:
    digits = NOT_DIGITS.sub("", raw)
    if not 3 <= len(digits) <= 17:
        return None
    keys: set[tuple[str, str]] = set()
    is_valid = is_premium = False
    attempts = [raw]
    if not raw.lstrip("( ").startswith(("+", "00")) and len(digits) >= 8:
        attempts.append("+" + digits)  # "(852) 2512 3123": a country code without its plus
    elif raw.lstrip("( ").startswith("00") and len(digits) >= 8:
        attempts.append("+" + digits[2:])  # "00852 ...": 00 dials abroad from most places
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


def _fold(text: str, *, is_contact: bool = True) -> str:
    """NFKC per character where it keeps one character (full-width ｃｎ, ＠, ：), and the dot
    equivalents of a host name as dots, so that positions in the folded text are positions
    in what the customer typed."""
    folded = (unicodedata.normalize("NFKC", char) for char in text)
    text = "".join(new if len(new) == 1 else old for new, old in zip(folded, text, strict=True))
    return (_DOT_IN_CONTACT if is_contact else _DOT_IN_TEXT).sub(".", text)


# Words that may stand around a short number in a contact field ("call 150", "拨打 10086").
PHONE_WORDS = re.compile(r"tel|phone|call(?:ed)?|dial(?:led)?|hotline|电话|热线|拨打|致电", re.I)
SHORT_CODE_DIGITS = 5


class _Scanner:
    """Finds items in a text one kind at a time, blanking each match so it is seen once."""

    def __init__(self, text: str, *, is_contact: bool = True) -> None:
        self.original = text or ""
        self.text = _fold(self.original, is_contact=is_contact)
        self.is_contact = is_contact

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
        if registrable_domain(host) or _is_unknown_suffix(host):
            key = frozenset({("email", match.group(0).lower())})
            platform = shared_platform(host)
            yield _Item("email", scan.take(match), key, host=host, platform=platform)
    for match in BARE_HOST.finditer(scan.text):
        # In free text "file.txt" or "e.g." is no address; "www.x.zz" or "x.zz/login" is.
        is_address = (
            scan.is_contact
            or match.group(1).lower().startswith("www.")
            or len(match.group(2) or "") > 1
        )
        raw = match.group(0).rstrip(".,;:!?")  # a sentence's full stop is not in the path
        path = (match.group(2) or "")[: max(len(raw) - len(match.group(1)), 0)]
        item = _url_item(raw, match.group(1), path, is_address=is_address)
        if item:
            yield replace(item, value=scan.take((match.start(), match.start() + len(raw))))


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


@dataclass(frozen=True)
class _Brand:
    """A provider's name (or a word of it) as a sender name could imitate it."""

    word: str  # as the directory writes it
    skeleton: str
    is_short: bool  # two letters ("EE", "O2"): matched only as a whole contact


def _name_skeleton(text: str) -> str:
    """A name with look-alikes folded: "V0dafone", "Vоdafone" (Cyrillic о), "vodafone" agree."""
    return (
        unicodedata.normalize("NFKC", text)
        .lower()
        .translate(CONFUSABLES)
        .translate(LETTER_LOOKALIKES)
    )


@lru_cache(maxsize=64)
def sender_brands(names: tuple[str, ...]) -> tuple[_Brand, ...]:
    """The words of providers' names a disguised sender name could read as (memoised: a
    pure function of the names)."""
    found: dict[str, _Brand] = {}
    for name in names:
        words = re.findall(r"[A-Za-z0-9]+", name or "")
        for word in [*words, "".join(words)] if len(words) > 1 else words:
            skeleton = _name_skeleton(word)
            if len(skeleton) >= 2 and not word.isdigit() and skeleton not in found:
                found[skeleton] = _Brand(word, skeleton, is_short=len(skeleton) == 2)
    return tuple(found.values())


def _disguise_key(value: str) -> frozenset:
    return frozenset({("disguised", re.sub(r"[\s.()\-]", "", _fold(value)).casefold())})


def _disguised_numbers(scan: _Scanner, official_digits: frozenset = frozenset()) -> Iterator[_Item]:
    """Numbers with letters standing for digits: 1OO86, l0086, 7953 966 25O, 15O, lOOlO."""
    for match in NUMBER_LIKE.finditer(scan.text):
        chars = [char for char in match.group(0) if char not in " .()-"]
        digits = [i for i, char in enumerate(chars) if char in "0123456789"]
        letters = [i for i, char in enumerate(chars) if char not in "0123456789"]
        if not letters or len(chars) < 3:
            continue
        reads_as = "".join(DIGIT_LOOKALIKES.get(char, char) for char in chars)
        if digits:
            inside = any(digits[0] < i < digits[-1] for i in letters)
            # At the ends only ("l0086", "15O"), in a contact field, with digits the most of
            # it or the letters an O or an l: "B1 1BB" (a postcode) or "10B" (a flat) are no
            # disguise. The provider's own number in disguise always is.
            zero_one = {chars[i] for i in letters} <= ZERO_ONE_LOOKALIKES
            at_ends = scan.is_contact and (
                (len(digits) >= 3 and len(letters) < len(digits))
                or (zero_one and (len(digits) >= 2 or len(chars) >= 4))
            )
            if not (inside or at_ends or reads_as.lstrip("0") in official_digits):
                continue
        elif not (
            scan.is_contact
            and len(chars) >= 4
            and set(chars) <= ZERO_ONE_LOOKALIKES
            and {DIGIT_LOOKALIKES[char] for char in chars} == {"0", "1"}
        ):
            continue  # letters only: "lOOlO" in a contact field, never a word in a note
        value = scan.take(match)
        yield _Item("disguised", value, _disguise_key(value), reads_as=reads_as)


def _disguised_names(scan: _Scanner, brands: Sequence[_Brand]) -> Iterator[_Item]:
    """Sender names with digits (or other scripts) standing for letters: V0dafone, 02."""
    whole = scan.text.strip()
    for match in NAME_LIKE.finditer(scan.text):
        token = match.group(0)
        has_digit = any(char in "0123456789" for char in token)
        has_latin = bool(re.search(r"[A-Za-z]", token))
        mixed_scripts = has_latin and bool(FOREIGN_LETTER.search(token))
        is_whole = scan.is_contact and token == whole
        if not ((has_digit and has_latin) or mixed_scripts or (is_whole and has_digit)):
            continue
        skeleton = _name_skeleton(token)
        reads_as = next(
            (
                brand.word
                for brand in brands
                if skeleton == brand.skeleton
                and token.casefold() != brand.word.casefold()
                and (is_whole or not brand.is_short)
            ),
            "",
        )
        letters = sum(char.isalpha() for char in token)
        is_disguise = bool(DIGIT_IN_WORD.search(token)) or mixed_scripts
        if not reads_as and scan.is_contact and letters >= 3 and is_disguise:
            reads_as = token.translate(CONFUSABLES).translate(LETTER_LOOKALIKES)
        if reads_as:
            value = scan.take(match)
            yield _Item("disguised", value, _disguise_key(value), reads_as=reads_as)


def _items(
    text: str,
    *,
    region: str,
    is_contact: bool,
    brands: Sequence[_Brand] = (),
    official_digits: frozenset = frozenset(),
) -> Iterator[_Item]:
    """Everything reachable in `text`: links, emails, domains, handles, disguised numbers
    and names, phone numbers.

    Each kind is taken out of the text before the next is looked for, so the digits of a
    link or a QQ number are never read again as a phone number.
    """
    scan = _Scanner(text, is_contact=is_contact)
    yield from _links(scan)
    yield from _addresses(scan)
    yield from _handles(scan, is_contact=is_contact)
    yield from _disguised_numbers(scan, official_digits)
    yield from _disguised_names(scan, brands)
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
    pages: frozenset = frozenset()  # (host, path, query) of official pages on shared hosts
    disguised: frozenset = frozenset()  # official values that only look disguised


@lru_cache(maxsize=256)
def _directory(
    official: tuple[str, ...],
    *,
    region: str,
    names: tuple[str, ...],
    sender: tuple[_Brand, ...] = (),
) -> _Directory:
    """What the official values hold, by kind (memoised: a pure function of its arguments)."""
    phone_keys: set = set()
    emails: set = set()
    domains: set = set()
    handles: set = set()
    pages: set = set()
    disguised: set = set()
    for value in official:
        for item in _items(value, region=region, is_contact=True, brands=sender):
            if item.kind == "domain" and item.platform:
                pages.add(item.page)  # never the platform's domain: anyone publishes there
            elif item.kind == "email" and item.platform:
                emails |= item.keys
            elif item.kind == "disguised":
                disguised |= item.keys
            elif item.kind == "phone":
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
                domains.add(_site(item.host))
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
        frozenset(phone_keys),
        frozenset(emails),
        frozenset(domains),
        frozenset(handles),
        brands,
        frozenset(pages),
        frozenset(disguised),
    )


def _domain_finding(item: _Item, directory: _Directory) -> Finding | None:
    if item.platform:
        if item.kind == "domain" and item.page in directory.pages:
            return None
        return Finding(Reason.SHARED_PLATFORM, item.value, official=item.platform)
    domain = _site(item.host)
    if domain in directory.domains:
        return None
    official = _imitated(item.host, domain, directory)
    if official:
        return Finding(Reason.LOOKALIKE, item.value, official=official)
    if any(label.startswith("xn--") for label in item.host.split(".")):
        return Finding(Reason.PUNYCODE, item.value)
    return Finding(Reason.UNKNOWN_DOMAIN, item.value)


def _finding(item: _Item, directory: _Directory) -> Finding | None:
    if item.kind == "disguised":
        if item.keys & directory.disguised:
            return None
        return Finding(Reason.DISGUISED, item.value, official=item.reads_as)
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


def _official_digits(directory: _Directory) -> frozenset:
    """The national digits of every official number, to see them through a disguise."""
    found = set()
    for kind, key in directory.phone_keys:
        if kind == "nd":
            found.add(key.lstrip("0"))
        elif kind == "e164":
            found.add(str(phonenumbers.parse(key).national_number))
    return frozenset(found)


def _check(
    text: str,
    *,
    official: Sequence[str],
    country: str,
    names: Sequence[str],
    other_names: Sequence[str],
    is_contact: bool,
) -> Verdict:
    region = (country or "").upper()
    sender = sender_brands((*names, *other_names))
    directory = _directory(tuple(official), region=region, names=tuple(names), sender=sender)
    findings: list[Finding] = []
    digits = _official_digits(directory)
    items = _items(
        text, region=region, is_contact=is_contact, brands=sender, official_digits=digits
    )
    for item in items:
        finding = _finding(item, directory)
        if finding and finding not in findings:
            findings.append(finding)
    return Verdict(tuple(findings))


def check_contact(
    contact: str,
    *,
    official: Sequence[str],
    country: str = "",
    names: Sequence[str] = (),
    other_names: Sequence[str] = (),
) -> Verdict:
    """Check a contact the customer typed (a number, address, link or handle).

    `official` holds the provider's official values: channel values, website, cancellation
    page, source pages. `country` (ISO code) reads national phone numbers; `names` (the
    provider's name and slug) catch look-alike domains of a provider without a website;
    `other_names` (every provider's) catch another carrier's sender name in disguise.
    """
    return _check(
        contact,
        official=official,
        country=country,
        names=names,
        other_names=other_names,
        is_contact=True,
    )


def check_text(
    text: str,
    *,
    official: Sequence[str],
    country: str = "",
    names: Sequence[str] = (),
    other_names: Sequence[str] = (),
) -> Verdict:
    """Check free text (a step note, the outcome note) for unofficial contacts pasted in it.

    Like check_contact, but a number counts only when it is a valid phone number of the
    region (references and dates are not), and naming an app without a handle is fine.
    """
    return _check(
        text,
        official=official,
        country=country,
        names=names,
        other_names=other_names,
        is_contact=False,
    )
