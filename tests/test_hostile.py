"""Property tests: whatever people type, the core answers within bounds and renders valid HTML."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.answers import Answerer, Kind
from bot.core.content import Library
from bot.core.normalise import tokens
from bot.telegram import render
from tests.html_check import telegram_html_problems

TRICKY = st.sampled_from(
    [
        "\u200b",
        "\u200d",
        "\ufeff",
        "\u202e",
        "\u202c",
        "\u2066",
        "\u00ad",  # zero-width and bidi controls
        "<",
        ">",
        "&",
        "&amp;",
        "&#x27;",
        "<b>",
        "</i>",
        "<script>",
        "<a href='x'>",  # HTML
        "*",
        "_",
        "`",
        "[",
        "](",
        "~",
        "||",
        "\\",  # Markdown
        "🤖",
        "🇨🇳",
        "👍🏽",
        "\U0001f9d1\u200d\U0001f4bb",  # emoji, flags, ZWJ sequences
        "مرحبا",
        "שלום",
        "中国",
        "한국어",
        "ÅÉÎ",
        "ﬁ",
        "Ⅻ",  # RTL, CJK, ligatures, numerals
        "$",
        "%",
        "249.7",
        "250m",
        "19%",
        "$34.4bn",
        "…",
        "—",
        "“",
        "’",
        " ",
        "\t",
        "\n",
        "\r\n",
        "\x00",
        "\x7f",
    ]
)
HOSTILE = st.lists(st.one_of(TRICKY, st.text(max_size=8)), max_size=60).map("".join)


def check(answerer: Answerer, library: Library, question: str) -> None:
    answer = answerer.answer(question)
    assert 0 <= answer.score <= 100
    if answer.kind is Kind.ANSWER:
        assert answer.target is not None and answer.passages == tuple(library.passages_of(answer.target))
    html = render.html_answer(answer, library)
    assert telegram_html_problems(html) == [], html
    assert len(html) <= 4096
    plain = render.plain_answer(answer, library)
    assert plain.strip()


def test_symbols_joined_by_and_are_not_two_questions(answerer: Answerer, library: Library) -> None:
    """Found by the test below: "%r.&$" was split at "&" and each symbol answered as a question."""
    answer = answerer.answer("\u200b%r.&\u200b\u200b\u200b$")
    assert answer.more == ()
    check(answerer, library, "\u200b%r.&\u200b\u200b\u200b$")


@settings(max_examples=400, deadline=None)
@given(HOSTILE)
def test_hostile_mixtures(answerer: Answerer, library: Library, question: str) -> None:
    check(answerer, library, question)


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=300).map(lambda chunk: (chunk * (10_000 // len(chunk) + 1))[:10_000]))
def test_ten_thousand_characters(answerer: Answerer, library: Library, question: str) -> None:
    check(answerer, library, question)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(" \t\n\r\u00a0\u2000\u3000\u200b\ufeff"), max_size=50))
def test_whitespace_only_is_an_empty_or_unanswered_question(answerer: Answerer, library: Library, text: str) -> None:
    answer = answerer.answer(text)
    assert answer.kind in (Kind.EMPTY, Kind.NO_ANSWER)
    check(answerer, library, text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_ranking_is_bounded_and_ordered(answerer: Answerer, question: str) -> None:
    ranked = answerer.matcher.rank(question, limit=5)
    assert len(ranked) <= 5
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_invisible_characters_do_not_change_the_answer(answerer: Answerer) -> None:
    plain = answerer.answer("who wrote the article?")
    hidden = answerer.answer("who\u200b wrote\u200d the \u202earticle\u202c?\ufeff")
    assert plain.target is not None and hidden.target == plain.target
    assert tokens("res\u00adearch") == tokens("research")


def test_injected_markup_is_quoted_not_obeyed(answerer: Answerer, library: Library) -> None:
    for attack in ("<b>who wrote it</b>", "<a href='javascript:x'>who wrote it</a>", "*who* _wrote_ it"):
        html = render.html_answer(answerer.answer(attack), library)
        assert "javascript" not in html and "<a" not in html
        assert telegram_html_problems(html) == []
