"""An article as a person writes it (plain text or Markdown) read into its parts, with line numbers.

Plain text: an optional first line `` date YYYY-MM-DD Title``, a ``By Author`` line, paragraphs
separated by blank lines, section headings that are one-line questions ending in "?", and a closing
line such as "The author is a reporter with the Global Times.". Markdown: ``#`` headings (the first
``# Title`` before any paragraph is the title), optional ``---`` front matter, inline markup dropped.
Whatever cannot be read is an ``ArticleError`` whose message is ``file:line: what is wrong``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

MAX_HEADING_CHARS = 200
_DATE_LINE = re.compile(r"^\s*date\s+(\S+)\s*(.*)$", re.IGNORECASE)
_BY_LINE = re.compile(r"^\s*(?:\*|_)*by\s+(.+?)(?:\*|_)*\s*$", re.IGNORECASE)
_CLOSING = re.compile(r"^(?:the\s+)?(?:author|writer)s?\s+(?:is|are)\s+(.+?)\.?$", re.IGNORECASE)
# "a reporter with the Global Times": the outlet is the capitalised name after with/at/for/of.
_OUTLET = re.compile(r"\b(?:with|at|for|of)\s+(the\s+)?((?:[A-Z][\w&'’.-]*\s*)+)$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


class ArticleError(Exception):
    """An article that cannot be read; the message is ``file:line: what is wrong``."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    line: int


@dataclass(frozen=True)
class Section:
    heading: str
    line: int
    paragraphs: tuple[Paragraph, ...]


@dataclass
class ParsedArticle:
    source: str  # the file, for messages
    plain: str  # the article as plain text: what the passages are verbatim from
    title: str = ""
    author: str = ""
    outlet: str = ""
    outlet_the: bool = False  # the article says "the Global Times": answers say so too
    date: dt.date | None = None
    url: str = ""
    intro: tuple[Paragraph, ...] = ()
    sections: tuple[Section, ...] = ()
    closing: Paragraph | None = None  # "The author is …"
    role: str = ""  # what the closing line says the author is: "a reporter with the Global Times"
    title_line: int = 1

    @property
    def paragraphs(self) -> list[Paragraph]:
        body = [*self.intro, *(p for s in self.sections for p in s.paragraphs)]
        return body + ([self.closing] if self.closing else [])


def read_article(path: Path) -> ParsedArticle:
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{source}:1: cannot read the article: {exc.strerror or exc}") from exc
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise ArticleError(
            f"{source}:{line}: this is not text (a NUL byte): give the article as plain text or Markdown"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ArticleError(f"{source}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}): save it as UTF-8") from exc
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    markdown = path.suffix.lower() in (".md", ".markdown") or any(_MD_HEADING.match(ln) for ln in lines)
    article = _read_markdown(source, lines) if markdown else _read_plain(source, lines, text)
    if not article.paragraphs:
        raise ArticleError(f"{source}:1: no paragraphs found: paragraphs are separated by blank lines")
    return article


def _blocks(lines: list[str], start: int = 0) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the (1-based) number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines[start:], start + 1):
        if not line.strip():
            continue
        if blocks and blocks[-1][0] + len(blocks[-1][1]) == number:
            blocks[-1][1].append(line.strip())
        else:
            blocks.append((number, [line.strip()]))
    return blocks


def _read_plain(source: str, lines: list[str], text: str) -> ParsedArticle:
    article = ParsedArticle(source, plain=text)
    blocks = _blocks(lines)
    if not blocks:
        raise ArticleError(f"{source}:1: the article is empty")
    first_line, first = blocks[0]
    if len(first) == 1 and (match := _DATE_LINE.match(first[0])):
        article.date = _date(source, first_line, match.group(1))
        article.title = match.group(2).strip()
        blocks = blocks[1:]
    _split_body(article, [(line, " ".join(block), len(block)) for line, block in blocks])
    return article


def _read_markdown(source: str, lines: list[str]) -> ParsedArticle:
    start = 0
    front: dict[str, object] = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            raise ArticleError(f"{source}:1: front matter opened with --- is never closed")
        try:
            loaded = yaml.safe_load("\n".join(lines[1:end]))
        except yaml.YAMLError as exc:
            raise ArticleError(f"{source}:1: front matter is not YAML: {exc}") from exc
        front = loaded if isinstance(loaded, dict) else {}
        start = end + 1
    article = ParsedArticle(source, plain="")
    for key in ("title", "author", "outlet", "url"):
        if isinstance(front.get(key), str):
            setattr(article, key, str(front[key]).strip())
    date = front.get("date")
    if isinstance(date, dt.date):
        article.date = date
    elif date is not None:
        article.date = _date(source, 1, str(date))
    pieces: list[tuple[int, str, int]] = []
    for line, block in _blocks(lines, start):
        heading = _MD_HEADING.match(block[0])
        if heading:
            level, title = len(heading.group(1)), _inline(heading.group(2))
            if level == 1 and not article.title and not pieces:
                article.title, article.title_line = title, line
            else:
                pieces.append((-line, title, 1))  # a negative line marks a Markdown heading
            block = block[1:]
            line += 1
        if block:
            pieces.append((line, _inline(" ".join(block)), len(block)))
    _split_body(article, pieces)
    article.plain = _plain_text(article)
    return article


def _inline(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    for _ in range(2):  # **_both_**
        text = _MD_EMPHASIS.sub(r"\2", text)
    return text.strip()


def _plain_text(article: ParsedArticle) -> str:
    """The Markdown article without its markup: passages are verbatim from this."""
    parts = [article.title] if article.title else []
    parts += [f"By {article.author}"] if article.author else []
    parts += [p.text for p in article.intro]
    for section in article.sections:
        parts += [section.heading, *(p.text for p in section.paragraphs)]
    parts += [article.closing.text] if article.closing else []
    return "\n\n".join(parts) + "\n"


def _split_body(article: ParsedArticle, pieces: list[tuple[int, str, int]]) -> None:
    """Byline, intro, headed sections and the closing line, from (line, text, lines) pieces."""
    source = article.source
    if pieces and pieces[0][0] > 0 and (by := _BY_LINE.match(pieces[0][1])) and pieces[0][2] == 1:
        article.author = article.author or by.group(1).strip()
        pieces = pieces[1:]
    if pieces and pieces[-1][0] > 0 and (closing := _CLOSING.match(pieces[-1][1])):
        article.closing = Paragraph(pieces[-1][1], pieces[-1][0])
        article.role = closing.group(1).strip()
        if outlet := _OUTLET.search(article.role):
            article.outlet = article.outlet or outlet.group(2).strip().rstrip(".")
            article.outlet_the = bool(outlet.group(1))
        pieces = pieces[:-1]
    intro: list[Paragraph] = []
    sections: list[tuple[str, int, list[Paragraph]]] = []
    for line, text, count in pieces:
        if line < 0 or (
            count == 1 and text.endswith("?") and len(text) <= MAX_HEADING_CHARS and not _sentence_inside(text)
        ):
            sections.append((text, abs(line), []))
        elif sections:
            sections[-1][2].append(Paragraph(text, line))
        else:
            intro.append(Paragraph(text, line))
    for heading, line, paragraphs in sections:
        if not paragraphs:
            raise ArticleError(f'{source}:{line}: the heading "{heading}" has no paragraphs under it')
    article.intro = tuple(intro)
    article.sections = tuple(Section(h, ln, tuple(ps)) for h, ln, ps in sections)


def _sentence_inside(text: str) -> bool:
    """A paragraph of several sentences that happens to end with a question is not a heading."""
    return re.search(r"[.!?]\s+[A-Z\"“]", text[:-1]) is not None


def _date(source: str, line: int, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArticleError(f"{source}:{line}: {text!r} is not a date like 2025-02-21") from None
