"""The readers' questions the probe learns from (content/examples.npz, bot/core/examples.py)."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.core import examples as examples_file
from bot.core.answers import Answerer
from bot.core.content import ContentError, load_library
from bot.core.examples import UNANSWERED, Examples
from bot.core.semantic import _probe
from tests.conftest import CONTENT, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import examples as build_examples
from sets import TUNING, load_all


def test_the_committed_examples_are_what_the_tuning_sets_give(library) -> None:
    """The file is derived data: rebuilt from the sets, it must come out the same (else run
    ``python benchmarks/examples.py``)."""
    assert library.examples is not None
    assert build_examples.same(library.examples, build_examples.build(CONTENT))


def test_the_examples_cover_every_target_and_the_unanswered(library) -> None:
    assert library.examples is not None
    assert set(library.examples.labels) == {t.id for t in library.targets} | {UNANSWERED}
    assert min(library.examples.counts) >= 20


def test_sufficient_statistics_fit_the_same_probe_as_the_questions_themselves() -> None:
    rng = np.random.default_rng(1)
    phrasings, owner = rng.normal(size=(30, 8)), rng.integers(0, 3, 30)
    questions, labels = rng.normal(size=(50, 8)), rng.choice(["a", "b", "c", UNANSWERED], 50)
    examples = Examples.of(questions, [(label,) for label in labels])
    from_statistics = _probe(phrasings, owner, 4, 0.3, examples.regression(["a", "b", "c"]))
    column = {"a": 0, "b": 1, "c": 2, UNANSWERED: 3}
    stacked = _probe(
        np.vstack([phrasings, questions]), np.concatenate([owner, [column[label] for label in labels]]), 4, 0.3
    )
    assert np.allclose(from_statistics, stacked, atol=1e-5)


def test_a_question_two_targets_answer_counts_for_both_and_a_target_without_examples_for_none() -> None:
    questions = np.eye(3)
    examples = Examples.of(questions, [("a", "b"), ("a",), (UNANSWERED,)])
    gram, right = examples.regression(["a", "b", "new"])
    truth = np.array([[1, 1, 0, -1], [1, -1, 0, -1], [-1, -1, 0, 1]], dtype=float)  # rows: questions
    assert np.allclose(gram, questions.T @ questions) and np.allclose(right, questions.T @ truth)
    assert examples.uncovered(["a", "b", "new"]) == ["new"]


def test_what_the_probe_learns_from_the_examples_reaches_questions_in_no_set(library) -> None:
    """A question no writer wrote: the examples make the probe surer of its target."""
    question = "Which body tallied the generative AI patent filings by country?"
    assert build_examples.key(question) not in build_examples.asked_in(load_all(TUNING))
    with_examples = Answerer(library).semantic
    without = Answerer(dataclasses.replace(library, examples=None)).semantic
    right = [t.id for t in library.targets].index("wipo-patents")
    probe = with_examples.nearness(with_examples.vectors([question])[0]).probe
    assert int(np.argmax(probe)) == right
    assert probe[right] > without.nearness(without.vectors([question])[0]).probe[right]


def copy_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    return content


def test_a_broken_examples_file_is_a_content_error_saying_how_to_fix_it(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    (content / examples_file.FILE).write_bytes(b"not a zip file")
    with pytest.raises(ContentError) as error:
        load_library(content)
    (message,) = error.value.errors
    assert message.startswith(f"{content / examples_file.FILE}:1: not a readable examples file")
    assert "python benchmarks/examples.py" in message


def test_examples_about_targets_the_content_lacks_are_set_aside_with_a_warning(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    examples = Examples.of(np.eye(512, dtype=np.float32)[:2], [("date",), ("gone-target",)])
    examples_file.save(content / examples_file.FILE, examples)
    library = load_library(content)
    assert library.examples is None
    assert any("gone-target" in w and "phrasings alone" in w for w in library.warnings)


def test_a_target_no_example_is_about_is_named_in_a_warning(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    examples_file.save(content / examples_file.FILE, Examples.of(np.eye(512)[:1], [("date",)]))
    library = load_library(content)
    assert library.examples is not None  # still used for what it holds
    assert any("no question in it is about about, " in w and "phrasings alone" in w for w in library.warnings)


@pytest.mark.parametrize(
    "damage",
    [
        b"not a zip file",
        b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
        + b" " * 60
        + b"\n"
        + bytes(8),
        "truncated",
        "labels twice",
    ],
)
def test_a_damaged_examples_file_is_one_clear_line(tmp_path: Path, damage: bytes | str) -> None:
    content = copy_content(tmp_path)
    path = content / examples_file.FILE
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:5000])
    elif damage == "labels twice":
        examples_file.save(path, Examples.of(np.eye(512)[:2], [("date",), ("author",)]))
        with np.load(path) as archive:
            arrays = dict(archive)
        arrays["labels"] = np.asarray(["date", "date"])
        np.savez(path, **arrays)
    else:
        assert isinstance(damage, bytes)
        path.write_bytes(damage)
    with pytest.raises(ContentError) as error:
        load_library(content)
    (message,) = error.value.errors
    assert message.startswith(f"{path}:1: ") and "python benchmarks/examples.py" in message


def test_the_rewrite_the_error_asks_for_mends_a_broken_file(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    (content / examples_file.FILE).write_bytes(b"not a zip file")
    rebuilt = build_examples.build(content)
    assert rebuilt is not None
    examples_file.save(content / examples_file.FILE, rebuilt)
    assert load_library(content).examples is not None


def test_without_the_file_the_bot_still_answers(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    (content / examples_file.FILE).unlink()
    library = load_library(content)
    assert library.examples is None
    answer = Answerer(library).answer("Who wrote the article?")
    assert answer.target is not None and answer.target.id == "author"
