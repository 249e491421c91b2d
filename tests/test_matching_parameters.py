"""The lexical view's and the answerer's constants are content (``matching:`` in parameters.yaml)."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import pytest

from bot.core.content import ContentError, load_library
from bot.core.matcher import Matcher
from bot.core.parameters import MATCHING, Parameters, matching
from tests.conftest import CONTENT, ROOT
from tests.small_article import small_content

sys.path.insert(0, str(ROOT / "benchmarks"))
import tune


def with_matching(tmp_path: Path, section: str) -> Path:
    """The real content with ``section`` in place of parameters.yaml's ``matching:``."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    decision = (content / "parameters.yaml").read_text(encoding="utf-8").split("\nmatching:")[0]
    (content / "parameters.yaml").write_text(decision.rsplit("\n#", 2)[0] + "\n" + section, encoding="utf-8")
    return content


def test_every_constant_has_its_documented_default_in_the_content(library) -> None:
    assert matching(library.parameters) == matching(Parameters())
    assert set(MATCHING) == set(matching(Parameters())) and len(MATCHING) == 21


def test_a_stricter_typo_cutoff_stops_a_typo_repair(library, tmp_path: Path) -> None:
    strict = load_library(with_matching(tmp_path, "matching:\n  typo_cutoff: 95\n"))
    assert strict.parameters.typo_cutoff == 95 and strict.parameters.answer_at == library.parameters.answer_at
    default, stricter = Matcher(library), Matcher(strict)
    assert default.mend("basic reserch spendng") == "basic research spending"
    assert stricter.mend("basic reserch spendng") == "basic reserch spendng"
    assert default.rank("reserch spendng")[0].target.id == "basic-research-2024"
    assert stricter.rank("reserch spendng") == []  # no word of it is the article's


def test_fewer_alternatives_offer_fewer_buttons(library, answerer, two_way: str) -> None:
    fewer = dataclasses.replace(library, parameters=dataclasses.replace(library.parameters, max_alternatives=0))
    asked = two_way  # two figures answer it: "Did you mean" the other
    assert answerer.answer(asked).alternatives  # today: "Did you mean" the runners-up
    answerer.parameters, kept = fewer.parameters, answerer.parameters
    try:
        assert answerer.answer(asked).alternatives == ()
    finally:
        answerer.parameters = kept


@pytest.mark.parametrize(
    ("section", "line", "message"),
    [
        ("matching:\n  mix: 0.8\n  typo_cutof: 95\n", 3, "matching: unknown key 'typo_cutof' (allowed: answer_weight,"),
        ("matching:\n  typo_cutoff: strict\n", 2, "matching: 'typo_cutoff' must be a number, got 'strict'"),
        ("matching:\n  typo_cutoff: true\n", 2, "matching: 'typo_cutoff' must be a number, got True"),
        ("matching:\n  mix: 1.5\n", 2, "matching: 'mix' must be between 0 and 1, got 1.5"),
        ("matching:\n  typo_cutoff: -1\n", 2, "matching: 'typo_cutoff' must be between 0 and 100, got -1"),
        ("matching:\n  max_alternatives: 2.5\n", 2, "matching: 'max_alternatives' must be a whole number, got 2.5"),
        ("matching: 0.8\n", 1, "matching: expected a mapping of fields, got a number"),
    ],
)
def test_a_bad_constant_says_file_and_line(tmp_path: Path, section: str, line: int, message: str) -> None:
    directory = small_content(tmp_path, parameters_yaml=section)
    with pytest.raises(ContentError) as caught:
        load_library(directory)
    where = f"{directory / 'parameters.yaml'}:{line}: "
    assert [e for e in caught.value.errors if e.startswith(where) and message in e], caught.value.errors


def test_matching_alone_needs_no_fitted_decision(tmp_path: Path) -> None:
    library = load_library(small_content(tmp_path, parameters_yaml="matching:\n  max_parts: 2\n"))
    assert library.parameters == dataclasses.replace(Parameters(), max_parts=2)


def test_the_tuning_script_carries_the_constants_through(library, tmp_path: Path) -> None:
    content = with_matching(tmp_path, "matching:\n  typo_cutoff: 95\n  max_alternatives: 1\n")
    # What the features are computed with: the file's constants, not its (replaced) decision.
    (content / "parameters.yaml").write_text(
        (content / "parameters.yaml").read_text().replace("answer_at: 0.64", "answer_at: 7"), encoding="utf-8"
    )
    seen = tune._without_decision(content)
    assert (seen.parameters.typo_cutoff, seen.parameters.max_alternatives) == (95, 1)
    assert seen.parameters.answer_at == Parameters().answer_at
    # What it writes: the fitted decision, and the constants as they were.
    fitted = dataclasses.replace(seen.parameters, answer_at=0.7, weights=library.parameters.weights)
    tune.write(content / "parameters.yaml", fitted, {"date": "2026-12-02"})
    written = load_library(content).parameters
    assert written.answer_at == 0.7 and written.weights == library.parameters.weights
    assert matching(written) == matching(fitted)
