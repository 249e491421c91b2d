"""The quick stage: a standalone question the lexical view and the n-gram probe are sure of is answered
without the embedding's forward pass (most of a reply's CPU), and answered as the whole decision would."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.core.answers import Answerer, Kind
from bot.core.content import ContentError, Library, load_library

ROOT = Path(__file__).resolve().parent.parent
CLEAR = [
    "How much money did China put into basic research last year?",
    "Which organisation counted the AI patents?",
    "who wrote this article?",
    "where did the deepseek team study?",
]


class Counting:
    """The embedder, counting the texts it is asked to embed."""

    def __init__(self, answerer: Answerer) -> None:
        self.encode = answerer.semantic.encode
        self.texts: list[str] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += texts
        return self.encode(texts)


def counted(library: Library, answer_at: float | None = None) -> tuple[Answerer, Counting]:
    answerer = Answerer(library, answer_at)
    counting = Counting(answerer)
    answerer.semantic.encode = counting
    return answerer, counting


def whole_only(library: Library) -> Answerer:
    """The same content without a quick stage: every question embedded."""
    parameters = dataclasses.replace(library.parameters, quick_weights=None, quick_decision_weights=None)
    return Answerer(dataclasses.replace(library, parameters=parameters))


def test_a_clear_question_is_answered_without_embedding_it_as_the_whole_decision_answers_it(library: Library) -> None:
    quick, counting = counted(library)
    whole = whole_only(library)
    for question in CLEAR:
        answer = quick.answer(question)
        assert answer.kind is Kind.ANSWER
        assert answer.target == whole.answer(question).target
        assert answer.passages == whole.answer(question).passages
    assert counting.texts == []
    assert "249.7 billion yuan" in quick.answer(CLEAR[0]).passages[0].text


def test_an_embedded_ahead_question_the_quick_stage_answers_is_not_embedded_ahead(library: Library) -> None:
    quick, _ = counted(library)
    assert quick.unembedded(CLEAR[0], alone=True) == []
    assert quick.unembedded(CLEAR[0]) != []  # after an answer it may be a follow-up: the whole decision reads it


def test_follow_ups_two_part_questions_and_unclear_ones_take_the_whole_decision(library: Library) -> None:
    quick, counting = counted(library)
    previous = library.target("basic-research-2024")
    assert quick.answer("and how much did it grow?", previous).target == library.target("basic-research-growth")
    assert quick.answer("who wrote it and where was it published?").kind is Kind.ANSWER
    assert quick.answer("What's the weather like in Beijing today?").kind is Kind.NO_ANSWER
    embedded = set(counting.texts)
    assert {"and how much did it grow?", "who wrote it and where was it published?"} <= embedded
    assert "What's the weather like in Beijing today?" in embedded


def test_an_owners_stricter_answer_threshold_holds_for_the_quick_stage_too(library: Library) -> None:
    """ARTICLE_BOT_ANSWER_AT=1 means never sure enough: nothing is answered, quickly or not."""
    strict, counting = counted(library, answer_at=1.0)
    for question in CLEAR:
        assert strict.answer(question).kind is not Kind.ANSWER
    assert len(set(counting.texts)) >= len(CLEAR)  # each read by the whole decision (typos mended first)


def test_over_the_regression_set_the_quick_stage_answers_most_questions_and_as_well(library: Library) -> None:
    """eval_old was never fitted on: where the quick stage answers, it picks a right target as often as
    the whole decision does on the same questions (at most one question worse)."""
    data = yaml.safe_load((ROOT / "tests" / "eval" / "questions.yaml").read_text(encoding="utf-8"))
    quick, counting = counted(library)
    whole = whole_only(library)
    answered = quick_right = whole_right = 0
    for item in data["in_scope"]:
        expect = {item["expect"]} if isinstance(item["expect"], str) else set(item["expect"])
        before = len(counting.texts)
        answer = quick.answer(item["q"])
        if len(counting.texts) > before:
            continue  # the whole decision read it
        answered += 1
        quick_right += answer.target is not None and answer.target.id in expect
        reference = whole.answer(item["q"])
        whole_right += reference.kind is Kind.ANSWER and reference.target is not None and reference.target.id in expect
    assert answered >= 0.6 * len(data["in_scope"])
    assert quick_right >= whole_right - 1


def _content_with_decision(tmp_path: Path, change: dict) -> Path:
    for source in (ROOT / "content").glob("*.yaml"):
        if source.name != "parameters.yaml":
            (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    document = yaml.safe_load((ROOT / "content" / "parameters.yaml").read_text(encoding="utf-8"))
    decision = {k: v for k, v in {**document["decision"], **change}.items() if v is not None}
    (tmp_path / "parameters.yaml").write_text(yaml.safe_dump({**document, "decision": decision}), encoding="utf-8")
    return tmp_path


def test_the_quick_stage_is_read_as_content_with_file_and_line_errors(tmp_path: Path) -> None:
    fitted = yaml.safe_load((ROOT / "content" / "parameters.yaml").read_text(encoding="utf-8"))["decision"]
    weights = dict(fitted["quick_weights"])
    weights["asked"] = 1.0  # an embedding feature: the quick stage has none
    with pytest.raises(ContentError) as error:
        load_library(_content_with_decision(tmp_path, {"quick_weights": weights, "quick_at": 2}))
    text = "\n".join(error.value.errors)
    assert f"{tmp_path / 'parameters.yaml'}:" in text
    assert "quick_weights: unknown feature 'asked'" in text
    assert "'quick_at' is a probability" in text
    with pytest.raises(ContentError) as error:
        load_library(_content_with_decision(tmp_path, {"quick_decision_weights": None}))
    assert "needs both quick_weights and quick_decision_weights" in "\n".join(error.value.errors)


def test_a_decision_without_a_quick_stage_embeds_every_question_and_still_answers(tmp_path: Path) -> None:
    older = load_library(
        _content_with_decision(
            tmp_path,
            {"quick_weights": None, "quick_decision_weights": None, "quick_decision_bias": None, "quick_at": None},
        )
    )
    assert older.parameters.quick_weights is None
    answerer, counting = counted(older)
    answer = answerer.answer("Which organisation counted the AI patents?")
    assert answer.kind is Kind.ANSWER and answer.target == older.target("wipo-patents")
    assert counting.texts
