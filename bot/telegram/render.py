"""Answers and listings as Telegram HTML or plain text.

Every piece of text from the content or from a user goes through ``html.escape``;
every message stays within Telegram's 4,096 characters.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape as _escape

from bot.core.answers import Answer, Kind
from bot.core.content import Library, Target
from bot.telegram import i18n

MAX_MESSAGE_CHARS = 4096
# Quotes need no escaping outside attributes, and &#x27; reads badly in notifications.
escape = partial(_escape, quote=False)
NOT_FOUND = i18n.text("en", "not_found")
EXAMPLE_QUESTION = "Is China just a follower of Western innovation?"


def _t(language: str, key: str, **html: str) -> str:
    """A catalog text as HTML; ``html`` fields are filled in already escaped."""
    return escape(i18n.text(language, key)).format(**html)


def example_target(library: Library) -> Target | None:
    """The question /start offers to tap: the first of /topics that is one of the article's headings."""
    topics = topic_targets(library)
    return next((t for t in topics if getattr(t, "heading", False)), topics[0] if topics else None)


def html_citation(library: Library) -> str:
    """The citation in italics, its outlet linking to the original article when the content gives its URL."""
    article = library.article
    text = escape(citation(library))
    if article.url:
        outlet = escape(article.outlet)
        text = text.replace(outlet, f'<a href="{_escape(article.url, quote=True)}">{outlet}</a>', 1)
    return f"<i>{text}</i>"


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
        return html_usage(library, answer.language)
    if answer.kind is Kind.NO_ANSWER or answer.target is None:
        language = answer.language
        if answer.alternatives:
            return f"{_t(language, 'not_found')}\n{_t(language, 'did_you_mean')}"
        return html_no_answer(language)
    lead, blocks = _body(answer, library)
    head = "\n".join([*([escape(lead)] if lead else []), *(_html_block(label, text) for label, text in blocks)])
    tail = html_citation(library)
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
    return f"{body}\n{html_citation(library)}"


def plain_answer(answer: Answer, library: Library) -> str:
    if answer.kind is Kind.SMALL_TALK and answer.small_talk is not None:
        return answer.small_talk.reply.format(title=library.article.title)
    if answer.kind is Kind.EMPTY:
        return f'Ask a question about the article, for example: "{EXAMPLE_QUESTION}"'
    if answer.kind is Kind.NO_ANSWER or answer.target is None:
        not_found = i18n.text(answer.language, "not_found")
        if answer.alternatives:
            return f"{not_found}\nDid you mean: " + " | ".join(t.question for t in answer.alternatives)
        return not_found if answer.language != "en" else no_answer_text(library)
    lead, blocks = _body(answer, library)
    body = [_plain_block(label, text, i == 0 and not lead) for i, (label, text) in enumerate(blocks)]
    lines = [*([lead] if lead else []), *body, ""]
    if answer.passages:
        lines += [*(f"> {p.text}" for p in answer.passages), ""]
    lines.append(f"— {citation(library)}" + (f" {library.article.url}" if library.article.url else ""))
    if answer.alternatives:
        lines.append("Did you mean: " + " | ".join(t.question for t in answer.alternatives))
    return "\n".join(lines)


def no_answer_text(library: Library, telegram: bool = True) -> str:
    """The console's decline: it has no buttons, so the article's questions are listed."""
    headings = "\n".join(f"• {t.question}" for t in topic_targets(library))
    return f"{NOT_FOUND} It answers questions such as:\n{headings}\nTry one of these."


def html_no_answer(language: str = "en") -> str:
    """A decline in Telegram: two short lines; the article's questions come as buttons under it."""
    return f"{_t(language, 'not_found')}\n{_t(language, 'decline_pointer')}"


def _example(library: Library) -> str:
    example = example_target(library)
    return example.question if example is not None else EXAMPLE_QUESTION


def html_usage(library: Library, language: str = "en") -> str:
    return f"{_t(language, 'usage')}\n<code>/ask {escape(_example(library))}</code>"


def html_mention_usage(library: Library, bot_username: str | None, language: str = "en") -> str:
    """A bare mention in a group: how to ask by mentioning."""
    mention = escape(f"@{bot_username or 'me'}")
    return f"{_t(language, 'mention_usage')}\n<code>{mention} {escape(_example(library))}</code>"


def html_topics(library: Library, language: str = "en") -> str:
    # The questions themselves are the buttons under it: listing them here as well says it all twice.
    return f"<b>{escape(library.article.title)}</b>\n\n{_t(language, 'topics_intro')}"


def html_figures(library: Library, language: str = "en") -> str:
    if not library.figures:
        return _t(language, "no_figures")
    lines = [f"<b>{_t(language, 'figures_title')}</b>", ""]
    lines += [f"• {escape(f.label)}" for f in library.figures]
    return "\n".join(lines)


def html_source(library: Library, language: str = "en") -> str:
    article = library.article
    by = _t(
        language,
        "source_by",
        author=escape(article.author),
        outlet=escape(article.outlet),
        date=escape(article.date.strftime("%-d %B %Y")),
    )
    return f"<b>{escape(article.title)}</b>\n{by}"


def html_welcome(library: Library, first_name: str | None, in_group: bool = False, language: str = "en") -> str:
    greeting = _t(language, "hello_name", name=escape(first_name)) if first_name else _t(language, "hello")
    how = _t(language, "welcome_group" if in_group else "welcome_private")
    return (
        f"{greeting} {_t(language, 'welcome_intro')}\n"
        f"<b>{escape(library.article.title)}</b> ({escape(citation(library))})\n\n"
        f"{how}\n"
        f"<i>{escape(_example(library))}</i>\n\n"
        f"{_t(language, 'welcome_end')}"
    )


def command_menu(commands: list[str], language: str = "en") -> list[tuple[str, str]]:
    """(command, description) in the reader's language, in the order given."""
    return [(name, i18n.text(language, f"command_{name}")) for name in commands]


def html_help(commands: list[str], bot_username: str | None, language: str = "en") -> str:
    lines = [f"<b>{_t(language, 'help_title')}</b>"]
    lines += [f"/{name} — {escape(description)}" for name, description in command_menu(commands, language)]
    lines += ["", _t(language, "help_private"), _t(language, "help_group")]
    if bot_username:
        example = f"<code>@{escape(bot_username)} {_t(language, 'help_inline_question')}</code>"
        lines.append(_t(language, "help_inline", example=example))
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
