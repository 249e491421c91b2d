"""``python -m bot ingest``: an article's text in, a content folder ``check`` accepts out, nothing invented."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.answers import Answerer, Kind
from bot.core.content import MAX_ANSWER_CHARS, load_library
from bot.telegram import render
from tests.conftest import ROOT

FIRST = ROOT / "content" / "article.txt"
SECOND = ROOT / "tests" / "data" / "second_article.txt"
# Keys whose values are references (``p03``, entry ids), not the article's words.
_REFERENCES = {"id", "passages", "passage", "topics"}
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m bot`` as tests/test_cli.py runs it, with time for ``check``: it answers every
    phrasing of the draft, seconds alone and a minute on a loaded machine."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ARTICLE_BOT_"))}
    environment["DATABASE_URL"] = ""
    environment.update(env or {})
    command = [sys.executable, "-m", "bot", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=ROOT, timeout=600)


def _ingest(article: Path, out: Path, *options: str) -> None:
    result = run("ingest", str(article), "--out", str(out), *options)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("first") / "content"
    _ingest(FIRST, out)
    return out


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("second") / "content"
    _ingest(SECOND, out)
    return out


def _paragraphs(article: Path) -> list[str]:
    blocks = [b.strip() for b in article.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    # Headings are one sentence, a question; a paragraph may end with a question of its own.
    return [b for b in blocks if not b.startswith(("date ", "By ")) and not (b.endswith("?") and ". " not in b)]


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").lstrip("0") or "0" for n in _NUMBER.findall(text)}


def _written_numbers(value: Any, key: str = "") -> set[str]:
    if key in _REFERENCES:
        return set()
    if isinstance(value, dict):
        return set().union(*(_written_numbers(v, str(k)) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(_written_numbers(v, key) for v in value))
    return _numbers(str(value))


@pytest.mark.parametrize("which", ["first", "second"])
def test_the_draft_passes_check_as_it_is(which: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(which)
    result = run("--content", str(folder), "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("content OK:")


@pytest.mark.parametrize(("which", "article"), [("first", FIRST), ("second", SECOND)])
def test_every_paragraph_is_a_passage_verbatim_and_the_text_is_kept(
    which: str, article: Path, request: pytest.FixtureRequest
) -> None:
    folder: Path = request.getfixturevalue(which)
    library = load_library(folder)
    assert [p.text for p in library.passages.values()] == _paragraphs(article)
    assert (folder / "article.txt").read_text(encoding="utf-8") == article.read_text(encoding="utf-8")


@pytest.mark.parametrize(("which", "article"), [("first", FIRST), ("second", SECOND)])
def test_it_never_writes_a_number_the_article_lacks(which: str, article: Path, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(which)
    in_article = _numbers(article.read_text(encoding="utf-8"))
    for path in folder.glob("*.yaml"):
        if path.name == "parameters.yaml":  # the decision's weights: not words of the article
            continue
        written = _written_numbers(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert written <= in_article, f"{path.name}: {written - in_article}"


def test_one_entry_per_question_heading_answered_from_its_own_section(first: Path) -> None:
    library = load_library(first)
    lines = FIRST.read_text(encoding="utf-8").splitlines()[1:]
    headings = [line for line in lines if line.endswith("?") and ". " not in line]
    entries = [e for e in library.entries if e.heading]
    assert [e.question for e in entries] == headings
    for entry in entries:
        section = " ".join(p.text for p in library.passages_of(entry))
        # Verbatim, or a first sentence too long for an answer cut at a clause, the cut marked.
        assert entry.answer.removesuffix("…") in section and len(entry.answer) <= MAX_ANSWER_CHARS
        assert entry.question in entry.phrasings
    # The first heading's section is p03-p04, its answer the first sentence of p03.
    follower = entries[0]
    assert follower.passage_ids == ("p03", "p04")
    assert follower.answer.startswith("Let's delve into two sets of data")


def test_metadata_intro_and_close(first: Path) -> None:
    library = load_library(first)
    article = library.article
    assert (article.author, article.outlet, article.date.isoformat()) == ("Hu Weijia", "Global Times", "2025-02-21")
    assert article.title == "What economic potential does China’s new wave of technological innovation hold?"
    author = library.target("author")
    assert author is not None and author.answer == "Hu Weijia, a reporter with the Global Times."
    assert author.passage_ids == ("p15",)
    about = library.target("about")
    assert about is not None and about.passage_ids == ("p01", "p02")
    conclusion = library.target("conclusion")
    assert conclusion is not None and conclusion.passage_ids == ("p14",)
    assert [t for t in library.topics if t != "about"] == [e.id for e in library.entries if e.heading]


def test_one_figure_per_number_with_a_unit(first: Path, second: Path) -> None:
    figures = load_library(first).figures
    # Years, "5G", "12 months" and "top five" are not figures; the dollar conversion goes with its yuan.
    assert [(f.value, f.unit) for f in figures] == [
        (249.7, "billion yuan"),
        (10.5, "percent"),
        (200, "billion dollars"),
        (19, "percent"),
        (250, "million people"),
        (160, "countries and regions"),
        (118, "intergovernmental agreements"),
    ]
    library = load_library(first)
    for figure in figures:
        assert figure.answer in library.passages[figure.passage_id].text
    assert "($34.4 billion)" in figures[0].label and "more than 160" in figures[5].label
    by_value = {f.value: f for f in load_library(second).figures}
    assert by_value[140].unit == "kilometres of protected bike lanes" and "more than 140" in by_value[140].label
    assert by_value[6500].unit == "secure bike parking spaces"
    assert "year-on-year increase" in by_value[23].label and by_value[23].period == "in 2024"


def test_the_options_override_what_it_finds(tmp_path: Path) -> None:
    out = tmp_path / "content"
    options = ("--title", "Another title", "--author", "A. Writer", "--outlet", "The Daily", "--date", "2024-01-31")
    _ingest(FIRST, out, *options, "--url", "https://example.org/a")
    article = load_library(out).article
    assert (article.title, article.author, article.outlet) == ("Another title", "A. Writer", "The Daily")
    assert (article.date.isoformat(), article.url) == ("2024-01-31", "https://example.org/a")


def test_markdown_headings_front_matter_and_markup(tmp_path: Path) -> None:
    source = tmp_path / "piece.md"
    source.write_text(
        "---\ndate: 2024-03-05\nurl: https://example.org/x\n---\n# Ferries of the Fjord\n\nBy Ola Nord\n\n"
        "The **ferry** line carries [12,000 passengers](https://example.org) a day. It was opened in 1998.\n\n"
        "## Why is it so busy?\n\nThe bridge is closed in winter. Tickets cost 40 euros a month.\n\n"
        "The author is a reporter with the Fjord Post.\n",
        encoding="utf-8",
    )
    out = tmp_path / "content"
    _ingest(source, out)
    assert run("--content", str(out), "check").returncode == 0
    library = load_library(out)
    assert (library.article.title, library.article.author, library.article.outlet) == (
        "Ferries of the Fjord",
        "Ola Nord",
        "Fjord Post",
    )
    passages = [p.text for p in library.passages.values()]
    assert passages[0] == "The ferry line carries 12,000 passengers a day. It was opened in 1998."
    assert [e.question for e in library.entries if e.heading] == ["Why is it so busy?"]
    assert sorted(f.value for f in library.figures) == [40, 12000]
    assert all(p in (out / "article.txt").read_text(encoding="utf-8") for p in passages)


@pytest.mark.parametrize(
    ("content", "line", "says"),
    [
        (b"", 1, "empty"),
        (b"\n  \n\n", 1, "empty"),
        (b" date 2025-01-02 Title\n\nBy Someone\n", 1, "no paragraphs"),
        (b"A paragraph.\n\x00\x01\x02binary", 2, "not text"),
        (b" date 2025-01-02 Title\n\nBy X\n\nOne.\n\nCaf\xe9 au lait.\n", 7, "not UTF-8"),
        (b" date 2025-01-02 Title\n\nBy X\n\nIntro.\n\nWhy?\n\nWhat now?\n\nText.\n", 7, 'heading "Why?" has no'),
        (b" date 2025-01-02 Title\n\nBy X\n\nIntro.\n\nWhat now?\n", 7, 'heading "What now?" has no'),
        (b" date 2025-02-30 Title\n\nBy X\n\nIntro.\n", 1, "not a date"),
        (b"No date line here.\n\nBy X\n\nThe author is a reporter with the Post.\n", 1, "--title"),
    ],
)
def test_an_article_it_cannot_read_gets_file_line_and_exit_1(
    tmp_path: Path, content: bytes, line: int, says: str
) -> None:
    source = tmp_path / "article.txt"
    source.write_bytes(content)
    result = run("ingest", str(source), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {source}:{line}: ") and says in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_outlet_or_date_says_which_option_to_give(tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    source.write_text(" date 2025-01-02 A title\n\nBy Ann Lee\n\nOne paragraph with 3 apples.\n", encoding="utf-8")
    result = run("ingest", str(source), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "--outlet" in result.stderr and "Traceback" not in result.stderr
    _ingest(source, tmp_path / "out", "--outlet", "The Post")
    assert run("--content", str(tmp_path / "out"), "check").returncode == 0


def test_an_article_without_a_number_becomes_content_without_figures(tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    text = (
        " date 2025-01-02 Why do towns plant street trees?\n\nBy Ann Lee\n\n"
        "Street trees are back in fashion across the region.\n\n"
        "Why do towns plant street trees?\n\nThey cool the streets in summer and slow the rain.\n\n"
        "The author is a reporter with The Post.\n"
    )
    source.write_text(text, encoding="utf-8")
    result = run("ingest", str(source), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "0 figures" in result.stdout and not (tmp_path / "out" / "figures.yaml").exists()
    library = load_library(tmp_path / "out")
    assert library.figures == () and "no figures" in render.html_figures(library)
    check = run("--content", str(tmp_path / "out"), "check")
    assert check.returncode == 0, check.stderr
    answer = Answerer(library).answer("Why do towns plant trees along streets?")
    assert answer.kind in (Kind.ANSWER, Kind.CAVEAT) and "cool the streets" in render.plain_answer(answer, library)


def test_a_bad_option_is_one_line(tmp_path: Path) -> None:
    for option in (("--url", "javascript:alert(1)"), ("--date", "21/02/2025")):
        result = run("ingest", str(FIRST), "--out", str(tmp_path / "out"), *option)
        assert result.returncode == 1 and result.stderr.count("\n") == 1 and option[0] in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_folder_that_is_not_empty_is_refused_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "content"
    out.mkdir()
    (out / "old.yaml").write_text("article: {}\n", encoding="utf-8")
    (out / "notes.md").write_text("mine\n", encoding="utf-8")
    result = run("ingest", str(FIRST), "--out", str(out))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "--force" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.md", "old.yaml"]
    _ingest(FIRST, out, "--force")
    assert not (out / "old.yaml").exists() and (out / "notes.md").read_text(encoding="utf-8") == "mine\n"
    assert run("--content", str(out), "check").returncode == 0


def test_the_draft_carries_the_projects_fitted_decision(first: Path) -> None:
    # The defaults ("the embedding alone") answer everything: a draft without a decision would never decline.
    assert load_library(first).parameters == load_library(ROOT / "content").parameters


def test_the_bot_answers_the_second_article_with_no_hand_written_phrasings(second: Path) -> None:
    result = run(
        "ask", "How much has the city spent on cycling infrastructure?", env={"ARTICLE_BOT_CONTENT_DIR": str(second)}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Since construction began, the city has spent 480 million euros")
    answerer = Answerer(load_library(second))
    questions = {
        "How many secure bike parking spaces did the city install?": "6,500 secure bike parking spaces",
        "Who wrote the article?": "Maren Eklund",
        "What happens next in Nordvik?": "cycle superhighways",
        "How many jobs has the construction supported?": "about 1,200 jobs",
    }
    for question, expected in questions.items():
        answer = answerer.answer(question)
        assert answer.kind is Kind.ANSWER, (question, answer)
        assert expected in render.plain_answer(answer, answerer.library), question
    for question in ("What is the weather like in Paris today?", "Tell me a recipe for lasagne"):
        assert answerer.answer(question).kind is Kind.NO_ANSWER, question


def test_the_draft_vocabulary_reads_names_both_ways_the_article_writes_them(first: Path, second: Path) -> None:
    # "DeepSeek" and "deep seek"; "World Intellectual Property Organization (WIPO)" and "WIPO".
    rewrites = dict(load_library(first).vocabulary.rewrites)
    assert rewrites == {"deep seek": "deepseek", "world intellectual property organization": "wipo"}
    assert load_library(second).vocabulary.rewrites == ()  # nothing of the kind there: nothing invented
