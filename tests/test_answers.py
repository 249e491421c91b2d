"""The core: questions in readers' words reach the right entry; others get no answer."""

from __future__ import annotations

import dataclasses

import pytest

from bot.answers import MAX_QUESTION_CHARS, Answerer, Kind
from bot.content import Library
from bot.normalise import tokens


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ('Is China merely a simple "follower" of Western innovation?', "follower"),
        ("Is China merely a simple “follower” of Western innovation?", "follower"),
        ("how much did china spend on basic research in 2024", "basic-research-2024"),
        ("BASIC RESEARCH SPENDING?", "basic-research-2024"),
        ("$34.4 billion?", "basic-research-2024"),
        ("what's the 10.5% about", "basic-research-growth"),
        ("250m?", "genai-users"),
        ("what is the 250 million about?", "genai-users"),
        ("goldman sachs 19 per cent", "goldman-stock-rise"),
        ("$200bn inflows", "goldman-inflows"),
        ("who wrote this?", "author"),
        ("when was it published", "date"),
        ("what did mao ning say", "mao-ning"),
        ("how many intergovernmental agreements", "intergovernmental-agreements"),
        ("reserch spendng", "basic-research-2024"),
        # "summer" is a word of content/unanswered.yaml only: typos are mended towards the article's words.
        ("give me a summery", "about"),
    ],
)
def test_questions_reach_their_entry(answerer: Answerer, question: str, expected: str) -> None:
    answer = answerer.answer(question)
    assert answer.kind is Kind.ANSWER
    assert answer.target is not None and answer.target.id == expected


@pytest.mark.parametrize("question", ["what's the weather in London?", "asdfgh qwerty", "?", "who won the world cup"])
def test_off_topic_gets_no_answer(answerer: Answerer, question: str) -> None:
    answer = answerer.answer(question)
    assert answer.kind is Kind.NO_ANSWER
    assert answer.target is None and answer.passages == ()


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question(answerer: Answerer, question: str) -> None:
    assert answerer.answer(question).kind is Kind.EMPTY


@pytest.mark.parametrize(
    ("question", "intent"), [("hi", "greeting"), ("Thanks!", "thanks"), ("who are you?", "identity")]
)
def test_small_talk(answerer: Answerer, question: str, intent: str) -> None:
    answer = answerer.answer(question)
    assert answer.kind is Kind.SMALL_TALK and answer.small_talk is not None and answer.small_talk.id == intent


def test_answer_carries_its_source_passages(answerer: Answerer, library: Library) -> None:
    answer = answerer.answer("how many people use generative AI in China")
    assert [p.id for p in answer.passages] == ["p07"]
    assert "250 million" in answer.passages[0].text


def test_close_runner_up_is_offered(answerer: Answerer) -> None:
    answer = answerer.answer("author and date?")
    assert answer.target is not None
    ids = {answer.target.id, *(t.id for t in answer.alternatives)}
    assert {"author", "date"} <= ids


def test_lookup_by_id(answerer: Answerer) -> None:
    found = answerer.lookup("follower")
    assert found is not None and found.target is not None and found.target.id == "follower"
    assert answerer.lookup("no-such-entry") is None


def test_a_long_question_is_cut_not_choked_on(answerer: Answerer) -> None:
    answer = answerer.answer("basic research spending " + "blah " * 3000)
    assert answer.kind in (Kind.ANSWER, Kind.NO_ANSWER)
    assert len(answer.question) <= MAX_QUESTION_CHARS


def test_normalisation_folds_figures_and_typography() -> None:
    assert sorted(tokens("$34.4bn")) == sorted(tokens("34.4 billion dollars"))
    assert tokens("19%") == tokens("19 per cent") == tokens("19 percent")
    assert tokens("China’s “follower”") == tokens('China\'s "follower"')
    assert tokens("250m users") == tokens("250 million users")
    assert tokens("imitate") == tokens("copy") == tokens("follower")
    assert tokens("zero\u200bwidth") == tokens("zerowidth")


def test_a_near_miss_close_to_an_unanswered_question_is_declined_with_suggestions(library: Library) -> None:
    """The article counts the agreements; it does not say who signed them.

    Without content/unanswered.yaml the question would get the count as if that were the answer.
    """
    question = "which countries signed those 118 agreements"
    without = Answerer(dataclasses.replace(library, unanswered=())).answer(question)
    assert without.kind is Kind.ANSWER and without.target is not None
    assert without.target.id == "intergovernmental-agreements"
    declined = Answerer(library).answer(question)
    assert declined.kind is Kind.NO_ANSWER
    assert [t.id for t in declined.alternatives] == ["intergovernmental-agreements"]  # offered as "Did you mean"
    assert Answerer(library).matches(question, limit=5) == []  # inline mode too
    # The real question next to it is still answered.
    answer = Answerer(library).answer("how many agreements did china sign")
    assert answer.kind is Kind.ANSWER and answer.target is not None
    assert answer.target.id == "intergovernmental-agreements"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The article gives China's basic research spending, nobody else's.
        ("japanese spending on basic research in 2024", None),
        ("how much does germany spend on basic research", None),
        # The WIPO ranking names the US, so a question about the US and patents is about it.
        ("how does the US compare in generative AI patents", "wipo-patents"),
        ("is the us ahead of china in ai patents", "wipo-patents"),  # names China too
    ],
)
def test_questions_about_another_country_get_only_targets_that_name_it(
    answerer: Answerer, question: str, expected: str | None
) -> None:
    answer = answerer.answer(question)
    assert (answer.target.id if answer.kind is Kind.ANSWER and answer.target else None) == expected


def test_a_country_is_not_mended_into_another_word(answerer: Answerer) -> None:
    # "spain" is one edit from the article's "spin"; as a country it rules out China's figures.
    assert answerer.answer("spain genai users").kind is Kind.NO_ANSWER


def test_every_phrasing_in_the_content_gets_its_own_answer(answerer: Answerer) -> None:
    """What `python -m bot check` warns about: a phrasing that another entry, an unanswered
    question or small talk takes over can never be reached."""
    assert answerer.misrouted() == []


def test_a_score_on_the_threshold_still_looks_at_unanswered_questions(library: Library) -> None:
    question = "India's generative AI patent count in that WIPO report?"  # listed in unanswered.yaml
    threshold = Answerer(library).matcher.rank(question, 1)[0].score  # rounded, as answers compare it
    assert Answerer(library, threshold).answer(question).kind is Kind.NO_ANSWER


def test_the_other_part_of_a_two_part_question_is_offered(answerer: Answerer) -> None:
    answer = answerer.answer("who is the author and where was it published")
    assert answer.kind is Kind.ANSWER and answer.target is not None
    assert {answer.target.id, *(t.id for t in answer.alternatives)} >= {"author", "outlet"}


def test_us_is_the_country_only_when_written_as_one() -> None:
    assert tokens("what does deepseek tell us about china") == tokens("what does deepseek say about china")
    assert tokens("patents in the US") == tokens("patents in the us") == tokens("patents in the U.S.")
    assert tokens("patents in America") == tokens("patents in the USA")
    assert "usa" not in tokens("US$34.4 billion")
    assert tokens("34.4 billion US dollars") == tokens("34.4 billion U.S. dollars") == tokens("34.4 billion $")
    assert tokens("ＵＳ patents") == tokens("US patents")  # full-width letters are letters
    assert tokens("TELL US ABOUT DEEPSEEK") == tokens("tell us about deepseek")
    assert tokens("PATENTS IN THE US") == tokens("patents in the US")
