"""How the bot answers an article it has only ingested: no hand-written phrasings, no tuning of its own.

    python benchmarks/ingest_quality.py                      # the second article and its question set
    python benchmarks/ingest_quality.py --decision untuned   # without the draft's parameters.yaml
    python benchmarks/ingest_quality.py --first-article      # the first article ingested, its tuning sets

The draft carries the project's fitted decision (``content/parameters.yaml``); ``untuned`` removes
it, so that the library's defaults (the embedding alone) decide.

The second article (``tests/data/second_article.txt``) and its questions
(``benchmarks/sets/second_article.yaml``, each in-scope question with a quote from the sentence that
answers it) were written for this benchmark by someone who never saw the code. Figures:

* hit: answered or caveated, and a passage of the reply contains the quote;
* declined in scope: an in-scope question declined outright;
* off topic declined: an off-topic message gets no answer from the article (small talk is fine).

``--first-article`` ingests ``content/article.txt`` and scores the tuning sets by passage: a hit
is a reply that shows a passage of the hand-made content's expected target.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sets import TUNING, load  # noqa: E402

from bot.core.answers import Answer, Answerer, Kind  # noqa: E402
from bot.core.content import load_library  # noqa: E402
from bot.core.ingest import Overrides, ingest  # noqa: E402

ANSWERED = (Kind.ANSWER, Kind.CAVEAT)
DECLINED = (Kind.NO_ANSWER, Kind.SMALL_TALK)


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').casefold().split())


def _answerer(article: Path, decision: str, folder: Path) -> Answerer:
    ingest(article, folder, Overrides())
    if decision == "untuned":
        (folder / "parameters.yaml").unlink()
    return Answerer(load_library(folder))


def _print(name: str, figures: dict[str, tuple[int, int]]) -> None:
    parts = [f"{key} {n / total:.3f} ({n}/{total})" for key, (n, total) in figures.items() if total]
    print(f"{name}: " + ", ".join(parts))


def second_article(answerer: Answerer, questions: Path, show: bool) -> None:
    data = yaml.safe_load(questions.read_text(encoding="utf-8"))
    hits = declined = 0
    in_scope = data.get("in_scope", [])
    # A quote from the byline or the date line stands in no passage: no reply can show it.
    texts = [_fold(p.text) for p in answerer.library.passages.values()]
    outside = [item for item in in_scope if not any(_fold(item["quote"]) in text for text in texts)]
    outside_hits = 0
    for item in in_scope:
        answer = answerer.answer(item["q"])
        hit = answer.kind in ANSWERED and any(_fold(item["quote"]) in _fold(p.text) for p in answer.passages)
        hits += hit
        declined += answer.kind is Kind.NO_ANSWER
        if item in outside:
            # The metadata questions: right when the author's, date's or outlet's entry answers.
            outside_hits += answer.kind in ANSWERED and _target(answer) in ("author", "outlet", "date")
        if show and not hit:
            print(f"  miss [{answer.kind.value} {_target(answer)}] {item['q']}")
    off_topic = data.get("off_topic", [])
    off_declined = 0
    for question in off_topic:
        answer = answerer.answer(question)
        off_declined += answer.kind in DECLINED
        if show and answer.kind not in DECLINED:
            print(f"  off topic answered [{answer.kind.value} {_target(answer)}] {question}")
    total = len(in_scope)
    _print(
        questions.stem,
        {
            "hit": (hits, total),
            "declined in scope": (declined, total),
            "off topic declined": (off_declined, len(off_topic)),
        },
    )
    inside = total - len(outside)
    _print(
        "  by where the quote stands",
        {
            "hit, quote in a passage": (hits, inside),
            "metadata entry answers, quote outside the passages": (outside_hits, len(outside)),
        },
    )


def first_article(answerer: Answerer) -> None:
    hand = load_library(ROOT / "content")
    for name, path in TUNING.items():
        qset = load(name, path)
        hits = declined = total = 0
        for question, expect in qset.in_scope:
            wanted = {p for target_id in expect if (t := hand.target(target_id)) for p in t.passage_ids}
            if not wanted:  # metadata without a passage (the date), or an overview: no passage to compare
                continue
            answer = answerer.answer(question)
            total += 1
            hits += answer.kind in ANSWERED and bool(wanted & {p.id for p in answer.passages})
            declined += answer.kind is Kind.NO_ANSWER
        off = sum(answerer.answer(q).kind in DECLINED for q in qset.off_topic)
        figures = {"hit": (hits, total), "declined in scope": (declined, total)}
        _print(name, figures | {"off topic declined": (off, len(qset.off_topic))})


def _target(answer: Answer) -> str:
    return answer.target.id if answer.target else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--article", type=Path, default=ROOT / "tests" / "data" / "second_article.txt")
    parser.add_argument("--questions", type=Path, default=ROOT / "benchmarks" / "sets" / "second_article.yaml")
    parser.add_argument("--decision", choices=("draft", "untuned"), default="draft")
    parser.add_argument("--first-article", action="store_true", help="ingest the first article, score its tuning sets")
    parser.add_argument("--show", action="store_true", help="print every miss")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        article = ROOT / "content" / "article.txt" if args.first_article else args.article
        answerer = _answerer(article, args.decision, Path(folder) / "content")
        print(f"decision: {args.decision}; {answerer.library.summary()}")
        if args.first_article:
            first_article(answerer)
        else:
            second_article(answerer, args.questions, args.show)


if __name__ == "__main__":
    main()
