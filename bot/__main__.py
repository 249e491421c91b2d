"""Command line: ``python -m bot`` runs the bot; ``ask``, ``check``, ``stats`` and ``ingest`` work without a token."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# numpy's OpenBLAS otherwise starts a thread per core for every small product of an embedding: on a busy
# machine those threads wait on each other and one question took 0.5 s instead of 10 ms. Set before numpy
# is imported (by the model's thread or the content, below); an owner's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from bot import hangup

if __name__ == "__main__":  # not when tests import this module: their own Ctrl-C must still work
    hangup.defer()  # before the imports below (numpy, the model): a signal while starting must not end the bot

from bot.config import (
    ConfigError,
    Settings,
    answer_at,
    content_dir,
    database_url,
    db_path,
    load_env_file,
    load_settings,
)

if TYPE_CHECKING:
    from bot.core.answers import Answerer


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="A Telegram bot that answers questions about one article."
    )
    parser.add_argument(
        "--content", type=Path, help="content folder (default: ARTICLE_BOT_CONTENT_DIR, or the project's content/)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the bot (the default): polling, or a webhook if TELEGRAM_WEBHOOK_URL is set")
    ask = commands.add_parser("ask", help="answer a question in the terminal, or each line of standard input")
    ask.add_argument("question", nargs="*", help="the question; omit it to read questions from standard input")
    check = commands.add_parser("check", help="validate the content and print a summary")
    check.add_argument("--covered", action="store_true", help="also list phrasings the bot understands without them")
    commands.add_parser("stats", help="what readers asked: totals, top entries, unanswered questions, votes")
    ingest = commands.add_parser("ingest", help="draft a content folder from an article (plain text or Markdown)")
    ingest.add_argument("article", type=Path, help="the article's text file")
    ingest.add_argument("--out", type=Path, required=True, help="the content folder to write")
    ingest.add_argument("--force", action="store_true", help="replace the content files of a folder that is not empty")
    for name in ("title", "author", "outlet", "date", "url"):
        ingest.add_argument(f"--{name}", help=f"the article's {name}, instead of what the text gives")
    args = parser.parse_args(argv)
    if args.command not in (None, "run"):
        hangup.restore()  # only the bot itself reloads on SIGHUP; a console command ends as usual
    load_env_file()
    if args.command in (None, "run"):
        from bot.core.loading import Loading

        # The model loads in a thread from here on, while numpy, the content and Telegram's modules are
        # imported and the bot connects: the first poll waits for the slower of the two, not for both.
        loading = Loading()
        from bot.telegram import tls

        tls.start()  # beside the model: the CA bundle is read without Python's lock
    # Only now, so that the model's thread runs beside them: the content's modules (numpy among them).
    from bot.core.content import ContentError, load_library

    try:
        if args.command in (None, "run"):
            settings = load_settings()
            if args.content:
                settings = dataclasses.replace(settings, content_dir=args.content)
            loading.content(load_library(settings.content_dir), settings.answer_at)
            if not settings.webhook_url:
                _without_web_server()
            from bot.telegram.run import run  # Telegram is only imported when it is needed.

            return run(settings, loading)
        if args.command == "stats":
            from bot.core.store import StoreError, format_stats, open_store

            settings = Settings(token="", db_path=db_path(), database_url=database_url())
            if settings.database_url is None and not settings.db_path.exists():
                # Creating an empty log here would hide a mistyped ARTICLE_BOT_DB behind "0 questions".
                print(
                    f"error: no question log at {settings.db_path} (the bot writes it when it first answers; "
                    "ARTICLE_BOT_DB names it)",
                    file=sys.stderr,
                )
                return 1
            try:
                print(format_stats(open_store(settings, prepare=False).stats()))
            except StoreError as exc:
                print(f"error: cannot read the question log {exc}", file=sys.stderr)
                return 1
            return 0
        if args.command == "check":
            return _check(args.content or content_dir(), answer_at(), args.covered)
        if args.command == "ingest":
            return _ingest(args)
        library = load_library(args.content or content_dir())
        threshold = answer_at()
    except (ConfigError, ContentError) as exc:
        print(f"error: {exc}" if isinstance(exc, ConfigError) else str(exc), file=sys.stderr)
        return 1
    from bot.core.answers import Answerer

    if args.question and not " ".join(args.question).strip():
        # 'ask ""': a question left empty, not a wish to read standard input.
        print('error: ask what? For example: python -m bot ask "Who wrote the article?"', file=sys.stderr)
        return 1
    return _ask(Answerer(library, threshold), " ".join(args.question))


def _without_web_server() -> None:
    """Polling serves no web requests, but python-telegram-bot imports tornado for webhooks whenever it is
    installed: 30-60 ms of start-up. A module set to None in sys.modules counts as missing (Python's import
    system), so python-telegram-bot goes without webhook support, which polling never uses."""
    if "telegram.ext" not in sys.modules:  # imported already (in a test), it has made its choice
        sys.modules.setdefault("tornado", None)  # type: ignore[arg-type]


def _check(folder: Path, threshold: float | None, covered: bool) -> int:
    """Every finding on standard error as ``file:line: message``; exit 1 if any is an error."""
    from bot.core.lint import check_folder, errors

    library, findings = check_folder(folder, threshold)
    for finding in findings:
        print(finding, file=sys.stderr)
    if library is None or errors(findings):
        return 1
    print(f"content OK: {library.summary()}")
    if covered:
        from bot.core.coverage import covered_phrasings

        found = covered_phrasings(library)
        total = sum(len(t.phrasings) for t in library.targets)
        print(f"{len(found)} of {total} phrasings are answered right without them (candidates to drop or replace):")
        for target_id, phrasing in found:
            print(f'  {target_id}: "{phrasing}"')
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from bot.core.ingest import IngestError, Overrides, ingest

    overrides = Overrides(args.title, args.author, args.outlet, args.date, args.url)
    try:
        print(ingest(args.article, args.out, overrides, force=args.force))
    except (IngestError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _ask(answerer: Answerer, question: str) -> int:
    from bot.console import command, converse
    from bot.telegram import render

    if question.strip():
        # "/figures" as the argument lists them, as it does on standard input.
        listing = command(question, answerer.library)
        print(listing if listing is not None else render.plain_answer(answerer.answer(question), answerer.library))
        return 0
    return converse(answerer)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # "python -m bot ask … | head -1": the reader has gone; say nothing more (Python docs' recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
