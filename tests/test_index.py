"""The stages of the lexical index (bot/core/index.py), each on its own, on a small article."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from bot.core.content import Library, SmallTalk, load_library
from bot.core.index import (
    UNANSWERED,
    phrasing_index,
    read_names,
    read_targets,
    read_unanswered,
    small_talk_index,
    typo_vocabulary,
    weigh,
)
from bot.core.normalise import Normaliser
from bot.core.parameters import Parameters
from tests.small_article import small_content

GENERAL = Normaliser()


@pytest.fixture
def small(tmp_path: Path) -> Library:
    return load_library(small_content(tmp_path))


def test_a_term_weighs_as_the_most_telling_part_it_stands_in(small: Library) -> None:
    read = read_targets(small, GENERAL, Parameters())
    growth = read.bags[0]  # "How fast did research spending grow?", its answer, its passage
    assert growth["researc"] == 1.0  # in a phrasing, the answer and the passage
    assert growth["10.5"] == 0.6  # in the answer and the passage
    assert read.bags[1]["june"] == 0.6 and "june" in read.own_terms[1]
    assert read.bags[1]["service"] == 1.0  # in its question only
    weighted = read_targets(small, GENERAL, dataclasses.replace(Parameters(), phrasing_weight=2.0))
    assert weighted.bags[0]["researc"] == 2.0


def test_own_terms_leave_out_what_only_a_passage_says(tmp_path: Path) -> None:
    small = load_library(small_content(tmp_path))
    passage_only = dataclasses.replace(
        small, passages={**small.passages, "p01": dataclasses.replace(small.passages["p01"], text="Tokyo said so.")}
    )
    read = read_targets(passage_only, GENERAL, Parameters())
    assert read.bags[0]["tokyo"] == 0.3 and "tokyo" not in read.own_terms[0]


def test_phrasings_that_come_to_the_same_words_clash(small: Library) -> None:
    users = small.entries[1]
    clashing = dataclasses.replace(
        small,
        entries=(
            small.entries[0],
            dataclasses.replace(
                users, phrasings=("research spending growth rate!", "the number of users", "number of users")
            ),
        ),
    )
    read = read_targets(clashing, GENERAL, Parameters())
    assert read.clashes == [("growth", "research spending growth rate", "users", "research spending growth rate!")]
    # The same words twice within one target count once.
    assert sum(1 for index, terms in read.phrasings if index == 1 and terms == frozenset({"user"})) == 1


def test_idf_favours_rare_terms_and_unknown_words_weigh_most(small: Library) -> None:
    weights = weigh(read_targets(small, GENERAL, Parameters()).bags)
    assert weights.idf["june"] == pytest.approx(math.log(1 + 3 / 1))
    assert weights.idf["june"] > weights.idf["researc"]  # "research" is in two of the three targets
    assert weights.unknown_idf > max(weights.idf.values())
    assert (0, weights.idf["10.5"] * 0.6) in weights.postings["10.5"]


def test_unanswered_questions_are_phrasings_of_their_own(small: Library) -> None:
    read = read_targets(small, GENERAL, Parameters())
    asked = dataclasses.replace(small, unanswered=("Who founded the service?", "number of users?", "?!"))
    unanswered = read_unanswered(asked, GENERAL, read.first_said)
    assert [owner for owner, _ in unanswered.phrasings] == [UNANSWERED, UNANSWERED]  # "?!" has no words
    assert unanswered.clashes == [("users", "number of users", "unanswered", "number of users?")]
    assert "founded" in unanswered.words


def test_a_phrasing_index_normalises_by_idf(small: Library) -> None:
    read = read_targets(small, GENERAL, Parameters())
    weights = weigh(read.bags)
    index = phrasing_index([(1, frozenset({"june", "zzz"}))], weights)
    assert index.postings == {"june": [0], "zzz": [0]}
    assert index.inverse_norm[0] == pytest.approx(1 / math.sqrt(weights.idf["june"] ** 2 + weights.unknown_idf**2))
    assert index.owner == [1]


def test_names_tell_targets_apart_and_the_subject_is_the_most_named(tmp_path: Path) -> None:
    small = load_library(small_content(tmp_path))
    named = dataclasses.replace(
        small,
        passages={
            "p01": dataclasses.replace(small.passages["p01"], text="In Japan, spending rose; Japan and Tokyo said so."),
            "p02": small.passages["p02"],
        },
    )
    read = read_targets(named, GENERAL, Parameters())
    names = read_names(named, GENERAL, read.own_terms)
    assert names.subject == frozenset({"japan"})
    assert "usa" in names.countries and "japan" in names.countries
    # Named inside a sentence, but in no target's own words (only in a passage): nothing to tell apart.
    assert "tokyo" not in names.entities


def test_typos_are_mended_towards_the_articles_longer_words(small: Library) -> None:
    read = read_targets(small, GENERAL, Parameters())
    vocabulary = typo_vocabulary(read.words, frozenset({"founded"}))
    assert "research" in vocabulary.by_initial["r"] and "rose" in vocabulary.by_initial["r"]
    assert all(len(word) >= 4 for words in vocabulary.by_initial.values() for word in words)
    assert "founded" not in vocabulary.by_initial.get("f", [])  # known, so not mended, but not a target
    assert {"founded", "germany"} <= vocabulary.known


def test_small_talk_is_known_whole_and_by_its_own_words() -> None:
    thanks = SmallTalk("thanks", ("Thanks!", "thank you"), "You're welcome.")
    hello = SmallTalk("hello", ("Hello", "hello friend", "hello, thank you"), "Hi.")
    index = small_talk_index((thanks, hello), frozenset({"friend"}), GENERAL.stopwords)
    assert index.exact["thank you"] is thanks and index.exact["hello friend"] is hello
    # "thank" belongs to both intents, "you" is a stopword: neither tells small talk apart.
    assert index.words == {"thanks": thanks, "hello": hello, "friend": hello}
    assert index.greetings == {"thanks", "hello"}  # "friend" is a word of the article
    assert index.longest == len("hello thank you") + 3
