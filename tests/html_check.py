"""A validator for Telegram's HTML subset: what sendMessage with parse_mode=HTML accepts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "span",
    "tg-spoiler",
    "tg-emoji",
}
NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in ALLOWED:
            self.problems.append(f"tag <{tag}> is not allowed")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}>")
        else:
            self.stack.pop()

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            self.problems.append(f"entity &{name}; is not supported")


def telegram_html_problems(text: str) -> list[str]:
    """Empty when Telegram would accept ``text``; otherwise what it would reject."""
    problems = []
    if not text.strip():
        problems.append("message is empty")
    # Telegram counts length after entities are parsed; the raw text is an upper bound.
    visible = re.sub(r"<[^>]*>", "", text)
    visible = re.sub(r"&(lt|gt|amp|quot|#\d+);", "x", visible)
    if len(visible) > 4096:
        problems.append(f"{len(visible)} characters, more than 4096")
    if re.search(r"<(?![a-zA-Z/])", text):
        problems.append("a bare '<' that is not a tag")
    if re.search(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", text):
        problems.append("a bare '&' that is not an entity")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    problems += checker.problems
    if checker.stack:
        problems.append(f"unclosed tags: {checker.stack}")
    return problems
