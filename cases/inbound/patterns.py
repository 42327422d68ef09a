"""Reads a provider's email as an outcome: confirmation, refusal or a request for more, and the
reference it quotes. The wording is data (patterns.yaml); this module is pure."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import opencc
import yaml

PATTERNS_FILE = Path(__file__).with_name("patterns.yaml")
ORDER = ("refused", "needs_more", "confirmed")
OUR_REFERENCE = re.compile(r"^CX-?[0-9A-Z]{4}-?[0-9A-Z]{4}$", re.IGNORECASE)
# Sentence ends in both languages; a quote is the sentence that matched.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])|\n+")
QUOTE_CHARS = 300


@cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _comparable(sentence: str) -> str:
    """Traditional characters (Hong Kong, Taiwan) read as Simplified, so one pattern serves."""
    return _to_simplified().convert(sentence)


@dataclass(frozen=True)
class Suggestion:
    outcome: str  # one of ORDER, or "" when only a reference was found
    quote: str
    reference: str = ""


@dataclass(frozen=True)
class Patterns:
    outcomes: dict[str, list[re.Pattern]]
    references: list[re.Pattern]


@cache
def patterns(path: Path = PATTERNS_FILE) -> Patterns:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    outcomes = {
        outcome: [
            re.compile(expr, re.IGNORECASE)
            for language in data["outcomes"][outcome].values()
            for expr in language
        ]
        for outcome in ORDER
    }
    references = [re.compile(expr, re.IGNORECASE) for expr in data["references"]]
    return Patterns(outcomes=outcomes, references=references)


def _sentences(text: str) -> list[str]:
    return [" ".join(s.split()) for s in SENTENCE_END.split(text) if s and s.strip()]


def _quoted_reply(line: str) -> bool:
    return line.lstrip().startswith(">")


def _own_text(text: str) -> str:
    """The text without lines quoted from earlier mail ("> ..."), which the customer wrote."""
    return "\n".join(line for line in text.splitlines() if not _quoted_reply(line))


def find_reference(text: str, *, known: str = "") -> str:
    """The provider's reference: the one already on the case if the text quotes it, else the
    first labelled one (never one of ours)."""
    flat = _comparable(" ".join(text.split()))
    if known and known.lower() in flat.lower():
        return known
    for pattern in patterns().references:
        for match in pattern.finditer(flat):
            value = match.group(1).strip("-/")
            if (
                len(value) >= 4
                and any(c.isdigit() for c in value)
                and not OUR_REFERENCE.match(value)
            ):
                return value[:100]
    return ""


def suggest(text: str, *, known_reference: str = "") -> Suggestion | None:
    """The outcome the text reads as, with the sentence that says so; None if nothing does."""
    own = _own_text(text)
    sentences = _sentences(own)
    reference = find_reference(own, known=known_reference)
    comparable = [(sentence, _comparable(sentence)) for sentence in sentences]
    for outcome in ORDER:
        for pattern in patterns().outcomes[outcome]:
            for sentence, folded in comparable:
                if pattern.search(folded):
                    quote = (
                        sentence
                        if len(sentence) <= QUOTE_CHARS
                        else sentence[: QUOTE_CHARS - 1] + "…"
                    )
                    return Suggestion(outcome=outcome, quote=quote, reference=reference)
    return None
