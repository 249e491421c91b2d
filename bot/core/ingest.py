"""``python -m bot ingest ARTICLE --out DIR``: a draft content folder made from an article's text.

Everything written is the article's own words or a question about them: passages verbatim, answers
the first sentences of their section, figures the sentences their numbers stand in. The only words
of the bot's are questions and labels ("Who wrote the article?"), never a fact. What the draft cannot
know (more phrasings, unanswered questions, short labels) is left for a person to add.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.config import default_content_dir
from bot.core.article_text import ArticleError, Paragraph, ParsedArticle, read_article
from bot.core.content import MAX_ANSWER_CHARS, MAX_LABEL_CHARS
from bot.core.draft_vocabulary import rewrites
from bot.core.draft_words import OFF_TOPIC, chitchat
from bot.core.examples import FILE as EXAMPLES
from bot.core.quantities import STOPWORDS, Quantity, change_word, find_quantities, period_of

_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[A-Z\"“‘(])")
_OPENING_WORDS = re.compile(
    r"^((what|why|how|who|whom|which|where|when|is|are|was|were|can|could|will|would|should|does|do|did|has|have)"
    r"\s+){1,2}",
    re.IGNORECASE,
)
_QUESTION_WORDS = frozenset("what why how who which where when".split())
_CLAUSE_BREAK = re.compile(r"[,;:()]|\s[—–-]\s")
_MAX_ANSWER_SENTENCES = 2
_CONTEXT_WORDS = 7


@dataclass(frozen=True)
class Overrides:
    title: str | None = None
    author: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None


class _Dumper(yaml.SafeDumper):
    """Every list written out where it stands: no ``&id001`` anchors for a person to decipher."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class IngestError(Exception):
    """One line for the operator: ``file:line: what is wrong`` or what to do instead."""


def ingest(article_path: Path, out: Path, overrides: Overrides, force: bool = False) -> str:
    """Write the draft content folder; return a one-line summary. Raises IngestError."""
    if out.exists() and not out.is_dir():
        raise IngestError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise IngestError(f"{out} is not empty: choose another --out, or add --force to replace its content files")
    try:
        article = read_article(article_path)
    except ArticleError as exc:
        raise IngestError(str(exc)) from None
    _apply(article, overrides)
    files = draft(article)
    if not files["figures.yaml"][1]["figures"]:
        del files["figures.yaml"]  # no number with a unit in the article: no figures, and no file for them
    decision = _fitted_decision()  # read before --force clears the folder, which may be the project's own
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.yaml"):  # a content folder is every *.yaml in it: old ones would mix in
        stale.unlink()
    (out / EXAMPLES).unlink(missing_ok=True)  # readers' questions about the article replaced
    for name, (header, data) in files.items():
        body = yaml.dump(
            data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
        )
        (out / name).write_text(header + body, encoding="utf-8")
    if decision is not None:
        (out / "parameters.yaml").write_text(decision, encoding="utf-8")
    # What the passages are verbatim from (Markdown without its markup), for faithfulness checks.
    (out / "article.txt").write_text(article.plain, encoding="utf-8")
    entries = files["entries.yaml"][1]["entries"]
    figures = files["figures.yaml"][1]["figures"] if "figures.yaml" in files else []
    return (
        f"wrote {out}: {len(article.paragraphs)} passages, {len(entries)} entries, {len(figures)} figures; "
        f"now run: python -m bot --content {out} check"
    )


def _fitted_decision() -> str | None:
    """The project's fitted decision, for want of one fitted on this article. Without any the
    defaults apply, and they answer every question (the untuned embedding never declines)."""
    path = default_content_dir() / "parameters.yaml"
    if not path.is_file():
        return None
    return (
        "# Copied by `python -m bot ingest` from the project's content (fitted on its article's questions):\n"
        "# its features do not name the article, so it serves until `benchmarks/tune.py` is run on this one.\n"
        + path.read_text(encoding="utf-8")
    )


def _apply(article: ParsedArticle, overrides: Overrides) -> None:
    source = article.source
    for name in ("title", "author", "outlet", "url"):
        value = getattr(overrides, name)
        if value is not None:
            setattr(article, name, value.strip())
            if name == "outlet":
                article.outlet_the = False
    if overrides.url is not None and not re.fullmatch(r"https?://[^\s\"<>]+", overrides.url):
        raise IngestError(f"--url {overrides.url!r} is not an http:// or https:// address")
    if overrides.date is not None:
        try:
            article.date = dt.date.fromisoformat(overrides.date)
        except ValueError:
            raise IngestError(f"--date {overrides.date!r} is not a date like 2025-02-21") from None
    missing = [
        (name, how)
        for name, how in (
            ("title", "a first line ' date YYYY-MM-DD Title' or '# Title'"),
            ("author", "a 'By Author' line"),
            ("outlet", "a closing line like 'The author is a reporter with the Global Times.'"),
            ("date", "a first line ' date YYYY-MM-DD Title'"),
        )
        if not getattr(article, name)
    ]
    if missing:
        name, how = missing[0]
        raise IngestError(f"{source}:1: no {name} found (the article needs {how}): give --{name}")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()] or [text]


def first_sentences(paragraphs: tuple[Paragraph, ...] | list[Paragraph]) -> str:
    """The opening sentences of some paragraphs, verbatim, within the schema's answer length."""
    chosen: list[str] = []
    for paragraph in paragraphs:
        for sentence in sentences(paragraph.text):
            if len(" ".join([*chosen, sentence])) > MAX_ANSWER_CHARS:
                return " ".join(chosen) if chosen else _cut(sentence, MAX_ANSWER_CHARS)
            chosen.append(sentence)
            if len(chosen) == _MAX_ANSWER_SENTENCES:
                return " ".join(chosen)
        if len(" ".join(chosen)) >= 80:  # a one-line paragraph is read with the next one
            break
    return " ".join(chosen)


def _cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` characters at a clause (or else a word), "…" marking the cut."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    clause = max(head.rfind(", "), head.rfind("; "), head.rfind(": "))
    return (head[:clause] if clause > limit // 2 else head.rsplit(" ", 1)[0]).rstrip(",;: ") + "…"


def _slug(text: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'s", "").replace("’s", ""))
    words = [w for w in words if len(w) > 2 and w not in STOPWORDS and w not in _QUESTION_WORDS]
    base = ""
    for word in words:
        if len(base) + len(word) + 1 > 36:
            break
        base = f"{base}-{word}" if base else word
    base = base or "item"
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    taken.add(ident)
    return ident


def _label(text: str) -> str:
    if len(text) <= MAX_LABEL_CHARS:
        return text
    shorter = _OPENING_WORDS.sub("", text)
    shorter = shorter[:1].upper() + shorter[1:]
    return shorter if len(shorter) <= MAX_LABEL_CHARS else _cut(shorter, MAX_LABEL_CHARS)


def _unique(*texts: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))


def draft(article: ParsedArticle) -> dict[str, tuple[str, dict[str, Any]]]:
    """The content files: name → (comment header, data)."""
    assert article.date is not None
    ids: dict[Paragraph, str] = {p: f"p{n:02d}" for n, p in enumerate(article.paragraphs, 1)}
    taken = {"about", "figures", "conclusion", "author", "outlet", "date"}
    metadata: dict[str, Any] = {
        "title": article.title,
        "author": article.author,
        "outlet": article.outlet,
        "date": article.date,
    }
    if article.url:
        metadata["url"] = article.url
    passages = [{"id": ids[p], "text": p.text} for p in article.paragraphs]

    figures = _figures(article, ids, taken)
    entries: list[dict[str, Any]] = [_about(article, ids)]
    if figures:
        entries.append(_figures_entry())
    headings = []
    for section in article.sections:
        ident = _slug(section.heading, taken)
        headings.append(ident)
        without = _OPENING_WORDS.sub("", section.heading).rstrip("?").strip()
        entries.append(
            {
                "id": ident,
                "heading": True,
                "question": section.heading,
                "label": _label(section.heading),
                "phrasings": _unique(section.heading, without, *_said(section.paragraphs)),
                "answer": first_sentences(section.paragraphs),
                "passages": [ids[p] for p in section.paragraphs],
            }
        )
    body = [p for p in article.paragraphs if p is not article.closing]
    if len(body) > 1:
        entries.append(
            {
                "id": "conclusion",
                "question": "How does the article conclude?",
                "label": "How it concludes",
                "phrasings": [
                    "What is the conclusion?",
                    "How does it end?",
                    "What is the takeaway?",
                    "Final thoughts?",
                ],
                "answer": first_sentences([body[-1]]),
                "passages": [ids[body[-1]]],
            }
        )
    entries += _metadata_entries(article, ids)
    header = (
        "# Drafted by `python -m bot ingest` from the article's text: check it, then edit by hand.\n"
        "# Answers are the first sentences of their section, verbatim; shorten or reword them only with\n"
        "# the article's own words and numbers. Phrasings are few: add the ways readers ask.\n"
    )
    return {
        "article.yaml": (
            "# Drafted by `python -m bot ingest`: the article's metadata, and every paragraph verbatim as a passage.\n",
            {"article": metadata, "passages": passages},
        ),
        "entries.yaml": (header, {"topics": ["about", *headings], "entries": entries}),
        "figures.yaml": (
            "# Drafted by `python -m bot ingest`: one figure per number with a unit, its sentence as the answer.\n"
            "# Each label is the words around the number; write what it measures and a shorter button by hand.\n",
            {"figures": figures},
        ),
        "chitchat.yaml": (
            "# Small talk: the bot's own words, no numbers and no claims.\n",
            {"chitchat": chitchat(next((s.heading for s in article.sections), ""))},
        ),
        "vocabulary.yaml": (
            '# Drafted by `python -m bot ingest`: names the article writes two ways ("DeepSeek", "deep seek";\n'
            "# a name and its acronym). Add the article's own synonyms as groups; the format is in the README.\n",
            {"vocabulary": {"rewrites": found} if (found := rewrites(article.plain)) else {}},
        ),
        "unanswered.yaml": (
            "# Generic questions the bot should decline. Delete any the article does answer, and add the\n"
            "# near misses readers ask (`python -m bot stats` lists the answers voted down).\n",
            {"unanswered": list(OFF_TOPIC)},
        ),
    }


def _about(article: ParsedArticle, ids: dict[Paragraph, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "about",
        "question": "What is the article about?",
        "label": "What the article is about",
        "lists": "headings",
        "phrasings": _unique(
            "What is the article about?",
            "Give me a summary",
            "What is the main point of the article?",
            "Overview",
            "What is the headline?",
            article.title,
            *_said(article.intro),
        ),
    }
    if article.intro:
        entry["answer"] = first_sentences(article.intro)
        entry["passages"] = [ids[p] for p in article.intro]
    return entry


def _said(paragraphs: tuple[Paragraph, ...]) -> list[str]:
    """The sentences of an entry's passages as ways it is asked for: a question about a detail of its
    section meets the sentence that holds it, and the fitted decision trusts what is asked more than
    what is said. A sentence with a figure in it is that figure's, not the section's too."""
    return [s for p in paragraphs for s in sentences(p.text) if not find_quantities(s)]


def _figures_entry() -> dict[str, Any]:
    return {
        "id": "figures",
        "question": "What are the article's key figures?",
        "label": "The key figures",
        "lists": "figures",
        "phrasings": ["List the numbers", "What statistics does it give?", "Key figures", "Numbers?"],
    }


def _metadata_entries(article: ParsedArticle, ids: dict[Paragraph, str]) -> list[dict[str, Any]]:
    closing = [ids[article.closing]] if article.closing else []
    in_closing = bool(article.closing) and article.outlet in (article.closing.text if article.closing else "")
    role = article.role if article.role and in_closing else ""
    outlet = f"the {article.outlet}" if article.outlet_the else article.outlet
    return [
        {
            "id": "author",
            "question": "Who wrote the article?",
            "label": "Who wrote it",
            "phrasings": _unique(
                "Who is the author?",
                "Who wrote this?",
                f"Who wrote “{article.title}”?",
                f"Who is {article.author}?",
                "Which reporter wrote it?",
                "Author?",
            ),
            "answer": f"{article.author}, {role}." if role else f"{article.author}.",
            "passages": closing if role else [],
            "facts": ["author", "outlet"] if role else ["author"],
        },
        {
            "id": "outlet",
            "question": "Where was the article published?",
            "label": "Where it was published",
            "phrasings": _unique(
                "Which newspaper published it?",
                "What is the source?",
                "Which outlet is this from?",
                f"Is this from {outlet}?",
            ),
            "answer": f"In {outlet}.",
            "passages": closing if in_closing else [],
            "facts": ["outlet"],
        },
        {
            "id": "date",
            "question": "When was the article published?",
            "label": "When it was published",
            "phrasings": ["What is the date of the article?", "When was it written?", "Publication date?"],
            "answer": f"On {article.date:%-d %B %Y}." if article.date else "",
            "passages": [],
            "facts": ["date"],
        },
    ]


def _figures(article: ParsedArticle, ids: dict[Paragraph, str], taken: set[str]) -> list[dict[str, Any]]:
    figures = []
    for paragraph in article.paragraphs:
        if paragraph is article.closing:
            continue
        for sentence in sentences(paragraph.text):
            found = find_quantities(sentence)
            for n, quantity in enumerate(found):
                # The words around a number stop at its neighbours; the whole sentence is asked once.
                low = found[n - 1].end if n else 0
                high = found[n + 1].start if n + 1 < len(found) else len(sentence)
                figures.append(_figure(quantity, sentence, (low, high), n == 0, ids[paragraph], taken))
    return figures


def _figure(
    quantity: Quantity, sentence: str, bounds: tuple[int, int], first: bool, passage: str, taken: set[str]
) -> dict[str, Any]:
    before, after = _context(sentence, quantity, bounds)
    clause = " ".join(filter(None, (before, quantity.text, after)))
    period = period_of(sentence)
    label = clause[:1].upper() + clause[1:]
    if period and period.lower() not in clause.lower():
        label = f"{label} ({period[:1].lower() + period[1:] if period.split()[0].lower() in STOPWORDS else period})"
    # The sentence asked back ("the city has installed how many secure bike parking spaces?").
    asked = {"money": "how much", "percent": "what percentage", "count": f"how many {quantity.noun}"}[quantity.kind]
    echo = " ".join(filter(None, (before, asked, after))) + "?"
    change = change_word(sentence, quantity) if quantity.kind == "percent" else ""
    phrasings = _unique(
        echo[:1].upper() + echo[1:],
        f"How many {quantity.noun}?" if quantity.kind == "count" else "",
        f"How big was the {change}?" if change else "",
        quantity.number,
        label,
        sentence if first else "",
    )
    button_words = [*before.split()[-3:], quantity.text]
    button = " ".join(button_words)
    while len(button) > MAX_LABEL_CHARS and len(button_words) > 1:
        button_words = button_words[1:]
        button = " ".join(button_words)
    return {
        "id": _slug(f"{' '.join(before.split()[-3:])} {quantity.unit}", taken),
        "measures": clause,
        "value": quantity.value,
        "unit": quantity.unit,
        "period": period or "not stated",
        "label": label,
        "button": _cut(button[:1].upper() + button[1:], MAX_LABEL_CHARS),
        "answer": sentence if len(sentence) <= MAX_ANSWER_CHARS else _cut(clause, MAX_ANSWER_CHARS),
        "passage": passage,
        "phrasings": phrasings,
    }


def _context(sentence: str, quantity: Quantity, bounds: tuple[int, int]) -> tuple[str, str]:
    """Up to a few words either side of a number, within its clause and ``bounds``: "expenditure on
    basic research totaled"."""
    head = _CLAUSE_BREAK.split(sentence[bounds[0] : quantity.start])[-1]
    tail = _CLAUSE_BREAK.split(sentence[quantity.end : bounds[1]])[0]
    before = " ".join(head.split()[-_CONTEXT_WORDS:])
    after = tail.split()[:_CONTEXT_WORDS]
    while after and after[-1].lower() in STOPWORDS:  # "… of all trips in the city by"
        after.pop()
    return before, " ".join(after).rstrip(".!?")
