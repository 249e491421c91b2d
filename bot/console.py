"""``python -m bot ask`` without a question: a conversation in the terminal, as in a private chat.

Each line is a question, or one of the bot's listing commands; a line may follow up on the answer
before it. At a terminal there is a prompt; from a file or a pipe each answer is headed by its line.
"""

from __future__ import annotations

import contextlib
import re
import sys
from typing import TextIO

from bot.core.answers import Answerer, Kind
from bot.core.content import Library, Target
from bot.telegram import render

PROMPT = "» "
HELP = """/topics   the questions the article answers
/figures  the article's key figures
/source   title, author, outlet and date
/help     this list
Any other line is a question; a line may follow up on the answer before it. Ctrl-D to quit."""


def converse(answerer: Answerer, stdin: TextIO = sys.stdin, interactive: bool | None = None) -> int:
    interactive = stdin.isatty() if interactive is None else interactive
    library = answerer.library
    if interactive:
        print(f"Ask about: {library.article.title}\nOne question a line; /help for the commands; Ctrl-D to quit.")
    previous: Target | None = None
    try:
        while True:
            line = _read(stdin, interactive)
            if line is None:
                break
            if not line.strip():
                continue
            if not interactive:
                print(f"{PROMPT}{line.strip()}")  # which answer is which, when questions come from a file
            listing = command(line, library)
            if listing is not None:
                print(listing)
            else:
                answer = answerer.answer(line, previous)
                if answer.target is not None and answer.kind in (Kind.ANSWER, Kind.CAVEAT):
                    previous = answer.target
                print(render.plain_answer(answer, library))
            print()
    except KeyboardInterrupt:
        pass
    if interactive:
        print()  # the prompt's line, ended
    return 0


def command(line: str, library: Library) -> str | None:
    """The listing a command line asks for; None when the line is a question."""
    name = line.strip().split(maxsplit=1)[0].casefold() if line.strip().startswith("/") else ""
    if name == "/topics":
        return "Questions the article answers:\n" + "\n".join(f"• {t.question}" for t in render.topic_targets(library))
    if name == "/figures":
        return "Key figures in the article:\n" + "\n".join(f"• {f.label}" for f in library.figures)
    if name == "/source":
        article = library.article
        by = f"By {article.author}, {article.outlet}, {article.date.strftime('%-d %B %Y')}"
        return "\n".join([article.title, by, *([article.url] if article.url else [])])
    if name in ("/help", "/start"):
        return HELP
    if name != "/ask" and re.fullmatch(r"/\w+(@\w+)?", name):
        # "/stats" and the like are Telegram's or the owner's (python -m bot stats), not a question.
        return f"{name} is not a command here; /help lists them (the statistics: python -m bot stats)."
    return None


def _read(stdin: TextIO, interactive: bool) -> str | None:
    if interactive and stdin is sys.stdin:
        with contextlib.suppress(ImportError):
            # Line editing and history; and without it, input() writes the prompt to stderr.
            import readline  # noqa: F401
        try:
            return input(PROMPT)  # readline editing and history at a terminal
        except EOFError:
            return None
    line = stdin.readline()
    return line or None
