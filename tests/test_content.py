"""Content loading: the real content is valid and faithful; every kind of mistake is reported as file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.answers import Answerer
from bot.core.content import ContentError, Library, load_library
from bot.core.lint import lint
from tests.conftest import CONTENT

MINIMAL = {
    "article.yaml": """\
article:
  title: A title
  author: Hu Weijia
  outlet: Global Times
  date: 2025-02-21
passages:
  - id: p01
    text: In 2024 spending rose 10.5 percent, the Global Times learned.
""",
    "entries.yaml": """\
topics: [growth]
entries:
  - id: growth
    question: How fast did spending grow?
    phrasings: [growth rate]
    answer: It rose 10.5 percent.
    passages: [p01]
    label: Spending growth
figures:
  - id: growth-rate
    measures: growth of spending
    value: 10.5
    unit: percent
    period: "2024"
    label: 10.5% growth
    answer: Spending rose 10.5 percent in 2024.
    passage: p01
    phrasings: [how much did spending grow]
    button: 10.5% growth
""",
    "article.txt": """\
 date 2025-02-21 A title

By Hu Weijia

In 2024 spending rose 10.5 percent,
the Global Times learned.
""",
}


def write(tmp_path: Path, **overrides: str) -> Path:
    files = {
        **MINIMAL,
        **{name.replace("_yaml", ".yaml").replace("_txt", ".txt"): text for name, text in overrides.items()},
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def errors(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_library(directory)
    return caught.value.errors


# --- the real content ---------------------------------------------------------------


def test_real_content_has_every_heading_and_figure(library: Library) -> None:
    headings = [e for e in library.entries if e.heading]
    assert len(headings) == 4
    for required in ("about", "technologies", "deepseek", "west", "outlook", "author", "outlet", "date"):
        assert library.target(required) is not None, required
    values = {f.id: f.value for f in library.figures}
    assert values["basic-research-2024"] == 249.7
    assert values["basic-research-growth"] == 10.5
    assert values["goldman-inflows"] == 200
    assert values["goldman-stock-rise"] == 19
    assert values["genai-users"] == 250
    assert values["cooperation-countries"] == 160
    assert values["intergovernmental-agreements"] == 118
    assert {"wipo-patents", "mao-ning"} <= values.keys()


def test_the_real_content_is_faithful_and_check_finds_nothing(library: Library, answerer: Answerer) -> None:
    """Every passage verbatim and in order, every paragraph a passage, every heading a line of the article,
    every number in an answer in its source, every phrasing routed to its own entry: bot/core/lint.py."""
    assert (CONTENT / "article.txt").is_file()
    assert [str(finding) for finding in lint(library, answerer)] == []


# --- validation ---------------------------------------------------------------------


def test_minimal_content_loads(tmp_path: Path) -> None:
    library = load_library(write(tmp_path))
    assert library.target("growth") is not None


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    broken = MINIMAL["entries.yaml"].replace("phrasings: [growth rate]", "phrasings: [growth rate")
    found = errors(write(tmp_path, entries_yaml=broken))
    assert len(found) >= 1
    assert re.match(rf"{re.escape(str(tmp_path / 'entries.yaml'))}:\d+: YAML syntax error", found[0])


def test_unknown_key(tmp_path: Path) -> None:
    text = MINIMAL["entries.yaml"].replace("    answer:", "    colour: red\n    answer:", 1)
    assert errors(write(tmp_path, entries_yaml=text)) == [
        f"{tmp_path / 'entries.yaml'}:6: entry: unknown key 'colour' (allowed: answer, facts, heading, id, "
        "label, lists, passages, phrasings, question)"
    ]


def test_missing_field(tmp_path: Path) -> None:
    text = MINIMAL["entries.yaml"].replace("    answer: It rose 10.5 percent.\n", "")
    assert errors(write(tmp_path, entries_yaml=text)) == [
        f"{tmp_path / 'entries.yaml'}:3: entry: missing field 'answer'"
    ]


def test_empty_string(tmp_path: Path) -> None:
    text = MINIMAL["entries.yaml"].replace("question: How fast did spending grow?", 'question: "  "')
    assert errors(write(tmp_path, entries_yaml=text)) == [
        f"{tmp_path / 'entries.yaml'}:4: entry growth: 'question' is empty"
    ]


def test_duplicate_id(tmp_path: Path) -> None:
    text = MINIMAL["article.yaml"] + "  - id: p01\n    text: Again.\n"
    assert errors(write(tmp_path, article_yaml=text)) == [
        f"{tmp_path / 'article.yaml'}:9: passage: duplicate id 'p01' (first defined at {tmp_path / 'article.yaml'}:7)"
    ]


def test_dangling_passage_id(tmp_path: Path) -> None:
    text = MINIMAL["entries.yaml"].replace("passages: [p01]", "passages: [p01, p99]")
    assert errors(write(tmp_path, entries_yaml=text)) == [
        f"{tmp_path / 'entries.yaml'}:7: entry growth: unknown passage id 'p99'"
    ]


def test_dangling_topic(tmp_path: Path) -> None:
    text = MINIMAL["entries.yaml"].replace("topics: [growth]", "topics: [growth, nowhere]")
    assert errors(write(tmp_path, entries_yaml=text)) == [
        f"{tmp_path / 'entries.yaml'}:1: topics: unknown entry id 'nowhere'"
    ]


def test_duplicate_key_in_a_mapping(tmp_path: Path) -> None:
    text = MINIMAL["entries.yaml"].replace("    answer:", "    question: Again?\n    answer:", 1)
    assert errors(write(tmp_path, entries_yaml=text)) == [f"{tmp_path / 'entries.yaml'}:6: duplicate key 'question'"]


def test_answer_too_long(tmp_path: Path) -> None:
    text = MINIMAL["entries.yaml"].replace("answer: It rose 10.5 percent.", "answer: " + "word " * 70)
    found = errors(write(tmp_path, entries_yaml=text))
    assert found == [f"{tmp_path / 'entries.yaml'}:6: entry growth: 'answer' has 349 characters, at most 300 allowed"]


def test_bad_date_and_wrong_type(tmp_path: Path) -> None:
    text = (
        MINIMAL["article.yaml"].replace("date: 2025-02-21", "date: soon").replace("author: Hu Weijia", "author: [a, b]")
    )
    found = errors(write(tmp_path, article_yaml=text))
    assert f"{tmp_path / 'article.yaml'}:5: article: 'date' must be a date like 2025-02-21" in found
    assert f"{tmp_path / 'article.yaml'}:3: article: 'author' must be text, got a list" in found


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = (
        MINIMAL["entries.yaml"]
        .replace("passages: [p01]", "passages: [p98]")
        .replace("    answer:", "    tone: x\n    answer:", 1)
    )
    assert len(errors(write(tmp_path, entries_yaml=text))) == 2


def test_key_defined_in_two_files(tmp_path: Path) -> None:
    (tmp_path / "more.yaml").write_text("figures: []\n", encoding="utf-8")
    found = errors(write(tmp_path))
    assert found == [f"{tmp_path / 'more.yaml'}:1: 'figures' is already defined at {tmp_path / 'entries.yaml'}:9"]


def test_impossible_date_and_odd_keys_are_reported_not_raised(tmp_path: Path) -> None:
    text = MINIMAL["article.yaml"].replace("date: 2025-02-21", "date: 2025-02-30") + "? [a, b]\n: c\n"
    found = errors(write(tmp_path, article_yaml=text))
    assert found == [
        f"{tmp_path / 'article.yaml'}:5: YAML syntax error: '2025-02-30' is not a valid date (day is out of range for month)"
    ]


def test_unknown_placeholder_in_small_talk(tmp_path: Path) -> None:
    (tmp_path / "chitchat.yaml").write_text("chitchat:\n  - id: bye\n    phrasings: [bye]\n    reply: Bye {name}!\n")
    found = errors(write(tmp_path))
    assert found == [f"{tmp_path / 'chitchat.yaml'}:4: chitchat bye: the only placeholder a reply may use is {{title}}"]


def test_no_content_files(tmp_path: Path) -> None:
    assert errors(tmp_path) == [f"{tmp_path}: no *.yaml content files in this folder"]
    assert errors(tmp_path / "missing") == [
        f"{tmp_path / 'missing'}: no such folder (the content folder: ARTICLE_BOT_CONTENT_DIR or --content)"
    ]
    (tmp_path / "README.md").write_text("not a folder\n")
    assert errors(tmp_path / "README.md") == [
        f"{tmp_path / 'README.md'}: not a folder (the content folder: ARTICLE_BOT_CONTENT_DIR or --content)"
    ]


def test_unanswered_questions_load_and_bad_ones_are_reported(tmp_path: Path) -> None:
    good = "unanswered:\n  - How much does Japan spend?\n  - Who founded it?\n"
    (tmp_path / "unanswered.yaml").write_text(good)
    assert load_library(write(tmp_path)).unanswered == ("How much does Japan spend?", "Who founded it?")
    (tmp_path / "unanswered.yaml").write_text(good + '  - {q: nested}\n  - how much does JAPAN spend?\n  - ""\n')
    found = errors(write(tmp_path))
    path = tmp_path / "unanswered.yaml"
    assert found == [
        f"{path}:4: unanswered: every item must be a question as text, got a mapping",
        f"{path}:5: unanswered: 'how much does JAPAN spend?' is already listed at line 2",
        f"{path}:6: unanswered: empty question",
    ]
