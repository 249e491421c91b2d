"""``lint``: each check of content on a small broken copy gives its finding at the right file and line."""

from __future__ import annotations

from pathlib import Path

from bot.core.lint import Finding, Severity, check_folder
from tests.conftest import FIXTURE_CONTENT
from tests.test_content import MINIMAL, write

ENTRIES = MINIMAL["entries.yaml"]
ARTICLE = MINIMAL["article.yaml"]


def findings(tmp_path: Path, **overrides: str) -> list[str]:
    """What ``check`` prints, with the folder left out of the paths."""
    _, found = check_folder(write(tmp_path, **overrides))
    return [str(finding).removeprefix(f"{tmp_path}/") for finding in found]


def test_the_minimal_content_is_clean(tmp_path: Path) -> None:
    assert findings(tmp_path) == []


def test_a_schema_error_is_a_finding_with_its_line(tmp_path: Path) -> None:
    library, found = check_folder(write(tmp_path, entries_yaml=ENTRIES.replace("passages: [p01]", "passages: [p02]")))
    assert library is None
    assert found == [
        Finding(str(tmp_path / "entries.yaml"), 7, Severity.ERROR, "entry growth: unknown passage id 'p02'")
    ]


def test_a_passage_with_one_word_changed(tmp_path: Path) -> None:
    assert findings(tmp_path, article_yaml=ARTICLE.replace("spending rose", "spending climbed")) == [
        'article.yaml:8: passage p01 is not in article.txt word for word: it departs at "climbed" (word 4)',
        "article.txt:5: warning: this paragraph is in no passage",
    ]


def test_without_the_article_text_the_verbatim_check_is_skipped_with_a_note(tmp_path: Path) -> None:
    (write(tmp_path) / "article.txt").unlink()
    library, found = check_folder(tmp_path)
    assert library is not None
    assert [str(f) for f in found] == [f"{tmp_path}:1: note: no article.txt: passages not checked against it"]


def test_a_number_in_an_answer_missing_from_its_passage(tmp_path: Path) -> None:
    broken = ENTRIES.replace("It rose 10.5 percent.", "It rose 11.5 percent.")
    assert findings(tmp_path, entries_yaml=broken) == [
        "entries.yaml:6: entry growth: the answer's 11.5 is not in its source"
    ]


def test_a_figure_value_missing_from_its_passage(tmp_path: Path) -> None:
    broken = ENTRIES.replace("value: 10.5", "value: 12")
    assert findings(tmp_path, entries_yaml=broken) == [
        "entries.yaml:12: figure growth-rate: value 12 is not in passage p01"
    ]


def test_a_heading_that_is_not_a_line_of_the_article(tmp_path: Path) -> None:
    broken = ENTRIES.replace("    passages: [p01]\n    label", "    heading: true\n    passages: [p01]\n    label")
    assert findings(tmp_path, entries_yaml=broken) == [
        "entries.yaml:4: entry growth: the heading is not a line of article.txt word for word"
    ]


def test_a_paragraph_of_the_article_in_no_passage(tmp_path: Path) -> None:
    text = MINIMAL["article.txt"] + "\nA paragraph nobody quotes.\n"
    assert findings(tmp_path, article_txt=text) == ["article.txt:8: warning: this paragraph is in no passage"]


def test_passages_out_of_the_articles_order(tmp_path: Path) -> None:
    text = MINIMAL["article.txt"] + "\nThen it fell.\n"
    article = ARTICLE.replace("  - id: p01\n", "  - id: p02\n    text: Then it fell.\n  - id: p01\n")
    assert findings(tmp_path, article_txt=text, article_yaml=article) == [
        "article.yaml:10: warning: passage p01 is listed after p02 but comes before it in the article"
    ]


def test_a_title_the_article_does_not_have(tmp_path: Path) -> None:
    broken = ARTICLE.replace("title: A title", "title: Another title")
    assert findings(tmp_path, article_yaml=broken) == ["article.yaml:2: article: 'Another title' is not in article.txt"]


def test_a_phrasing_that_lands_on_another_entry(tmp_path: Path) -> None:
    broken = ENTRIES.replace("phrasings: [growth rate]", "phrasings: [growth rate, how much did spending grow]")
    assert findings(tmp_path, entries_yaml=broken) == [
        'entries.yaml:18: warning: growth-rate "how much did spending grow" reads the same as growth '
        '"how much did spending grow"; the matcher cannot tell them apart',
        'entries.yaml:5: warning: growth "how much did spending grow" would get the answer of growth-rate',
    ]


def test_an_entry_without_a_label(tmp_path: Path) -> None:
    broken = ENTRIES.replace("    label: Spending growth\n", "")
    assert findings(tmp_path, entries_yaml=broken) == [
        "entries.yaml:3: warning: entry growth: no 'label'; its buttons show the question cut to 40"
    ]


def test_the_fixture_article_of_the_handler_tests_is_clean() -> None:
    library, found = check_folder(FIXTURE_CONTENT)
    assert library is not None and [str(f) for f in found] == []
