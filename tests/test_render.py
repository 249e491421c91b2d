"""Rendering: answers look as designed, are always valid Telegram HTML, and never too long."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.answers import Answerer
from bot.core.content import Library, Passage
from bot.telegram import render
from tests.html_check import telegram_html_problems


def test_answer_layout(answerer: Answerer, library: Library) -> None:
    html = render.html_answer(answerer.answer("basic research spending in 2024"), library)
    assert html.startswith("<b>In 2024, China's expenditure on basic research totaled 249.7 billion yuan")
    assert "<blockquote expandable>In 2024, China's expenditure" in html
    assert html.endswith("<i>Global Times · Hu Weijia · 21 Feb 2025</i>")
    assert telegram_html_problems(html) == []


def test_no_answer_points_to_the_buttons_and_quotes_nothing(answerer: Answerer, library: Library) -> None:
    html = render.html_answer(answerer.answer("what's the weather in Paris"), library)
    assert "Tap a question below" in html and "blockquote" not in html
    assert telegram_html_problems(html) == []


def test_user_and_content_text_is_escaped(answerer: Answerer, library: Library) -> None:
    hostile = dataclasses.replace(library.entries[0], answer="<script>alert(1)</script> & <b>")
    answer = dataclasses.replace(answerer.answer("what is the article about"), target=hostile)
    html = render.html_answer(answer, library)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; &lt;b&gt;" in html
    assert telegram_html_problems(html) == []


def test_overlong_passages_are_cut_to_fit(answerer: Answerer, library: Library) -> None:
    answer = answerer.answer("what will china's innovation bring to the world")
    huge = tuple(Passage(p.id, (p.text + " & <x> ") * 40) for p in answer.passages)
    html = render.html_answer(dataclasses.replace(answer, passages=huge), library)
    assert len(html) <= 4096
    assert telegram_html_problems(html) == []
    assert html.count("<blockquote") == 1 and "…</blockquote>" in html


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_listing_is_valid(library: Library, language: str) -> None:
    texts = [
        render.html_topics(library, language),
        render.html_figures(library, language),
        render.html_source(library, language),
        render.html_welcome(library, "<Ada & Bob>", language=language),
        render.html_help(["ask", "topics", "start"], "Article_Bot", language),
        render.html_usage(library, language),
        render.html_mention_usage(library, "Article_Bot", language),
        render.html_no_answer(language),
    ]
    for text in texts:
        assert telegram_html_problems(text) == [], text
    assert "&lt;Ada &amp; Bob&gt;" in texts[3]
    assert all(f.label in render.html_figures(library) for f in library.figures)


def test_reports_are_escaped_and_cut_to_one_message() -> None:
    html = render.html_preformatted("<unanswered> & more\n" * 500)
    assert html.startswith("<pre>&lt;unanswered&gt; &amp; more") and html.endswith("…</pre>")
    assert len(html) <= 4096 and telegram_html_problems(html) == []


def test_plain_answer_for_the_terminal(answerer: Answerer, library: Library) -> None:
    text = render.plain_answer(answerer.answer("who wrote it"), library)
    assert text.splitlines()[0] == "Hu Weijia, a reporter with the Global Times."
    assert "> The author is a reporter with the Global Times." in text
    assert "<" not in text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_question_renders_valid_html(answerer: Answerer, library: Library, question: str) -> None:
    answer = answerer.answer(question)
    assert telegram_html_problems(render.html_answer(answer, library)) == []
    render.plain_answer(answer, library)
