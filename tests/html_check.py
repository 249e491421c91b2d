"""Telegram's HTML subset, for every double: what sendMessage with parse_mode=HTML accepts, and the
text the reader then sees (https://core.telegram.org/bots/api#html-style). Standard library only: the
fake Bot API server (tests/botapi_server.py) refuses with it what the recording double
(tests/telegram_double.py) flags."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

ALLOWED = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote", "span",
     "tg-spoiler", "tg-emoji"}
)  # fmt: skip
NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            self.problems.append(f'Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f'Unmatched end tag "{tag}"')
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            self.problems.append(f'Unsupported entity "&{name};"')
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))


def parse(text: str) -> tuple[str, list[str]]:
    """What the reader sees of ``text`` sent with parse_mode=HTML, and why Telegram would refuse it."""
    problems = []
    if re.search(r"<(?![a-zA-Z/])", text):
        problems.append("a bare '<' that is not a tag")
    if re.search(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", text):
        problems.append("a bare '&' that is not an entity")
    parser = _Parser()
    parser.feed(text)
    parser.close()
    problems += parser.problems
    if parser.stack:
        problems.append(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.text), problems


def telegram_html_problems(text: str) -> list[str]:
    """Empty when Telegram would accept ``text`` as a message; otherwise what it would reject."""
    shown, problems = parse(text)
    if not text.strip():
        problems.insert(0, "message is empty")
    if len(shown) > 4096:  # Telegram counts what is shown, after entities are parsed
        problems.append(f"{len(shown)} characters, more than 4096")
    return problems
