"""Which target answers a question, and whether to answer at all: one calibrated model.

Each (question, target) pair is described by features from both views, the lexical (idf-weighted
words, typo repair) and the semantic (sentence embeddings). A logistic model turns them into the
probability that the target is the right answer. The best target is the most probable one; the bot
answers when that probability reaches ``answer_at``. Weights and thresholds are data
(``content/parameters.yaml``), fitted by ``benchmarks/tune.py`` with cross-validation over question
sets written apart from the content; nothing here is set by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from bot.core.matcher import NAME_INSIDE, Candidate
from bot.core.parameters import FEATURES
from bot.core.semantic import Nearness

__all__ = ["FEATURES", "add_embedded", "features", "foreign_script", "lexical_features"]

# What a question asks for, and whether an answer holds it: a quantity (a number that is not a year),
# a time (a year, a month, a date), a person (a capitalised name). General English and Chinese.
_ASKS = {
    "quantity": re.compile(r"\bhow (many|much|big|large)\b|\bnumber of\b|多少|几个|幾個|几家|幾家|多大", re.IGNORECASE),
    "time": re.compile(
        r"\bwhen\b|\bwhat (year|month|day|date|time)\b|什么时候|什麼時候|何时|何時|哪一?[年天]|几[月号]|幾[月號]|日期",
        re.IGNORECASE,
    ),
    "person": re.compile(r"^\W*who\b|\bwho (is|are|was|were|founded|runs|leads|said)\b|\bwhom\b|谁|誰", re.IGNORECASE),
    # Named ones: "which universities", "what companies", "… by name", "name them".
    "names": re.compile(
        r"\b(?:which|what|name the|name some|name any)\s+(?:\w+\s+)?(?:countr(?:y|ies)|compan(?:y|ies)|firms?|"
        r"universit(?:y|ies)|schools?|governments?|politicians?|officials?|analysts?|banks?|institutions?|"
        r"organi[sz]ations?|newspapers?|papers?|outlets?|products?|apps?|brands?)\b|\bby name\b|"
        r"\bname (?:them|names|any|some)\b|哪些(?:国家|國家|公司|企业|企業|大学|大學)|哪(?:家|所)",
        re.IGNORECASE,
    ),
    # 几点 alone is also "how many points": only with 钟 or a verb of publishing after it.
    "clock": re.compile(r"\btime of (?:the )?day\b|\bwhat hour\b|[几幾][点點](?:钟|鐘|[发發出上])", re.IGNORECASE),
}
_ONE_COUNTRY = re.compile(r"\b(?:which|what) country\b|哪[个個]?国家|哪[个個]?國家|哪国|哪國", re.IGNORECASE)
_HOLDS = {
    # A number that is not a year nor part of a name such as "5G"; or a large number in words.
    "quantity": re.compile(
        r"(?<![\d.\w])(?!(?:19|20)\d\d(?![\d\w]))\d[\d,.]*(?![A-Za-z\d])|\b(hundred|thousand|million|billion)\b",
        re.IGNORECASE,
    ),
    "time": re.compile(
        r"\b(19|20)\d\d\b|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b"
    ),
    "person": re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+ [A-Z][a-z]+\b"),
    "clock": re.compile(r"\b\d{1,2}:\d\d\b|\b\d{1,2}\s?[ap]\.?m\b|\bo'clock\b", re.IGNORECASE),
}
# A year, also in "2025年" and before a comma or full stop ("In 2024, …"); not part of a larger number.
YEAR = re.compile(r"(?<!\d)(?<!\d[.,])(?:19|20)\d\d(?!\d|[.,]\d|%)")
_MONTHS = frozenset("january february march april may june july august september october november december".split())


class Holds(NamedTuple):
    """What a target's answer states, against what a question asks for (see ``_ASKS``)."""

    kinds: frozenset[str]  # quantity, time, person, clock
    names: frozenset[str]  # index terms of the names it gives, the article's subject and months left out
    subject: frozenset[str]  # the article's subject, where it names it: the answer to "which country …?"
    years: frozenset[str]  # the years its answer and passages name


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def foreign_script(question: str) -> float:
    """The share of a question's letters in Chinese, Japanese or Korean script."""
    letters = sum(map(str.isalpha, question))
    return sum(map(str.isalpha, _CJK.findall(question))) / letters if letters else 0.0


_COLUMN = {name: i for i, name in enumerate(FEATURES)}


def answer_holds(answer: str, passages: str, term: Callable[[str], str], subject: frozenset[str]) -> Holds:
    """What a target's answer states; ``term`` makes the index terms its names are compared as, ``subject``
    is the article's own (China)."""
    # The names an answer gives: capitalised words inside a sentence ("names" is held when it gives one
    # the question does not already name, see ``lacks``).
    names = {term(word.casefold()) for word in NAME_INSIDE.findall(answer) if word.casefold() not in _MONTHS}
    return Holds(
        frozenset(kind for kind, pattern in _HOLDS.items() if pattern.search(answer)),
        frozenset(names - subject),
        frozenset(names & subject),
        frozenset(YEAR.findall(f"{answer} {passages}")),
    )


def asks_for(question: str) -> frozenset[str]:
    return frozenset(kind for kind, pattern in _ASKS.items() if pattern.search(question))


def lacks(asked: frozenset[str], question: str, question_terms: frozenset[str], holds: Holds) -> bool:
    """Whether the question asks for a kind of thing the answer does not state. Names count only when
    the answer gives one the question has not named itself ("which Western countries…": "the West" is
    not an answer)."""
    if "names" in asked and not holds.names - question_terms:
        # One country asked for ("which country has 250 million users?"): China is an answer, where the
        # question does not name it already. Several ("which 160 countries"): China is not.
        one = bool(holds.subject - question_terms) and bool(_ONE_COUNTRY.search(question))
        if not one:
            return True
    return bool(asked - holds.kinds - {"names"})


def other_year(question: str, holds: Holds) -> bool:
    """The question names a year the target's answer and passages do not ("… in 2023?")."""
    return bool(set(YEAR.findall(question)) - holds.years)


def features(
    candidates: list[Candidate],
    nearness: Nearness,
    index_of: dict[str, int],
    question: str,
    holds: list[Holds] | None = None,
    question_terms: frozenset[str] = frozenset(),
    stranger: bool = False,
    grams: np.ndarray | None = None,
) -> np.ndarray:
    """One row per target (in library order), columns as ``FEATURES``; ``grams``: the n-gram probe's
    scores, per target then for "not answered"."""
    rows = lexical_features(candidates, len(nearness.asked), index_of, question, holds, question_terms, stranger, grams)
    add_embedded(rows, nearness)
    return rows


def lexical_features(
    candidates: list[Candidate],
    targets: int,
    index_of: dict[str, int],
    question: str,
    holds: list[Holds] | None = None,
    question_terms: frozenset[str] = frozenset(),
    stranger: bool = False,
    grams: np.ndarray | None = None,
) -> np.ndarray:
    """``features`` without the embedding's (``EMBEDDED`` columns 0): what the quick stage decides by."""
    column = _COLUMN
    rows = np.zeros((targets, len(FEATURES)), dtype=np.float64)
    rows[:, column["missing"]] = 1.0  # a target the lexical view did not find lacks the question's weightiest word
    lexical_unanswered = 0.0
    for candidate in candidates:
        row = rows[index_of[candidate.target.id]]
        row[column["lexical"]] = candidate.score / 100
        row[column["coverage"]] = candidate.coverage
        row[column["closeness"]] = candidate.closeness
        row[column["conflict"]] = float(candidate.conflict)
        row[column["missing"]] = candidate.missing
        if candidate.unanswered is not None:
            lexical_unanswered = candidate.unanswered
    lexical = rows[:, column["lexical"]]
    script = foreign_script(question)
    if grams is not None:
        rows[:, column["grams"]] = grams[:-1]
        rows[:, column["grams_unanswered"]] = grams[-1]
    # No word in common means little when the question is Chinese, and much when it is English.
    rows[:, column["unmatched"]] = (rows[:, column["lexical"]] == 0) * (1.0 - script)
    rows[:, column["lexical_lead"]] = lexical - _best_other(lexical)
    rows[:, column["lexical_unanswered"]] = lexical_unanswered - rows[:, column["closeness"]]
    rows[:, column["foreign_script"]] = script
    asked = asks_for(question)
    if holds is not None:
        if asked:
            rows[:, column["type_mismatch"]] = [float(lacks(asked, question, question_terms, held)) for held in holds]
        if YEAR.search(question):
            rows[:, column["other_year"]] = [float(other_year(question, held)) for held in holds]
    rows[:, column["stranger"]] = float(stranger)
    if candidates:
        rows[index_of[candidates[0].target.id], column["lexical_first"]] = 1.0
    for rank, candidate in enumerate(candidates, 1):
        rows[index_of[candidate.target.id], column["lexical_rank"]] = 1 / rank
    return rows


def add_embedded(rows: np.ndarray, nearness: Nearness) -> None:
    """Fill in the ``EMBEDDED`` columns of ``lexical_features``' rows, in place."""
    column = _COLUMN
    rows[:, column["asked"]] = nearness.asked
    rows[:, column["centre"]] = nearness.centre
    rows[:, column["says"]] = nearness.says
    rows[:, column["probe"]] = nearness.probe
    rows[:, column["probe_unanswered"]] = nearness.probe_unanswered
    rows[:, column["asked_lead"]] = nearness.asked - _best_other(nearness.asked)
    rows[:, column["unanswered"]] = nearness.unanswered - nearness.asked
    rows[int(np.argmax(nearness.asked)), column["asked_first"]] = 1.0
    ranks = np.empty(len(rows))
    ranks[np.argsort(-nearness.asked, kind="stable")] = np.arange(1, len(rows) + 1)
    rows[:, column["asked_rank"]] = 1 / ranks


def _best_other(values: np.ndarray) -> np.ndarray:
    """For each position, the largest value at any other position."""
    if len(values) < 2:
        return np.zeros_like(values)
    order = np.argsort(values)
    first, second = values[order[-1]], values[order[-2]]
    out = np.full_like(values, first)
    out[order[-1]] = second
    return out
