"""Judging content: everything ``python -m bot check`` reports, as findings with a file and a line.

The loader (bot/core/content.py) refuses what makes content unusable, and its errors become findings here.
What content can have and still be served is found here, in the loaded library: passages that drift
from the article's text (``article.txt`` beside the YAML), numbers an answer cannot source, phrasings
the bot would send elsewhere. Lines are found by reading the YAML files again: the library holds
values, not where they were written.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.content import ContentError, Figure, Library, load_library
from bot.core.yamlcheck import Checker, YamlList, YamlMap, parse_file

if TYPE_CHECKING:
    from bot.core.answers import Answerer

ARTICLE_TEXT = "article.txt"


class Severity(enum.Enum):
    ERROR = "error"  # ``check`` exits 1
    WARNING = "warning"  # served as it is, but worth an editor's look
    NOTE = "note"  # a check that could not be made


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        label = "" if self.severity is Severity.ERROR else f"{self.severity.value}: "
        where = f"{self.file}:{self.line}: " if self.file else ""  # a folder's finding names it in its message
        return f"{where}{label}{self.message}"

    @classmethod
    def parse(cls, located: str, severity: Severity) -> Finding:
        """A finding from the loader's ``file:line: message``."""
        match = re.fullmatch(r"(?P<file>.+?):(?P<line>\d+): (?P<message>.*)", located, re.DOTALL)
        if match is None:
            return cls("", 0, severity, located)
        return cls(match["file"], int(match["line"]), severity, match["message"])


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def check_folder(folder: Path, answer_at: float | None = None) -> tuple[Library | None, list[Finding]]:
    """Load and judge a content folder: the library (None if it cannot be loaded) and what is wrong."""
    try:
        library = load_library(folder)
    except ContentError as exc:
        return None, [Finding.parse(line, Severity.ERROR) for line in exc.errors]
    from bot.core.answers import Answerer

    return library, lint(library, Answerer(library, answer_at))


def lint(library: Library, answerer: Answerer | None = None) -> list[Finding]:
    """Every problem of loaded content; ``answerer`` (built from it if not given) routes the phrasings."""
    places = _Places(library.folder)
    found = [Finding.parse(line, Severity.WARNING) for line in library.warnings]
    found += _faithful(library, places)
    if answerer is None:
        from bot.core.answers import Answerer

        answerer = Answerer(library)
    found += _routing(answerer, places)
    return found


# --- faithfulness: against the article's text --------------------------------------------------


def _squash(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of each paragraph: lines between blank lines."""
    start, lines = 0, []
    for number, line in enumerate([*text.splitlines(), ""], 1):
        if line.strip():
            start = start or number
            lines.append(line)
        elif lines:
            yield start, _squash(" ".join(lines))
            start, lines = 0, []


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def _faithful(library: Library, places: _Places) -> list[Finding]:
    found: list[Finding] = []
    for target in library.targets:
        source = " ".join(p.text for p in library.passages_of(target))
        for fact in getattr(target, "facts", ()):
            source += f" {library.article.fact(fact)} {getattr(library.article, fact)}"
        missing = sorted(_numbers(target.answer) - _numbers(source))
        if missing:
            what = f"{'figure' if isinstance(target, Figure) else 'entry'} {target.id}"
            found.append(
                places.error(
                    places.target(target.id, "answer"),
                    f"{what}: the answer's {', '.join(missing)} is not in its source",
                )
            )
    for figure in library.figures:
        value = figure.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        passage = library.passages.get(figure.passage_id)
        # A rank ("the highest number") is a place, not a number the passage writes.
        written = str(value) in passage.text or str(value) in _numbers(passage.text) if passage else True
        if not written and figure.unit != "rank":
            found.append(
                places.error(
                    places.target(figure.id, "value"),
                    f"figure {figure.id}: value {value} is not in passage {figure.passage_id}",
                )
            )

    article_file = library.folder / ARTICLE_TEXT if library.folder else None
    if article_file is None or not article_file.is_file():
        where = str(library.folder or "content")
        return [*found, Finding(where, 1, Severity.NOTE, f"no {ARTICLE_TEXT}: passages not checked against it")]
    try:
        text = article_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [*found, Finding(str(article_file), 1, Severity.ERROR, f"cannot read file: {exc}")]
    return found + _against_article(library, places, text, str(article_file))


def _against_article(library: Library, places: _Places, text: str, article_file: str) -> list[Finding]:
    found: list[Finding] = []
    whole = _squash(text)
    last = (-1, "")
    for passage in library.passages.values():
        squashed = _squash(passage.text)
        at = whole.find(squashed)
        if at < 0:
            words = squashed.split()
            same = next(k for k in range(len(words), -1, -1) if _squash(" ".join(words[:k])) in whole)
            found.append(
                places.error(
                    places.passage(passage.id),
                    f'passage {passage.id} is not in {ARTICLE_TEXT} word for word: it departs at "{words[same]}" '
                    f"(word {same + 1})",
                )
            )
            continue
        if at < last[0]:
            found.append(
                places.warn(
                    places.passage(passage.id),
                    f"passage {passage.id} is listed after {last[1]} but comes before it in the article",
                )
            )
        last = (at, passage.id)

    headings = {_squash(e.question) for e in library.entries if e.heading}
    paragraphs = [(line, paragraph.lstrip("# ")) for line, paragraph in _paragraphs(text)]
    for entry in library.entries:
        if entry.heading and _squash(entry.question) not in {p for _, p in paragraphs}:
            found.append(
                places.error(
                    places.target(entry.id, "question"),
                    f"entry {entry.id}: the heading is not a line of {ARTICLE_TEXT} word for word",
                )
            )
    article = library.article
    byline = f"By {article.author}"
    passages = [_squash(p.text) for p in library.passages.values()]
    for index, (line, paragraph) in enumerate(paragraphs):
        # The first line may carry the title and date; the byline and headings are not passages.
        first = index == 0 and (article.title in paragraph or re.match(r"date \d{4}-\d\d-\d\d ", paragraph))
        if first or paragraph in (byline, *headings):
            continue
        if not any(paragraph in p for p in passages):
            found.append(Finding(article_file, line, Severity.WARNING, "this paragraph is in no passage"))
    for key, shown, severity in (
        ("title", article.title, Severity.ERROR),
        ("author", byline, Severity.ERROR),
        ("outlet", article.outlet, Severity.WARNING),
        ("date", str(article.date), Severity.WARNING),
    ):
        if _squash(shown) not in whole:
            file, line = places.article(key)
            found.append(Finding(file, line, severity, f"article: {shown!r} is not in {ARTICLE_TEXT}"))
    return found


# --- routing: what the bot makes of the content's own phrasings --------------------------------


def _routing(answerer: Answerer, places: _Places) -> list[Finding]:
    found = []
    for first, said, second, text in answerer.matcher.clashes:
        where = places.unanswered(text) if second == "unanswered" else places.phrasing(second, text)
        found.append(
            places.warn(
                where, f'{second} "{text}" reads the same as {first} "{said}"; the matcher cannot tell them apart'
            )
        )
    for target_id, phrasing, instead in answerer.misrouted():
        found.append(places.warn(places.phrasing(target_id, phrasing), f'{target_id} "{phrasing}" would get {instead}'))
    return found


class _Places:
    """Where passages, entries, figures and unanswered questions stand in the content files."""

    def __init__(self, folder: Path | None) -> None:
        self.fallback = (str(folder or "content"), 1)
        self._passages: dict[str, tuple[str, YamlMap]] = {}
        self._targets: dict[str, tuple[str, YamlMap]] = {}
        self._unanswered: dict[str, tuple[str, int]] = {}
        self._article: tuple[str, YamlMap] | None = None
        for path in sorted(folder.glob("*.yaml")) if folder else ():
            document = parse_file(path, Checker())
            if document is None:
                continue
            if isinstance(document.get("article"), YamlMap):
                self._article = (str(path), document["article"])
            for key, into in (("passages", self._passages), ("entries", self._targets), ("figures", self._targets)):
                for item in _list(document.get(key)):
                    if isinstance(item, YamlMap) and isinstance(item.get("id"), str):
                        into[item["id"].strip()] = (str(path), item)
            questions = document.get("unanswered")
            if isinstance(questions, YamlList):
                for line, question in zip(questions.item_lines, questions, strict=True):
                    self._unanswered.setdefault(str(question).strip(), (str(path), line))

    def error(self, where: tuple[str, int], message: str) -> Finding:
        return Finding(*where, Severity.ERROR, message)

    def warn(self, where: tuple[str, int], message: str) -> Finding:
        return Finding(*where, Severity.WARNING, message)

    def passage(self, ident: str) -> tuple[str, int]:
        return _field(self._passages.get(ident), "text", self.fallback)

    def target(self, ident: str, key: str) -> tuple[str, int]:
        return _field(self._targets.get(ident), key, self.fallback)

    def article(self, key: str) -> tuple[str, int]:
        return _field(self._article, key, self.fallback)

    def unanswered(self, question: str) -> tuple[str, int]:
        return self._unanswered.get(question.strip(), self.fallback)

    def phrasing(self, ident: str, text: str) -> tuple[str, int]:
        """The line of one phrasing of a target (or of its question, or what a figure measures)."""
        found = self._targets.get(ident)
        if found is None:
            return self.fallback
        path, item = found
        phrasings = item.get("phrasings")
        if isinstance(phrasings, YamlList):
            for line, phrasing in zip(phrasings.item_lines, phrasings, strict=True):
                if str(phrasing).strip() == text:
                    return path, line
        key = next((k for k in ("question", "label", "measures") if str(item.get(k, "")).strip() == text), "phrasings")
        return _field(found, key, self.fallback)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, YamlList) else []


def _field(found: tuple[str, YamlMap] | None, key: str, fallback: tuple[str, int]) -> tuple[str, int]:
    if found is None:
        return fallback
    path, item = found
    return path, item.key_lines.get(key, item.line)
