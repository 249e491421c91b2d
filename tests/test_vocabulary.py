"""An article's own words are content (vocabulary.yaml): validated, loaded, and folded per library."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.content import ContentError, Library, load_library
from bot.core.matcher import Matcher
from bot.core.normalise import Normaliser, Vocabulary, tokens
from tests.small_article import small_content
from tests.telegram_double import message_update

ADMIN = 5


def test_the_articles_words_fold_with_its_vocabulary_and_not_without(library: Library) -> None:
    article = Normaliser(library.vocabulary).tokens
    assert article("who founded deep seek") == article("who founded deep-seek") == article("who founded deepseek")
    assert article("gen ai users") == article("generative ai users")
    assert article("prc patents") == article("beijing patents") == article("china patents")
    assert article("follower") == article("copy") == tokens("imitate")  # onto a general-English group
    # General English alone does not know this article's names.
    assert tokens("prc patents") != tokens("china patents")
    assert tokens("deep seek") != tokens("deepseek")
    assert tokens("follower") != tokens("copy")


def test_two_libraries_in_one_process_each_fold_their_own_words(tmp_path: Path) -> None:
    one = load_library(
        small_content(tmp_path / "one", vocabulary_yaml="vocabulary:\n  synonyms: [users subscribers]\n")
    )
    two = load_library(small_content(tmp_path / "two", vocabulary_yaml="vocabulary:\n  synonyms: [users members]\n"))
    first, second = Matcher(one), Matcher(two)  # both built before either is asked
    assert [c.target.id for c in first.rank("subscribers?")][:1] == ["users"]
    assert second.rank("subscribers?") == []  # a word its article does not know
    assert [c.target.id for c in second.rank("members?")][:1] == ["users"]
    assert first.rank("members?") == []
    assert Normaliser(one.vocabulary).tokens("subscribers") == Normaliser(two.vocabulary).tokens("members")


def test_without_a_vocabulary_the_bot_reads_general_english(tmp_path: Path) -> None:
    library = load_library(small_content(tmp_path))
    assert library.vocabulary == Vocabulary()
    assert Matcher(library).rank("subscribers?") == []
    assert Matcher(library).rank("how much did spending increase?")[0].target.id in {"growth", "research-growth"}


def test_stopwords_of_an_article_are_dropped(tmp_path: Path) -> None:
    library = load_library(small_content(tmp_path, vocabulary_yaml="vocabulary:\n  stopwords: service\n"))
    assert Normaliser(library.vocabulary).words("the service users") == ["users"]


@pytest.mark.parametrize(
    ("vocabulary", "line", "message"),
    [
        (
            "vocabulary:\n  synonym: [a b]\n",
            2,
            "vocabulary: unknown key 'synonym' (allowed: rewrites, stopwords, synonyms)",
        ),
        (
            "vocabulary:\n  synonyms: users subscribers\n",
            2,
            "vocabulary: 'synonyms' must be a list of groups, got text",
        ),
        ("vocabulary:\n  synonyms: []\n", 2, "vocabulary: 'synonyms' must be a list of groups, got empty"),
        (
            "vocabulary:\n  synonyms:\n    - users clients\n    - ''\n",
            4,
            "a group is a line of words, got an empty group",
        ),
        ("vocabulary:\n  synonyms:\n    - [users, clients]\n", 3, "a group is a line of words, got a list"),
        ("vocabulary:\n  synonyms:\n    - users\n", 3, "vocabulary: synonyms: a group needs two words at least"),
        (
            "vocabulary:\n  synonyms:\n    - users clients\n    - buyers clients\n",
            4,
            "vocabulary: synonyms: 'clients' is also in the group at line 3",
        ),
        ("vocabulary:\n  synonyms:\n    - users the\n", 3, "'the' is a stopword: questions never keep it"),
        ("vocabulary:\n  synonyms:\n    - users user's\n", 3, '"user\'s" is not one word as questions are read'),
        ("vocabulary:\n  rewrites: [deep seek]\n", 2, "'rewrites' must map phrases to replacements, got a list"),
        ("vocabulary:\n  rewrites:\n    deep seek: 3\n", 3, "'deep seek' needs words to rewrite it to, got a number"),
        (
            "vocabulary:\n  rewrites:\n    deep seek: deepseek\n    deep-seek: deepseek\n",
            4,
            "'deep-seek' is already rewritten at line 3",
        ),
        ("vocabulary:\n  rewrites:\n    '?!': deepseek\n", 3, "'?!' has no word to match"),
        (
            "vocabulary:\n  stopwords: [the, service]\n",
            2,
            "vocabulary: 'stopwords' must be a line of words, got a list",
        ),
        ("vocabulary: [users subscribers]\n", 1, "vocabulary: expected a mapping of fields, got a list"),
    ],
)
def test_a_bad_vocabulary_says_file_and_line(tmp_path: Path, vocabulary: str, line: int, message: str) -> None:
    directory = small_content(tmp_path, vocabulary_yaml=vocabulary)
    with pytest.raises(ContentError) as caught:
        load_library(directory)
    where = f"{directory / 'vocabulary.yaml'}:{line}: "
    assert [e for e in caught.value.errors if e.startswith(where) and message in e], caught.value.errors


async def test_reload_reads_the_vocabulary_again_and_refuses_a_bad_one(offline_bot_factory, tmp_path: Path) -> None:
    content = small_content(tmp_path / "content")
    bot = await offline_bot_factory(admins=frozenset({ADMIN}), content_dir=content)
    (content / "vocabulary.yaml").write_text("vocabulary:\n  synonyms:\n    - users clients\n    - buyers clients\n")
    (report,) = await bot.send(message_update("/reload", user_id=ADMIN))
    assert "Reload failed; still serving the previous content." in report["text"]
    assert f"{content / 'vocabulary.yaml'}:4: vocabulary: synonyms: 'clients' is also in" in report["text"]
    (content / "vocabulary.yaml").write_text("vocabulary:\n  synonyms:\n    - users clients\n")
    (report,) = await bot.send(message_update("/reload", user_id=ADMIN))
    assert "Content reloaded: 2 passages" in report["text"]
