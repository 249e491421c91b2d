"""Answers and listings as Telegram HTML or plain text.

Every piece of text from the content or from a user goes through ``html.escape``;
every message stays within Telegram's 4,096 characters.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape as _escape

from bot import i18n
from bot.answers import Answer, Kind
from bot.content import Library, Target

MAX_MESSAGE_CHARS = 4096
# Quotes need no escaping outside attributes, and &#x27; reads badly in notifications.
escape = partial(_escape, quote=False)
NOT_FOUND = "I couldn't find that in the article, so I won't guess."
POINTER = "See /topics for the article's questions, or /figures for its numbers."
DECLINE_POINTER = "Tap a question below, or ask in other words."
EXAMPLE_QUESTION = "Is China just a follower of Western innovation?"


def citation(library: Library) -> str:
    article = library.article
    return f"{article.outlet} · {article.author} · {article.date.strftime('%-d %b %Y')}"


def html_answer(answer: Answer, library: Library, compact: bool = False, heading: str | None = None) -> str:
    """``compact`` (groups): one quoted passage at most. ``heading``: a first line of the bot's own,
    such as whose tap this answers."""
    text = _html_answer(answer, library, compact)
    if heading is None:
        return text
    headed = f"<i>{escape(heading)}</i>\n{text}"
    return headed if len(headed) <= MAX_MESSAGE_CHARS else text  # the answer matters more than the heading


def _html_answer(answer: Answer, library: Library, compact: bool) -> str:
    if answer.kind is Kind.SMALL_TALK and answer.small_talk is not None:
        return escape(answer.small_talk.reply.format(title=library.article.title))
    if answer.kind is Kind.EMPTY:
        return html_usage()
    if answer.kind is Kind.NO_ANSWER or answer.target is None:
        if answer.language != "en":
            suffix = f" {i18n.text(answer.language, 'did_you_mean')}" if answer.alternatives else ""
            return escape(i18n.text(answer.language, "not_found") + suffix) + " /topics"
        if answer.alternatives:
            return escape(f"{NOT_FOUND} Did you mean one of these?")
        return html_no_answer(library)
    lead, blocks = _body(answer, library)
    head = "\n".join([*([escape(lead)] if lead else []), *(_html_block(label, text) for label, text in blocks)])
    tail = f"<i>{escape(citation(library))}</i>"
    quotes = [escape(p.text) for p in answer.passages[: 1 if compact else None]]
    return _fit(head, quotes, tail, lambda q: f"<blockquote expandable>{q}</blockquote>")


def _body(answer: Answer, library: Library) -> tuple[str, list[tuple[str | None, str]]]:
    """The bot's own opening line (or none), then (label, text) blocks from the content: each part's
    short answer, or an overview's list. A label is a heading question or a section title."""
    assert answer.target is not None
    language = answer.language
    lead = i18n.text(language, "caveat") if answer.kind is Kind.CAVEAT else i18n.text(language, "frame")
    blocks: list[tuple[str | None, str]] = []
    for target in (answer.target, *answer.more):
        lists = getattr(target, "lists", None)
        if target.answer:
            blocks.append((None, target.answer))
        if lists == "headings":
            blocks.append(("", i18n.text(language, "headings")))
            blocks += [(t.question, t.answer) for t in library.entries if t.heading and t.id != target.id]
        elif lists == "figures":
            blocks.append(("", i18n.text(language, "figures")))
            blocks += [("•", f.label) for f in library.figures]
    return lead, blocks


def _html_block(label: str | None, text: str, first: bool = False) -> str:
    if label is None:
        return f"<b>{escape(text)}</b>"  # a short answer
    if label == "":
        return escape(text) if first else f"\n{escape(text)}"  # a section title, the bot's own words
    if label == "•":
        return f"• {escape(text)}"
    return f"• <b>{escape(label)}</b> {escape(text)}"


def _plain_block(label: str | None, text: str, first: bool = False) -> str:
    if label is None:
        return text
    if label == "":
        return text if first else f"\n{text}"
    if label == "•":
        return f"• {text}"
    return f"• {label} {text}"


def html_inline(target: Target, library: Library) -> str:
    """The message an inline result sends: the short answer (or the overview) and where it comes from."""
    _, blocks = _body(Answer(Kind.ANSWER, target.question, target), library)
    body = "\n".join(_html_block(label, text, i == 0) for i, (label, text) in enumerate(blocks))
    return f"{body}\n<i>{escape(citation(library))}</i>"


def plain_answer(answer: Answer, library: Library) -> str:
    if answer.kind is Kind.SMALL_TALK and answer.small_talk is not None:
        return answer.small_talk.reply.format(title=library.article.title)
    if answer.kind is Kind.EMPTY:
        return f'Ask a question about the article, for example: "{EXAMPLE_QUESTION}"'
    if answer.kind is Kind.NO_ANSWER or answer.target is None:
        not_found = i18n.text(answer.language, "not_found")
        if answer.alternatives:
            return f"{not_found}\nDid you mean: " + " | ".join(t.question for t in answer.alternatives)
        return not_found if answer.language != "en" else no_answer_text(library, telegram=False)
    lead, blocks = _body(answer, library)
    body = [_plain_block(label, text, i == 0 and not lead) for i, (label, text) in enumerate(blocks)]
    lines = [*([lead] if lead else []), *body, ""]
    if answer.passages:
        lines += [*(f"> {p.text}" for p in answer.passages), ""]
    lines.append(f"— {citation(library)}")
    if answer.alternatives:
        lines.append("Did you mean: " + " | ".join(t.question for t in answer.alternatives))
    return "\n".join(lines)


def no_answer_text(library: Library, telegram: bool = True) -> str:
    headings = "\n".join(f"• {t.question}" for t in topic_targets(library))
    pointer = POINTER if telegram else "Try one of these."
    return (
        f"I couldn't find that in the article, so I won't guess. It answers questions such as:\n{headings}\n{pointer}"
    )


def html_no_answer(library: Library) -> str:
    """A decline in Telegram: two short lines; the article's questions come as buttons under it."""
    return escape(f"{NOT_FOUND}\n{DECLINE_POINTER}")


def html_usage() -> str:
    return (
        "Ask me a question about the article after the command, for example:\n"
        f"<code>/ask {escape(EXAMPLE_QUESTION)}</code>"
    )


def html_mention_usage(bot_username: str | None) -> str:
    """A bare mention in a group: how to ask by mentioning."""
    return (
        "Mention me with your question in the same message, for example:\n"
        f"<code>@{escape(bot_username or 'me')} {escape(EXAMPLE_QUESTION)}</code>"
    )


def html_topics(library: Library) -> str:
    # The questions themselves are the buttons under it: listing them here as well says it all twice.
    return f"<b>{escape(library.article.title)}</b>\n\nWhat the article answers: tap one, or ask in your own words."


def html_figures(library: Library) -> str:
    lines = ["<b>Key figures in the article</b>", ""]
    lines += [f"• {escape(f.label)}" for f in library.figures]
    return "\n".join(lines)


def html_source(library: Library) -> str:
    article = library.article
    return (
        f"<b>{escape(article.title)}</b>\n"
        f"By {escape(article.author)}, {escape(article.outlet)}, "
        f"{escape(article.date.strftime('%-d %B %Y'))}"
    )


def html_welcome(library: Library, first_name: str | None, in_group: bool = False) -> str:
    greeting = f"Hello, {escape(first_name)}!" if first_name else "Hello!"
    how = (
        "In this group, ask with /ask, mention me, or reply to one of my answers, for example:\n"
        if in_group
        else "Just send me a question in your own words, for example:\n"
    )
    return (
        f"{greeting} I answer questions about one article:\n"
        f"<b>{escape(library.article.title)}</b> ({escape(citation(library))})\n\n"
        f"{how}"
        f"<i>{escape(EXAMPLE_QUESTION)}</i>\n\n"
        "Each answer comes with the passage it is taken from. "
        "/topics lists the article's questions, /figures its numbers, /help every command."
    )


def html_help(commands: list[tuple[str, str]], bot_username: str | None) -> str:
    lines = ["<b>Commands</b>"]
    lines += [f"/{name} — {escape(description)}" for name, description in commands]
    lines += [
        "",
        "In a private chat, any message is a question.",
        "In a group, use /ask, mention me, or reply to one of my messages.",
    ]
    if bot_username:
        lines.append(f"In any chat, type <code>@{escape(bot_username)} your question</code> to share an answer.")
    return "\n".join(lines)


def html_preformatted(text: str) -> str:
    """A report (stats, reload errors) as fixed-width text, cut to fit one message."""
    room = MAX_MESSAGE_CHARS - len("<pre></pre>") - 1
    body = escape(text)
    if len(body) > room:
        body = _cut_escaped(body, room - 1) + "…"
    return f"<pre>{body}</pre>"


def topic_targets(library: Library) -> list[Target]:
    return [t for t in (library.target(i) for i in library.topics) if t is not None]


def _fit(head: str, quotes: list[str], tail: str, wrap: Callable[[str], str]) -> str:
    """Join head, quoted passages and tail, dropping or cutting passages to fit a message."""
    while True:
        text = "\n".join([head, *(wrap(q) for q in quotes), tail])
        if len(text) <= MAX_MESSAGE_CHARS:
            return text
        if len(quotes) > 1:
            quotes = quotes[:-1]
            continue
        room = MAX_MESSAGE_CHARS - (len(text) - len(quotes[0])) - 1 if quotes else 0
        if not quotes or room <= 0:
            return _cut_html(head, MAX_MESSAGE_CHARS)
        quotes = [_cut_escaped(quotes[0], room) + "…"]


def _cut_escaped(text: str, limit: int) -> str:
    """Cut escaped text without splitting an entity such as ``&amp;``."""
    cut = text[:limit]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut


def _cut_html(head: str, limit: int) -> str:
    return head if len(head) <= limit else "<b>" + _cut_escaped(head[3:-4], limit - 8) + "…</b>"
