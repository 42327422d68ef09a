"""The Simplified Chinese catalogue is complete, compiled, and used by the pages.

The .po is read with a tiny parser (no polib): every message has a translation, none is
fuzzy, placeholders survive, and the committed .mo says the same as a fresh `msgfmt`.
Every string the code and templates mark for translation must be in the catalogue, so a
new string without a translation fails here rather than showing English on a Chinese page.
"""

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.translation.template import templatize

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"
# As `makemessages --ignore=.venv --ignore=var --ignore=node_modules` (hidden folders too).
IGNORED_DIRS = {".venv", "var", "node_modules", "static", "__pycache__"}
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{\w*\}|<[^>]+>")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def parse_po(path: Path) -> list[Entry]:  # noqa: C901 - one pass over lines reads best
    """Entries of a .po file, header included (msgid ""); obsolete (#~) entries skipped."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$')

    def finish() -> None:
        nonlocal entry, target
        if entry is not None and entry.msgstr:
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if entry is None or (line.startswith("#") and target and target[0] == "msgstr"):
            finish()
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := keyword.match(line):
            name, index, text = match.groups()
            value = ast.literal_eval(text)
            if name == "msgstr":
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = value
            else:
                if name == "msgid":
                    entry.line = number
                target = (name, 0)
                setattr(entry, name, value)
        elif line.startswith('"') and target:
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
        else:
            raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    return parse_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(po_entries) -> list[Entry]:
    return [entry for entry in po_entries if entry.msgid]


def describe(entry: Entry) -> str:
    return f"{PO_PATH.relative_to(BASE_DIR)}:{entry.line} {entry.msgid!r}"


def test_header_declares_simplified_chinese_in_utf8(po_entries):
    header = next(entry for entry in po_entries if entry.msgid == "")
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "zh_Hans"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "fuzzy" not in header.flags


def test_catalogue_is_not_trivially_small(messages):
    assert len(messages) > 300


def test_every_message_is_translated(messages):
    untranslated = [
        describe(entry)
        for entry in messages
        if not entry.msgstr or not all(text.strip() for text in entry.msgstr.values())
    ]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)


def test_plural_messages_have_exactly_one_form(messages):
    wrong = [
        describe(entry)
        for entry in messages
        if entry.msgid_plural is not None and sorted(entry.msgstr) != [0]
    ]
    assert not wrong, "zh has one plural form, msgstr[0] only:\n" + "\n".join(wrong)


def test_no_message_is_fuzzy(messages):
    fuzzy = [describe(entry) for entry in messages if "fuzzy" in entry.flags]
    assert not fuzzy, "fuzzy entries are left out of the .mo:\n" + "\n".join(fuzzy)


def test_translations_keep_placeholders_and_markup(messages):
    broken = []
    for entry in messages:
        for source in {entry.msgid, entry.msgid_plural} - {None}:
            wanted = sorted(set(PLACEHOLDER.findall(source)))
            for text in entry.msgstr.values():
                if sorted(set(PLACEHOLDER.findall(text))) != wanted:
                    broken.append(f"{describe(entry)} -> {text!r}")
    assert not broken, "placeholders or tags differ:\n" + "\n".join(broken)


def test_translations_are_chinese(messages):
    """A msgstr copied from the msgid is a miss, unless it is a name or a code (IMEI, eSIM)."""
    copied = [
        describe(entry)
        for entry in messages
        if entry.msgstr[0] == entry.msgid and re.search(r"[a-z]{3,}.*\s.*[a-z]{3,}", entry.msgid)
    ]
    assert not copied, "left in English:\n" + "\n".join(copied)


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs gettext's msgfmt")
def test_compiled_catalogue_is_up_to_date(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", fresh, PO_PATH], check=True)
    assert MO_PATH.exists(), "run: python manage.py compilemessages"
    with fresh.open("rb") as wanted, MO_PATH.open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(wanted)._catalog
        ), "the .mo is out of date: run python manage.py compilemessages"


# -- every marked string is in the catalogue ------------------------------------------------

PY_KEYWORDS = {  # name: (context argument or None, message arguments), as xgettext is told
    "_": (None, (0,)),
    "gettext": (None, (0,)),
    "gettext_lazy": (None, (0,)),
    "gettext_noop": (None, (0,)),
    "ngettext": (None, (0, 1)),
    "ngettext_lazy": (None, (0, 1)),
    "pgettext": (0, (1,)),
    "pgettext_lazy": (0, (1,)),
    "npgettext": (0, (1, 2)),
    "npgettext_lazy": (0, (1, 2)),
}
_QUOTED = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATIZED_CALL = re.compile(rf"(?<![\w.])(_|n?p?gettext)\(((?:{_QUOTED}(?:, )?)+)")
TEMPLATIZED_STRING = re.compile(_QUOTED)


def project_files(*suffixes: str):
    for path in sorted(BASE_DIR.rglob("*")):
        parts = path.relative_to(BASE_DIR).parts
        if any(part in IGNORED_DIRS or part.startswith(".") for part in parts):
            continue
        if path.suffix in suffixes and path.is_file():
            yield path


def marked_in_python(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in PY_KEYWORDS:
            continue
        context_at, message_at = PY_KEYWORDS[name]
        args = node.args
        if len(args) <= max(message_at) or not all(
            isinstance(args[i], ast.Constant) and isinstance(args[i].value, str)
            for i in (*message_at, *(() if context_at is None else (context_at,)))
        ):
            continue
        context = None if context_at is None else args[context_at].value
        yield (context, args[message_at[0]].value), f"{path.relative_to(BASE_DIR)}:{node.lineno}"


def marked_in_template(path: Path):
    source = templatize(path.read_text(encoding="utf-8"), str(path))
    for call in TEMPLATIZED_CALL.finditer(source):
        strings = [
            ast.literal_eval(text.removeprefix("u")) for text in TEMPLATIZED_STRING.findall(call[2])
        ]
        context = strings.pop(0) if call[1].startswith(("pgettext", "npgettext")) else None
        yield (context, strings[0]), str(path.relative_to(BASE_DIR))


def test_every_marked_string_is_in_the_catalogue(messages):
    translated = {entry.key for entry in messages if all(entry.msgstr.values())}
    found = [*(m for p in project_files(".py") for m in marked_in_python(p))]
    found += [m for p in project_files(".html", ".txt") for m in marked_in_template(p)]
    assert len(found) > 300, "the extraction found too little: is the walk broken?"
    missing = sorted({f"{where}: {key[1]!r}" for key, where in found if key not in translated})
    assert not missing, (
        "marked for translation but not translated; run makemessages -l zh_Hans, translate, "
        "compilemessages:\n" + "\n".join(missing)
    )


# -- pages in Chinese -----------------------------------------------------------------------

PAGES = [
    ("/", ["End a mobile line, with proof", "Start: what do you want to cancel?"]),
    ("/start/", ["What do you want to cancel?", "Question 1 of 4"]),
    ("/accounts/login/", ["Sign in or save your case", "Email me a code"]),
]


def chinese(msgid: str) -> str:
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no translation for {msgid!r}"
    assert CJK.search(text), f"no Chinese for {msgid!r}"
    return str(conditional_escape(text))


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "msgids"), PAGES)
def test_pages_follow_accept_language(client, url, msgids):
    response = client.get(url, headers={"accept-language": "zh-hans,zh;q=0.9,en;q=0.5"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    for msgid in msgids:
        assert chinese(msgid) in html
        assert msgid not in html
    assert response.headers["Content-Language"] == "zh-hans"


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "msgids"), PAGES)
def test_pages_follow_the_language_cookie(client, url, msgids):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert '<html lang="zh-hans">' in html
    for msgid in msgids:
        assert chinese(msgid) in html


@pytest.mark.django_db
def test_pages_stay_english_by_default(client):
    html = client.get("/start/").content.decode()
    assert '<html lang="en">' in html
    assert "What do you want to cancel?" in html
    assert not CJK.search(html.split("<select", 1)[0])
