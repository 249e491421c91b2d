"""Numbers with a unit in an article's sentences: money, percentages, counts of something.

Only what the sentence itself says is kept: the number as written, its unit, the words around it
and the period it names, all verbatim slices of the sentence. A number without a unit (a year, "5G",
"12 months") is not a figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?!\w)"
_NUMBER = r"(?<![\w.,$€£¥])" + _DIGITS
_QUALIFIER = (
    r"(?:(more than|over|about|around|nearly|almost|roughly|some|up to|as much as|at least|less than|"
    r"fewer than|approximately|an estimated)\s+)?"
)
_SCALE = r"(?:\s+(million|billion|trillion|thousand|bn|mn|m|k)\b)?"
_CURRENCY_WORDS = (
    r"(yuan|renminbi|euros?|dollars?|pounds?|yen|won|rupees?|francs?|kroner|kronor|krona|roubles?|rubles?)"
)
_SYMBOLS = {"$": "dollars", "US$": "US dollars", "HK$": "Hong Kong dollars", "€": "euros", "£": "pounds", "¥": "¥"}
_PATTERNS = (
    ("money", re.compile(_QUALIFIER + r"(US\$|HK\$|[$€£¥])\s?" + _DIGITS + _SCALE)),
    ("money", re.compile(_QUALIFIER + _NUMBER + _SCALE + r"\s+" + _CURRENCY_WORDS + r"\b", re.IGNORECASE)),
    ("percent", re.compile(_QUALIFIER + _NUMBER + r"(?:\s*%|\s+percent\b|\s+per cent\b)", re.IGNORECASE)),
    ("count", re.compile(_QUALIFIER + _NUMBER + _SCALE + r"\s+(?=[A-Za-z])", re.IGNORECASE)),
)
# Words that end what a count counts ("35 primary schools have been …").
STOPWORDS = frozenset(
    "a an the this that these those which who whom whose is are was were be been being has have had do does did "
    "will would can could may might must shall should to in on at by for from with into onto over under about "
    "each per every than then as so but or if when while since until after before during across through up down "
    "out off again also still just only not no nor its their his her our your my it they we you he she them "
    "mostly mainly each year a".split()
)
_TIME_UNITS = re.compile(r"^(seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(y|ies))$", re.I)
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# A period the sentence dates ("in July 2024", "by 2030") before one it only relates ("year-on-year").
_PERIODS = (
    re.compile(
        rf"\b(?:(?:in|by|since|until|through|during|for|as of|from)\s+)?(?:(?:{_MONTHS})\s+)?(?:19|20)\d\d"
        r"(?:\s+(?:to|and)\s+(?:19|20)\d\d)?\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:(?:in|over|during|within)\s+the\s+(?:next|past|last|previous|coming)\s+(?:\d+|\w+)\s+"
        r"(?:days|weeks|months|years)|(?:last|this|next|each|every|a) year|year-on-year|annually)\b",
        re.IGNORECASE,
    ),
)
_CHANGE = re.compile(r"\b(increase|rise|growth|jump|fall|drop|decline|gain|cut)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    kind: str  # money, percent or count
    value: int | float
    unit: str  # "billion yuan", "percent", "kilometres of protected bike lanes"
    text: str  # the words as written: "more than 140 kilometres of protected bike lanes"
    start: int
    end: int
    noun: str = ""  # what a count counts: "kilometres of protected bike lanes"

    @property
    def number(self) -> str:
        """The number and its scale as the article writes it, without the qualifier: "249.7 billion"."""
        return _QUALIFIER_RE.sub("", self.text, count=1)


_QUALIFIER_RE = re.compile("^" + _QUALIFIER, re.IGNORECASE)


def find_quantities(sentence: str) -> list[Quantity]:
    """Each number with a unit in ``sentence``, in order; a conversion in brackets after money
    ("249.7 billion yuan ($34.4 billion)") belongs to the money before it."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            quantity = _quantity(kind, match, sentence)
            if quantity is not None:
                found.append(quantity)
                taken.append((quantity.start, quantity.end))
    found.sort(key=lambda q: q.start)
    result: list[Quantity] = []
    for quantity in found:
        before = result[-1] if result else None
        if (
            before is not None
            and before.kind == quantity.kind == "money"
            and re.fullmatch(r"\s*\(\s*", sentence[before.end : quantity.start])
            and sentence[quantity.end : quantity.end + 1] == ")"
        ):
            result[-1] = Quantity(
                "money",
                before.value,
                before.unit,
                sentence[before.start : quantity.end + 1],
                before.start,
                quantity.end + 1,
            )
            continue
        result.append(quantity)
    return result


def _quantity(kind: str, match: re.Match[str], sentence: str) -> Quantity | None:
    groups = list(match.groups())
    if kind == "money" and match.re is _PATTERNS[0][1]:
        _, symbol, whole, decimals, scale = groups
        unit = " ".join(filter(None, (scale, _SYMBOLS[symbol])))
    else:
        whole, decimals = groups[1], groups[2]
        scale = groups[3] if kind in ("money", "count") else None
        unit = "percent" if kind == "percent" else ""
        if kind == "money":
            unit = " ".join(filter(None, (scale, groups[4].lower())))
    value: int | float = float(f"{whole.replace(',', '')}.{decimals}") if decimals else int(whole.replace(",", ""))
    end = match.end()
    noun = ""
    if kind == "count":
        if not scale and not decimals and "," not in whole and 1800 <= int(whole) <= 2100:
            return None  # a year: a period, not a figure
        noun, end = _noun_phrase(sentence, match.end())
        if not noun or _TIME_UNITS.match(noun.split()[0]) or re.match(rf"^({_MONTHS})\b", noun):
            return None
        unit = " ".join(filter(None, (scale, noun)))
    return Quantity(kind, value, unit, sentence[match.start() : end].strip(), match.start(), end, noun)


def _noun_phrase(sentence: str, start: int) -> tuple[str, int]:
    """The words a count counts, up to the first function word: "new bridges and underpasses"."""
    words = list(re.finditer(r"[A-Za-z][\w'’-]*|[^\sA-Za-z]", sentence[start:]))
    kept: list[re.Match[str]] = []
    for index, word in enumerate(words[:8]):
        text = word.group().lower()
        following = words[index + 1].group().lower() if index + 1 < len(words) else ""
        joins = text in ("of", "and") and kept and following.isalpha() and following not in STOPWORDS
        if not word.group()[0].isalpha() or (text in STOPWORDS and not joins):
            break
        kept.append(word)
    while kept and kept[-1].group().lower() in ("of", "and"):
        kept.pop()
    if not kept:
        return "", start
    return sentence[start + kept[0].start() : start + kept[-1].end()], start + kept[-1].end()


def period_of(sentence: str) -> str:
    """The time a sentence names ("in 2024", "in the next 12 months"), as written; "" if none."""
    for pattern in _PERIODS:
        if match := pattern.search(sentence):
            return match.group().strip()
    return ""


def change_word(sentence: str, quantity: Quantity) -> str:
    """The noun after a percentage that makes it a change ("a 23 percent year-on-year increase")."""
    match = _CHANGE.search(sentence[quantity.end : quantity.end + 30])
    return match.group() if match else ""
