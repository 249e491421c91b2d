"""Quality and speed of the bot, side by side with what one might build instead, in one run.

    python benchmarks/matcher.py                # tuning and regression sets
    python benchmarks/matcher.py --test         # and the fresh test set (look at it once, at the end)
    python benchmarks/matcher.py --per-target   # quality against phrasings per target (5, 10, 15)

Systems, each answering or declining every question of every set:
* bot: the whole of ``Answerer.answer`` (both views, the fitted decision, follow-ups, parts); its probe
  learnt from the tuning sets' questions (content/examples.npz), so on a tuning set it is in-sample;
* bot held out (tuning sets only): the same, its probe learnt from every tuning set but that one, as
  it reads a question nobody wrote into the examples (the decision is the one fitted on all);
* lexical: the first round's matcher alone, with its own decision (score ≥ 68, and not nearer an
  unanswered question than its best phrasing);
* embedding: the nearest phrasing by USE cosine, answered above a threshold;
* BM25 over entries: rank-bm25 over each target's question, phrasings and answer.
The embedding's and BM25's thresholds are chosen on the tuning sets (the best hit + declined there),
which favours them on those sets. Baselines have no conversation: a follow-up is asked alone.
Figures are defined in benchmarks/quality.py; "hit" counts the bot's caveated answers, and
"confident" only its plain ones (the baselines have no caveat, so both are the same for them).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# As `python -m bot` runs (bot/__main__.py): one BLAS thread, set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from examples import asked_in, examples_of, held_out_answerers  # noqa: E402
from phrasings import ordered_phrasings  # noqa: E402
from quality import evaluate  # noqa: E402
from sets import REGRESSION, TEST, TUNING, QuestionSet, load_all  # noqa: E402

from bot.core.answers import Answer, Answerer, Kind  # noqa: E402
from bot.core.content import Library, Target, load_library  # noqa: E402
from bot.core.embedding import memoized, shared_embedder  # noqa: E402
from bot.core.matcher import Matcher  # noqa: E402
from bot.core.normalise import Normaliser, clean  # noqa: E402
from bot.core.semantic import asked_texts  # noqa: E402

MEASURES = ("hit", "confident", "declined", "near_miss", "chinese", "follow_ups", "after_answer")
OLD_MIN_SCORE, OLD_UNANSWERED_MARGIN = 68.0, -0.05


def rss_mb() -> float:
    for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Scored:
    """A baseline as the evaluation sees the bot: ``answer(question, previous)`` → Answer."""

    def __init__(self, rank: Callable[[str], tuple[Target | None, float]], threshold: float) -> None:
        self.rank, self.threshold = rank, threshold

    def answer(self, question: str, previous: Target | None = None) -> Answer:
        target, score = self.rank(question)
        if target is None or score < self.threshold:
            return Answer(Kind.NO_ANSWER, question, score=score)
        return Answer(Kind.ANSWER, question, target, score)


def lexical(library: Library) -> Scored:
    matcher = Matcher(library)

    def rank(question: str) -> tuple[Target | None, float]:
        if matcher.small_talk(question):
            return None, 0.0
        found = matcher.rank(question, 1, OLD_MIN_SCORE)
        if not found:
            return None, 0.0
        best = found[0]
        if best.unanswered is not None and best.unanswered >= best.closeness + OLD_UNANSWERED_MARGIN:
            return best.target, 0.0
        return best.target, best.score

    return Scored(rank, OLD_MIN_SCORE)


def embedding(library: Library) -> Scored:
    encode = shared_embedder().encode
    texts, owners = [], []
    for target in library.targets:
        for text in asked_texts(target):
            texts.append(text)
            owners.append(target)
    vectors = encode(texts)

    def rank(question: str) -> tuple[Target | None, float]:
        cosines = vectors @ encode([question])[0]
        best = int(np.argmax(cosines))
        return owners[best], float(cosines[best])

    return Scored(rank, 0.0)


def bm25(library: Library) -> Scored:
    from rank_bm25 import BM25Okapi

    tokens = Normaliser(library.vocabulary).tokens  # the article's words, as the bot reads them
    documents = [tokens(" ".join((*asked_texts(t), t.answer))) for t in library.targets]
    index = BM25Okapi(documents)

    def rank(question: str) -> tuple[Target | None, float]:
        scores = index.get_scores(tokens(question))
        best = int(np.argmax(scores))
        return (library.targets[best], float(scores[best])) if scores[best] > 0 else (None, 0.0)

    return Scored(rank, 0.0)


def choose_threshold(system: Scored, sets: list[QuestionSet]) -> float:
    """The threshold with the best hit + declined over the tuning sets."""
    asked = [(q, expect) for s in sets for q, expect in s.in_scope]
    off = [q for s in sets for q in s.off_topic] + [q for s in sets for q, _ in s.near_miss]
    ranked_in = [(system.rank(q), expect) for q, expect in asked]
    ranked_off = [system.rank(q) for q in off]
    candidates = sorted({score for (_, score), _ in ranked_in} | {0.0})
    best = (-1.0, 0.0)
    for threshold in candidates[:: max(1, len(candidates) // 200)]:
        hit = np.mean([t is not None and t.id in e and s >= threshold for (t, s), e in ranked_in])
        declined = np.mean([t is None or s < threshold for t, s in ranked_off])
        if hit + declined > best[0]:
            best = (hit + declined, threshold)
    return best[1]


def timed(answer: Callable[[str], object], questions: list[str]) -> tuple[float, float]:
    """p50 and p95 in µs of one call per question (after a warm-up pass), the collector paused."""
    for question in questions:
        answer(question)
    samples = []
    gc.disable()
    try:
        for question in questions:
            start = time.perf_counter_ns()
            answer(question)
            samples.append((time.perf_counter_ns() - start) / 1000)
    finally:
        gc.enable()
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def without_copies(qset: QuestionSet, library: Library) -> QuestionSet:
    """The set less the questions that are, up to case and punctuation, phrasings or unanswered
    questions of the content (obvious ones, written on both sides independently)."""
    content = {clean(p) for t in library.targets for p in (t.question, *t.phrasings)}
    content |= {clean(q) for q in library.unanswered}
    fresh = lambda q: clean(q) not in content  # noqa: E731
    return dataclasses.replace(
        qset,
        name=f"{qset.name}*",
        in_scope=[item for item in qset.in_scope if fresh(item[0])],
        chinese=[item for item in qset.chinese if fresh(item[0])],
        near_miss=[item for item in qset.near_miss if fresh(item[0])],
        off_topic=[q for q in qset.off_topic if fresh(q)],
        follow_ups=[f for f in qset.follow_ups if fresh(f.then)],
    )


def table(systems: dict[str, Answerer | Scored], sets: list[QuestionSet], held: dict[str, Answerer]) -> None:
    print(f"{'set':<11} {'system':<10} " + " ".join(f"{m:>10}" for m in MEASURES))
    for qset in sets:
        rows = list(systems.items())
        if qset.name in held:
            rows.insert(1, ("held out", held[qset.name]))
        for name, system in rows:
            figures = evaluate(system, qset)  # type: ignore[arg-type]
            if name not in ("bot", "held out") and "hit" in figures:
                figures["confident"] = figures["hit"]
            cells = " ".join(f"{figures[m]:>10.3f}" if m in figures else f"{'—':>10}" for m in MEASURES)
            print(f"{qset.name:<11} {name:<10} {cells}")
        print()


def per_target(library: Library, sets: list[QuestionSet], tuning: list[QuestionSet]) -> None:
    """Quality with the first k phrasings of each target (in the order benchmarks/phrasings.py keeps
    them), the decision as fitted for the content as it is (15 a target): not refitted per k. The
    probe learns from the other tuning sets' questions, not from the ones measured."""
    others = [s for s in tuning if s.name not in {m.name for m in sets}]
    ridge = library.parameters.grams_ridge
    examples = examples_of(others, {t.id for t in library.targets}, shared_embedder().encode, ridge, asked_in(sets))
    library = dataclasses.replace(library, examples=examples)
    print("phrasings a target (decision not refitted): " + ", ".join(f"{s.name} hit/declined" for s in sets))
    most = max(len(t.phrasings) for t in library.targets)
    for k in sorted({0, 5, 10, 15, most}):
        targets = [
            dataclasses.replace(t, phrasings=tuple(ordered_phrasings(t.question, t.phrasings)[:k]))
            for t in library.targets
        ]
        entries = tuple(t for t in targets if t.id in {e.id for e in library.entries})
        figures = tuple(t for t in targets if t.id in {f.id for f in library.figures})
        answerer = Answerer(dataclasses.replace(library, entries=entries, figures=figures))  # type: ignore[arg-type]
        cells = []
        for qset in sets:
            result = evaluate(answerer, dataclasses.replace(qset, follow_ups=[], chinese=[]))
            cells.append(f"{result['hit']:.3f}/{result.get('declined', float('nan')):.3f}")
        print(f"  {k:>2}: " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--test", action="store_true", help="also the fresh test set")
    parser.add_argument("--per-target", action="store_true", help="quality against phrasings per target")
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="another content folder")
    args = parser.parse_args()
    library = load_library(args.content)
    tuning, regression = load_all(TUNING), load_all(REGRESSION)
    missing = [str(path) for path in TEST.values() if not path.exists()]
    if args.test and missing:
        sys.exit(f"No fresh test set yet: {', '.join(missing)} (written by a helper, see benchmarks/writers/)")
    tests = load_all(TEST) if args.test else []
    # A starred set is the set less the questions that are word for word in the content.
    sets = tuning + regression + tests + [without_copies(s, library) for s in tests]
    if args.per_target:
        per_target(library, tuning[:2], tuning)
        return

    before = rss_mb()
    bot = Answerer(library)
    with_bot = rss_mb()
    systems: dict[str, Answerer | Scored] = {"bot": bot, "lexical": lexical(library)}
    for name, build in (("embedding", embedding), ("bm25", bm25)):
        system = build(library)
        system.threshold = choose_threshold(system, tuning)
        systems[name] = system
    encode = memoized(shared_embedder().encode)
    table(systems, sets, held_out_answerers(library, tuning, encode))

    questions = [q for s in sets for q, _ in s.in_scope + s.chinese] + [q for s in sets for q in s.off_topic]
    print(f"speed over {len(questions)} questions, µs per question (p50 / p95):")
    for name, system in systems.items():
        answer = system.answer
        if isinstance(system, Answerer):
            # Each question as if first asked: without the embeddings kept from the warm-up pass.
            def answer(question: str, system: Answerer = system) -> object:
                system._recent.clear()
                return system.answer(question)

        p50, p95 = timed(answer, questions)
        print(f"  {name:<10} {p50:>8.0f} / {p95:>8.0f}")
    print(f"RSS: {before:.0f} MB before the bot's index, {with_bot:.0f} MB with it (+{with_bot - before:.0f} MB)")


if __name__ == "__main__":
    main()
