"""Floors on the evaluation set (tests/eval/questions.yaml), written apart from the content's phrasings.

The set is never copied into content/; a floor that drops means the matcher got worse at
questions nobody wrote into the YAML. ``python benchmarks/matcher.py`` prints the full figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.answers import Answerer, Kind
from bot.normalise import clean

EVAL = yaml.safe_load((Path(__file__).parent / "eval" / "questions.yaml").read_text(encoding="utf-8"))

# Top-1 and off-topic declined are the floors; answered-right (top-1 and confident enough to
# answer) and small talk are what the matcher reaches today less a little room.
TOP1_FLOOR = 0.95
ANSWERED_RIGHT_FLOOR = 0.87
DECLINED_FLOOR = 0.95
SMALL_TALK_FLOOR = 0.90


def test_the_set_is_big_enough() -> None:
    assert len(EVAL["in_scope"]) >= 200
    assert len(EVAL["off_topic"]) >= 60


@pytest.fixture(scope="module")
def results(answerer: Answerer) -> dict[str, float]:
    in_scope = EVAL["in_scope"]
    top1 = sum(
        bool(ranked := answerer.matcher.rank(item["q"], limit=1)) and ranked[0].target.id == item["expect"]
        for item in in_scope
    )
    answered = 0
    for item in in_scope:
        answer = answerer.answer(item["q"])
        answered += answer.kind is Kind.ANSWER and answer.target is not None and answer.target.id == item["expect"]
    declined = sum(answerer.answer(q).kind is not Kind.ANSWER for q in EVAL["off_topic"])
    small_talk = sum(answerer.answer(q).kind is Kind.SMALL_TALK for q in EVAL["chitchat"])
    return {
        "top1": top1 / len(in_scope),
        "answered": answered / len(in_scope),
        "declined": declined / len(EVAL["off_topic"]),
        "small_talk": small_talk / len(EVAL["chitchat"]),
    }


def test_in_scope_top1(results: dict[str, float]) -> None:
    assert results["top1"] >= TOP1_FLOOR, results


def test_in_scope_answered_right(results: dict[str, float]) -> None:
    assert results["answered"] >= ANSWERED_RIGHT_FLOOR, results


def test_off_topic_gets_no_answer(results: dict[str, float]) -> None:
    assert results["declined"] >= DECLINED_FLOOR, results


def test_small_talk_is_recognised(results: dict[str, float]) -> None:
    assert results["small_talk"] >= SMALL_TALK_FLOOR, results


def test_no_evaluation_or_tuning_question_is_copied_into_the_content(answerer: Answerer) -> None:
    """No question of either set is among the phrasings, and none, up to case and punctuation, among
    the unanswered questions (written after both sets existed, and filtered against them).

    Obvious questions such as "Who is Mao Ning?" were written on both sides independently, with
    other capitals or punctuation: `benchmarks/matcher.py` reports the figures without them too."""
    library = answerer.library
    phrasings = {p for t in library.targets for p in t.phrasings}
    unanswered = {clean(q) for q in library.unanswered}
    tuning = yaml.safe_load((Path(__file__).parent.parent / "benchmarks" / "tuning_questions.yaml").read_text("utf-8"))
    asked = [item["q"] for data in (EVAL, tuning) for item in data["in_scope"]]
    asked += [q for data in (EVAL, tuning) for q in data["off_topic"]]
    assert [q for q in asked if q in phrasings or clean(q) in unanswered] == []
