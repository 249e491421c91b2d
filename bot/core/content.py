"""Content: the article's YAML files turned into typed, validated objects.

Every problem is reported as ``file:line: message`` and all of them at once, so an
editor fixes a file in one pass. Nothing here knows about Telegram.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.core import examples as examples_file
from bot.core.examples import Examples
from bot.core.normalise import Vocabulary
from bot.core.parameters import Parameters, read_decision, read_matching
from bot.core.vocabulary import read_vocabulary
from bot.core.yamlcheck import Checker, YamlMap, kind_of, parse_file

MAX_ANSWER_CHARS = 300
# A button's text on a phone: what fits on one line of the narrowest keyboard.
MAX_LABEL_CHARS = 40
METADATA_FIELDS = ("title", "author", "outlet", "date")
LISTS = ("headings", "figures")


class ContentError(Exception):
    """Invalid content; ``errors`` holds one ``file:line: message`` line per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Article:
    title: str
    author: str
    outlet: str
    date: dt.date
    url: str | None = None  # the original article, when the content gives it: citations link to it

    def fact(self, name: str) -> str:
        return self.date.strftime("%-d %B %Y") if name == "date" else getattr(self, name)


@dataclass(frozen=True)
class Passage:
    id: str
    text: str


@dataclass(frozen=True)
class Entry:
    """A question the article answers: a heading, the intro, the close, or metadata."""

    id: str
    question: str
    phrasings: tuple[str, ...]
    answer: str
    passage_ids: tuple[str, ...]
    heading: bool = False
    facts: tuple[str, ...] = ()
    # An overview rather than one answer: "headings" (each heading's short answer) or "figures".
    lists: str | None = None
    label: str = ""  # the entry's button; without one, buttons show the question cut short

    @property
    def button(self) -> str:
        return self.label or self.question


@dataclass(frozen=True)
class Figure:
    """A number the article gives, with what it measures."""

    id: str
    measures: str
    value: float | int | str
    unit: str
    period: str
    label: str
    answer: str
    passage_id: str
    phrasings: tuple[str, ...]
    short: str = ""  # the figure's button (content key ``button``); without one, the label cut short

    @property
    def button(self) -> str:
        return self.short or self.label

    @property
    def question(self) -> str:
        return self.label

    @property
    def passage_ids(self) -> tuple[str, ...]:
        return (self.passage_id,)


Target = Entry | Figure


@dataclass(frozen=True)
class SmallTalk:
    """Greetings, thanks and the like: the bot's own words, never the article's."""

    id: str
    phrasings: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Library:
    article: Article
    passages: dict[str, Passage]
    entries: tuple[Entry, ...]
    figures: tuple[Figure, ...]
    topics: tuple[str, ...]
    chitchat: tuple[SmallTalk, ...]
    # Questions near the article that it does not answer: the matcher declines what is closer to these.
    unanswered: tuple[str, ...] = ()
    # How the bot decides to answer: fitted by benchmarks/tune.py, kept with the content it was fitted on.
    parameters: Parameters = field(default_factory=Parameters)
    # The article's own words (vocabulary.yaml): its names and synonyms; empty: general English only.
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    # Readers' questions the probe learns from (examples.npz, see bot/core/examples.py); None: no file.
    examples: Examples | None = None
    # What ``check`` points out without refusing the content: ``file:line: what is wrong`` each.
    warnings: tuple[str, ...] = ()
    _by_id: dict[str, Target] = field(init=False, repr=False, compare=False)
    # Where it was read from: ``check`` finds the article's text there, and the lines it points at.
    folder: Path | None = None

    @property
    def targets(self) -> tuple[Target, ...]:
        return self.entries + self.figures

    def target(self, target_id: str) -> Target | None:
        return self._by_id.get(target_id)

    def passages_of(self, target: Target) -> list[Passage]:
        return [self.passages[pid] for pid in target.passage_ids]

    def summary(self) -> str:
        return (
            f"{len(self.passages)} passages, {len(self.entries)} entries, "
            f"{len(self.figures)} figures, {len(self.chitchat)} small-talk intents, "
            f"{sum(len(t.phrasings) for t in self.targets)} phrasings, "
            f"{len(self.unanswered)} unanswered questions"
        )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {t.id: t for t in self.targets})


_SECTIONS = (
    "article",
    "passages",
    "entries",
    "topics",
    "figures",
    "chitchat",
    "unanswered",
    "decision",
    "matching",
    "vocabulary",
)
# An article with no number has no figures: their file may be left out (but a figures list is never empty).
_OPTIONAL = ("figures", "chitchat", "unanswered", "decision", "matching", "vocabulary")


def load_library(content_dir: str | Path) -> Library:
    """Read every ``*.yaml`` in ``content_dir``; raise ContentError listing all problems."""
    directory = Path(content_dir)
    check = Checker()
    # A folder has no line to point at: these three name the folder alone.
    named = "the content folder: ARTICLE_BOT_CONTENT_DIR or --content"
    if not directory.exists():
        raise ContentError([f"{directory}: no such folder ({named})"])
    if not directory.is_dir():
        raise ContentError([f"{directory}: not a folder ({named})"])
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise ContentError([f"{directory}: no *.yaml content files in this folder"])

    sections: dict[str, tuple[str, int, Any]] = {}
    for path in files:
        check.file = str(path)
        document = parse_file(path, check)
        if document is None:
            continue
        for key, value in document.items():
            line = document.key_lines[key]
            if key not in _SECTIONS:
                check.error(line, f"unknown top-level key {key!r} (allowed: {', '.join(_SECTIONS)})")
            elif key in sections:
                first_file, first_line, _ = sections[key]
                check.error(line, f"{key!r} is already defined at {first_file}:{first_line}")
            else:
                sections[key] = (check.file, line, value)
    if check.errors:
        # A file that does not parse hides what it defines: everything else would be noise.
        raise ContentError(check.errors)
    for key in _SECTIONS:
        if key not in sections and key not in _OPTIONAL:
            check.file = str(files[0]) if len(files) == 1 else str(directory)
            check.errors.append(f"{check.file}:1: missing top-level key {key!r}")

    article = _read_section(sections, "article", check, _article)
    passages = _read_section(sections, "passages", check, _passages) or {}
    ids: dict[str, str] = {}
    entries = _read_section(sections, "entries", check, lambda v, ln, c: _entries(v, ln, c, ids, passages)) or ()
    figures = _read_section(sections, "figures", check, lambda v, ln, c: _figures(v, ln, c, ids, passages)) or ()
    topics = _read_section(sections, "topics", check, lambda v, ln, c: _topics(v, ln, c, ids)) or ()
    chitchat = _read_section(sections, "chitchat", check, _chitchat) or ()
    unanswered = _read_section(sections, "unanswered", check, _unanswered) or ()
    parameters = _read_section(sections, "decision", check, read_decision) or Parameters()
    parameters = replace(parameters, **(_read_section(sections, "matching", check, read_matching) or {}))
    vocabulary = _read_section(sections, "vocabulary", check, read_vocabulary) or Vocabulary()

    examples = _examples(directory / examples_file.FILE, [*(e.id for e in entries), *(f.id for f in figures)], check)
    if check.errors or article is None:
        raise ContentError(check.errors or [f"{directory}:1: no article metadata"])
    return Library(
        article,
        passages,
        tuple(entries),
        tuple(figures),
        tuple(topics),
        tuple(chitchat),
        unanswered,
        parameters,
        vocabulary,
        examples,
        warnings=tuple(check.warnings),
        folder=directory,
    )


def _examples(path: Path, ids: list[str], check: Checker) -> Examples | None:
    """The examples file, if there is one and it is about these targets."""
    if not path.exists():
        return None
    rewrite = "`python benchmarks/examples.py` rewrites it"
    try:
        examples = examples_file.load(path)
    except examples_file.ExamplesError as exc:
        check.errors.append(f"{path}:1: {exc}; {rewrite}, or delete it")
        return None
    unknown = examples.unknown(ids)
    if unknown:
        check.warnings.append(
            f"{path}:1: its questions are about targets the content does not have ({', '.join(unknown)}); "
            f"the probe learns from the phrasings alone until {rewrite}"
        )
        return None
    if examples.grams is None:
        check.warnings.append(
            f"{path}:1: it holds no n-gram probe (written before there was one): the bot fits it on the "
            f"phrasings alone, which the decision was not fitted with, until {rewrite}"
        )
    uncovered = examples.uncovered(ids)
    if uncovered:
        check.warnings.append(
            f"{path}:1: no question in it is about {', '.join(uncovered)}: the embedding's probe learns "
            f"{'that target' if len(uncovered) == 1 else 'those targets'} from the phrasings alone, the "
            "n-grams' not at all "
            "(question sets that ask about it, then `python benchmarks/examples.py`)"
        )
    return examples


def _read_section(
    sections: dict[str, tuple[str, int, Any]],
    key: str,
    check: Checker,
    reader: Callable[[Any, int, Checker], Any],
) -> Any:
    if key not in sections:
        return None
    check.file, line, value = sections[key]
    return reader(value, line, check)


def _article(value: Any, line: int, check: Checker) -> Article | None:
    item = check.fields(value, line, "article", set(METADATA_FIELDS), {"url"})
    if item is None:
        return None
    date = item.get("date")
    if "date" in item and not isinstance(date, dt.date):
        check.error(item.key_lines["date"], "article: 'date' must be a date like 2025-02-21")
        date = None
    texts = {key: check.text(item, key, "article") for key in ("title", "author", "outlet")}
    url = check.text(item, "url", "article") or None
    if url is not None and not re.fullmatch(r"https?://[^\s\"<>]+", url):
        check.error(item.key_lines["url"], f"article: 'url' must be an http:// or https:// address, got {url!r}")
        url = None
    if date is None or not all(texts.values()):
        return None
    return Article(date=date, url=url, **texts)


def _passages(value: Any, line: int, check: Checker) -> dict[str, Passage]:
    result: dict[str, Passage] = {}
    seen: dict[str, str] = {}
    for item_line, raw in check.items(value, line, "passages"):
        item = check.fields(raw, item_line, "passage", {"id", "text"}, set())
        if item is None:
            continue
        ident = check.ident(item, "passage", seen)
        text = check.text(item, "text", f"passage {ident}")
        if ident and text:
            result[ident] = Passage(ident, text)
    return result


def _check_refs(item: YamlMap, key: str, refs: Iterable[str], what: str, known: dict[str, Any], check: Checker) -> None:
    for ref in refs:
        if ref not in known:
            check.error(item.key_lines.get(key, item.line), f"{what}: unknown passage id {ref!r}")


def _entries(value: Any, line: int, check: Checker, ids: dict[str, str], passages: dict[str, Passage]) -> list[Entry]:
    result = []
    required = {"id", "question", "phrasings", "answer", "passages"}
    for item_line, raw in check.items(value, line, "entries"):
        lists = raw.get("lists") if isinstance(raw, YamlMap) else None
        # An overview needs no answer of its own: the list is the answer.
        needed = required - {"answer", "passages"} if lists is not None else required
        item = check.fields(
            raw, item_line, "entry", needed, {"heading", "facts", "lists", "answer", "passages", "label"}
        )
        if item is None:
            continue
        ident = check.ident(item, "entry", ids)
        what = f"entry {ident}"
        if lists is not None and lists not in LISTS:
            check.error(item.key_lines["lists"], f"{what}: 'lists' must be one of {', '.join(LISTS)}, got {lists!r}")
        facts = check.texts(item, "facts", what)
        passage_ids = check.texts(item, "passages", what, allow_empty=bool(facts) or lists is not None)
        _check_refs(item, "passages", passage_ids, what, passages, check)
        for fact in facts:
            if fact not in METADATA_FIELDS:
                check.error(
                    item.key_lines["facts"], f"{what}: unknown fact {fact!r} (allowed: {', '.join(METADATA_FIELDS)})"
                )
        if "label" not in item:
            check.warn(item.line, f"{what}: no 'label'; its buttons show the question cut to {MAX_LABEL_CHARS}")
        heading = item.get("heading", False)
        if not isinstance(heading, bool):
            check.error(item.key_lines["heading"], f"{what}: 'heading' must be true or false")
        result.append(
            Entry(
                id=ident,
                question=check.text(item, "question", what),
                phrasings=check.texts(item, "phrasings", what),
                answer=check.text(item, "answer", what, MAX_ANSWER_CHARS),
                passage_ids=passage_ids,
                heading=heading is True,
                facts=facts,
                lists=lists if lists in LISTS else None,
                label=check.text(item, "label", what, MAX_LABEL_CHARS),
            )
        )
    return result


def _figures(value: Any, line: int, check: Checker, ids: dict[str, str], passages: dict[str, Passage]) -> list[Figure]:
    result = []
    required = {"id", "measures", "value", "unit", "period", "label", "answer", "passage", "phrasings"}
    for item_line, raw in check.items(value, line, "figures"):
        item = check.fields(raw, item_line, "figure", required, {"button"})
        if item is None:
            continue
        ident = check.ident(item, "figure", ids)
        what = f"figure {ident}"
        figure_value = item.get("value")
        if "value" in item and (isinstance(figure_value, bool) or not isinstance(figure_value, (int, float, str))):
            check.error(item.key_lines["value"], f"{what}: 'value' must be a number or text")
        passage_id = check.text(item, "passage", what)
        _check_refs(item, "passage", [passage_id] if passage_id else [], what, passages, check)
        result.append(
            Figure(
                id=ident,
                measures=check.text(item, "measures", what),
                value=figure_value if isinstance(figure_value, (int, float, str)) else "",
                unit=check.text(item, "unit", what),
                period=check.text(item, "period", what),
                label=check.text(item, "label", what),
                answer=check.text(item, "answer", what, MAX_ANSWER_CHARS),
                passage_id=passage_id,
                phrasings=check.texts(item, "phrasings", what),
                short=check.text(item, "button", what, MAX_LABEL_CHARS),
            )
        )
        if "button" not in item:
            check.warn(item.line, f"{what}: no 'button'; its buttons show the label cut to {MAX_LABEL_CHARS}")
    return result


def _topics(value: Any, line: int, check: Checker, ids: dict[str, str]) -> tuple[str, ...]:
    result = []
    for item_line, ident in check.items(value, line, "topics"):
        if not isinstance(ident, str) or ident not in ids:
            check.error(item_line, f"topics: unknown entry id {ident!r}")
        else:
            result.append(ident)
    return tuple(result)


def _chitchat(value: Any, line: int, check: Checker) -> list[SmallTalk]:
    result = []
    seen: dict[str, str] = {}
    for item_line, raw in check.items(value, line, "chitchat"):
        item = check.fields(raw, item_line, "chitchat", {"id", "phrasings", "reply"}, set())
        if item is None:
            continue
        ident = check.ident(item, "chitchat", seen)
        what = f"chitchat {ident}"
        reply = check.text(item, "reply", what, MAX_ANSWER_CHARS)
        if reply and re.search(r"\d", reply):
            check.error(item.key_lines["reply"], f"{what}: small talk must not state numbers")
        if reply and not _only_title_placeholder(reply):
            check.error(item.key_lines["reply"], f"{what}: the only placeholder a reply may use is {{title}}")
        result.append(SmallTalk(ident, check.texts(item, "phrasings", what), reply))
    return result


def _unanswered(value: Any, line: int, check: Checker) -> tuple[str, ...]:
    result: dict[str, tuple[str, int]] = {}  # folded → (as written, line)
    for item_line, raw in check.items(value, line, "unanswered"):
        if not isinstance(raw, str):
            check.error(item_line, f"unanswered: every item must be a question as text, got {kind_of(raw)}")
        elif not raw.strip():
            check.error(item_line, "unanswered: empty question")
        elif (folded := " ".join(raw.casefold().split())) in result:
            check.error(item_line, f"unanswered: {raw.strip()!r} is already listed at line {result[folded][1]}")
        else:
            result[folded] = (raw.strip(), item_line)
    return tuple(text for text, _ in result.values())


def _only_title_placeholder(reply: str) -> bool:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(reply) if name is not None}
    except ValueError:  # a lone "{" or "}"
        return False
    return fields <= {"title"}
