"""The n-gram probe (bot/core/grams.py): what it reads of a question, how it is fitted, where it is kept."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.core import examples as examples_file
from bot.core import grams
from bot.core.answers import Answerer, Kind
from bot.core.content import ContentError, load_library
from bot.core.examples import UNANSWERED, Examples
from tests.conftest import CONTENT, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import examples as build_examples
from sets import TUNING, load_all


def test_a_typo_and_traditional_script_keep_most_of_a_questions_grams() -> None:
    plain, typo = grams.grams("which newspaper published it"), grams.grams("wich newspaper publshed it")
    shared = sum((plain & typo).values()) / sum(plain.values())
    assert shared > 0.6
    assert grams.grams("這篇文章是誰寫的") == grams.grams("这篇文章是谁写的")
    assert grams.grams("?!") == {}


def test_the_runtime_fit_is_ridge_regression() -> None:
    """The dual form fitted at start-up (no examples file) is the primal ridge solution."""
    texts = ["how much on basic research", "who wrote it", "who is the author", "basic research spending", "hi"]
    labels = [(0,), (1,), (1,), (0,), (2,)]
    idf, weights = grams.fit_small(texts, labels, 3, ridge=0.5)
    x = np.zeros((len(texts), grams.DIMENSIONS))
    for i, text in enumerate(texts):
        buckets, values = grams.row(text, idf)
        x[i, buckets] = values
    used = np.flatnonzero(x.any(axis=0))
    xu = x[:, used]
    primal = np.linalg.solve(xu.T @ xu + 0.5 * np.eye(len(used)), xu.T @ grams.targets_of(labels, 3))
    assert np.allclose(weights[used], primal, atol=1e-5)


def test_the_offline_fit_agrees_with_the_runtime_one() -> None:
    """benchmarks/examples.py fits by conjugate gradients what the bot fits in closed form for few texts."""
    texts = ["how much on basic research", "who wrote it", "who is the author", "basic research spending", "hi"]
    names = [("a",), ("b",), ("b",), ("a",), ("c",)]
    offline_idf, offline = build_examples.fit_grams(texts, names, ridge=0.5)
    runtime_idf, runtime = grams.fit_small(texts, [(("a", "b", "c").index(n[0]),) for n in names], 3, ridge=0.5)
    assert np.allclose(offline_idf, runtime_idf) and np.allclose(offline, runtime, atol=1e-4)


def test_the_files_columns_follow_the_targets_and_a_target_without_examples_reads_as_not_this_one() -> None:
    texts = ["who wrote it", "who is the author", "how much on research", "research money", "weather today"]
    names = [("b",), ("b",), ("a",), ("a",), (UNANSWERED,)]
    fitted = build_examples.fit_grams(texts, names, ridge=0.5)
    examples = Examples.of(np.zeros((len(texts), 2)), names, fitted)
    weights, offset = examples.gram_weights(["b", "new", "a"])  # type: ignore[misc]
    probe = grams.GramProbe(examples.idf, weights, offset)  # type: ignore[arg-type]
    who, how_much = probe.scores("who wrote this"), probe.scores("how much research")
    assert int(np.argmax(who)) == 0 and int(np.argmax(how_much)) == 2
    # No example says anything of "new": it scores what the examples say of any other class, "not this one".
    assert who[1] == how_much[1] == -1.0 and list(offset) == [0.0, -1.0, 0.0, 0.0]


def test_the_bot_uses_the_probe_fitted_on_the_readers_questions(library) -> None:
    assert library.examples is not None and library.examples.grams is not None
    weights, _ = library.examples.gram_weights([t.id for t in library.targets])  # type: ignore[misc]
    assert np.array_equal(Answerer(library).grams.weights, weights)


def test_a_file_without_the_ngram_probe_is_named_by_a_warning(tmp_path: Path) -> None:
    content = _content_with(tmp_path, idf=np.zeros(0), grams=np.zeros(0))
    warnings = load_library(content).warnings
    assert any("examples.npz:1: it holds no n-gram probe" in w for w in warnings), warnings


def test_a_question_no_writer_wrote_with_typos_reaches_its_target(library) -> None:
    """Misspelt past the typo repair's reach, the n-grams still find the outlet."""
    question = "whch paper publishd this"
    assert build_examples.key(question) not in build_examples.asked_in(load_all(TUNING))
    answerer = Answerer(library)
    scores = answerer.grams.scores(question)
    outlet = [t.id for t in library.targets].index("outlet")
    assert int(np.argmax(scores[:-1])) == outlet
    answer = answerer.answer(question)
    assert answer.kind in (Kind.ANSWER, Kind.CAVEAT) and answer.target is not None
    assert answer.target.id == "outlet"


def test_without_an_examples_file_the_probe_is_fitted_on_the_phrasings(library) -> None:
    bare = Answerer(dataclasses.replace(library, examples=None))
    author = [t.id for t in library.targets].index("author")
    assert int(np.argmax(bare.grams.scores("who is the writer of this piece")[:-1])) == author
    assert bare.answer("who wrote this piece?").target.id == "author"  # type: ignore[union-attr]


def _content_with(tmp_path: Path, **arrays: np.ndarray) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    with np.load(content / examples_file.FILE) as archive:
        kept = {key: archive[key] for key in archive.files}
    kept.update(arrays)
    for key in [key for key, value in kept.items() if value.size == 0]:
        del kept[key]
    np.savez(content / examples_file.FILE, **kept)
    return content


def test_half_an_ngram_probe_is_a_content_error(tmp_path: Path) -> None:
    content = _content_with(tmp_path, grams=np.zeros(0))
    with pytest.raises(ContentError, match=r"examples\.npz:1: it holds half of the n-gram probe"):
        load_library(content)


def test_an_ngram_probe_of_another_size_is_a_content_error(tmp_path: Path) -> None:
    with np.load(CONTENT / examples_file.FILE) as archive:
        classes = len(archive["labels"])
    content = _content_with(tmp_path, idf=np.ones(1024, np.float32), grams=np.zeros((1024, classes), np.float32))
    with pytest.raises(ContentError, match=r"examples\.npz:1: its n-gram probe has 1024 buckets"):
        load_library(content)
