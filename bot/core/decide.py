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

import numpy as np

from bot.core.matcher import Candidate
from bot.core.parameters import FEATURES
from bot.core.semantic import Nearness

__all__ = ["FEATURES", "features", "foreign_script"]

# What a question asks for, and whether an answer holds it: a quantity (a number that is not a year),
# a time (a year, a month, a date), a person (a capitalised name). General English and Chinese.
_ASKS = {
    "quantity": re.compile(r"\bhow (many|much|big|large)\b|\bnumber of\b|多少|几个|幾個|几家|幾家|多大", re.IGNORECASE),
    "time": re.compile(
        r"\bwhen\b|\bwhat (year|month|day|date|time)\b|什么时候|什麼時候|何时|何時|哪一?年", re.IGNORECASE
    ),
    "person": re.compile(r"^\W*who\b|\bwho (is|are|was|were|founded|runs|leads|said)\b|\bwhom\b|谁|誰", re.IGNORECASE),
}
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
}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def foreign_script(question: str) -> float:
    letters = [c for c in question if c.isalpha()]
    return sum(bool(_CJK.match(c)) for c in letters) / len(letters) if letters else 0.0


_COLUMN = {name: i for i, name in enumerate(FEATURES)}


def answer_holds(text: str) -> frozenset[str]:
    """What kinds of thing a target's answer states (see ``_HOLDS``)."""
    return frozenset(kind for kind, pattern in _HOLDS.items() if pattern.search(text))


def asks_for(question: str) -> frozenset[str]:
    return frozenset(kind for kind, pattern in _ASKS.items() if pattern.search(question))


def features(
    candidates: list[Candidate],
    nearness: Nearness,
    index_of: dict[str, int],
    question: str,
    holds: list[frozenset[str]] | None = None,
) -> np.ndarray:
    """One row per target (in library order), columns as ``FEATURES``."""
    column = _COLUMN
    rows = np.zeros((len(nearness.asked), len(FEATURES)), dtype=np.float64)
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
    rows[:, column["asked"]] = nearness.asked
    rows[:, column["centre"]] = nearness.centre
    rows[:, column["says"]] = nearness.says
    rows[:, column["probe"]] = nearness.probe
    rows[:, column["probe_unanswered"]] = nearness.probe_unanswered
    # No word in common means little when the question is Chinese, and much when it is English.
    rows[:, column["unmatched"]] = (rows[:, column["lexical"]] == 0) * (1.0 - script)
    rows[:, column["asked_lead"]] = nearness.asked - _best_other(nearness.asked)
    rows[:, column["lexical_lead"]] = lexical - _best_other(lexical)
    rows[:, column["unanswered"]] = nearness.unanswered - nearness.asked
    rows[:, column["lexical_unanswered"]] = lexical_unanswered - rows[:, column["closeness"]]
    rows[:, column["foreign_script"]] = script
    asked = asks_for(question)
    if asked and holds is not None:
        rows[:, column["type_mismatch"]] = [float(bool(asked - held)) for held in holds]
    rows[int(np.argmax(nearness.asked)), column["asked_first"]] = 1.0
    if candidates:
        rows[index_of[candidates[0].target.id], column["lexical_first"]] = 1.0
    ranks = np.empty(len(rows))
    ranks[np.argsort(-nearness.asked, kind="stable")] = np.arange(1, len(rows) + 1)
    rows[:, column["asked_rank"]] = 1 / ranks
    for rank, candidate in enumerate(candidates, 1):
        rows[index_of[candidate.target.id], column["lexical_rank"]] = 1 / rank
    return rows


def _best_other(values: np.ndarray) -> np.ndarray:
    """For each position, the largest value at any other position."""
    if len(values) < 2:
        return np.zeros_like(values)
    order = np.argsort(values)
    first, second = values[order[-1]], values[order[-2]]
    out = np.full_like(values, first)
    out[order[-1]] = second
    return out
