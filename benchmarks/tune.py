"""Fit the decision (bot/core/decide.py) and write it to content/parameters.yaml.

Examples: every phrasing of the content, asked of the content without its fold (5 folds), and the
tuning sets' questions (in scope, Chinese, near misses, off-topic). The probe learns from those
questions too (content/examples.npz, benchmarks/examples.py): each set's features are read by a probe
that learnt from every other set but not from it, as a question it never saw is read at run time.
A logistic model is fitted on (question, target) pairs: is this target the answer? Its regularisation
and the thresholds are chosen by leave-one-writer-out cross-validation over the tuning sets: every
figure printed for a set comes from a model that never saw that set. The regression set (the first
round's evaluation set) and the test set are never used here.

    python benchmarks/tune.py            # print the cross-validated figures and write parameters.yaml
    python benchmarks/tune.py --dry-run  # print only
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import shutil
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from examples import asked_in, examples_of, held_out_answerers, key  # noqa: E402
from quality import follow_up_right, independent  # noqa: E402
from sets import EXTRA, TUNING, QuestionSet, load_all  # noqa: E402

from bot.core import examples as examples_file  # noqa: E402
from bot.core.answers import Answerer, Kind  # noqa: E402
from bot.core.content import Library, Target, load_library  # noqa: E402
from bot.core.coverage import FOLDS, without_fold  # noqa: E402
from bot.core.embedding import memoized, shared_embedder  # noqa: E402
from bot.core.parameters import (  # noqa: E402
    DECISION_FEATURES,
    EMBEDDED,
    FEATURES,
    FOLLOW_UP_FEATURES,
    QUICK_DECISION_FEATURES,
    QUICK_FEATURES,
    Parameters,
    decision_row,
    matching,
)
from bot.core.semantic import Encode  # noqa: E402

C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
TIE = 0.0005  # objectives closer than this are a tie (about one question in 2,000)
FOLLOW_UP_C_GRID = (0.1, 0.3, 1.0, 3.0)
# Where the quick stage may answer without the embedding: the lowest confidence at which the held-out
# figures stay within TIE of the whole decision's.
QUICK_AT_GRID = tuple(round(0.7 + 0.005 * i, 3) for i in range(60))
FOLLOW_UP_AT_GRID = (0.3, 0.5)
# What a reader notices, weighted: the right passage for answerable questions (English, Chinese; a
# caveated one counts, a confident one counts again), and no answer to questions the article does not
# answer (a near miss may get the caveat "not exactly; the nearest it says" instead).
WEIGHTS = {"in_scope": 0.25, "confident": 0.15, "chinese": 0.15, "near_miss": 0.15, "off_topic": 0.3}
# Whatever the objective prefers, at least this share of clearly off-topic questions is declined, and
# of near misses not plainly answered (the targets are 0.95 and 0.9; off-topic has margin to spare).
OFF_TOPIC_FLOOR = 0.96
NEAR_MISS_FLOOR = 0.9


class Query(NamedTuple):
    rows: np.ndarray  # targets × features
    right: frozenset[int]  # indices of the targets that answer it; empty: none does
    kind: str  # in_scope, chinese, near_miss, off_topic
    source: str  # phrasings, or the question set's name


def phrasing_queries(library: Library, encode: Encode, sets: list[QuestionSet]) -> list[Query]:
    """Every phrasing of the content, asked of the content without its fold, and of probes that never
    learnt from it either (some phrasings are also a writer's question, word for word)."""
    index_of = {t.id: i for i, t in enumerate(library.targets)}
    ids = set(index_of)
    queries = []
    for fold in range(FOLDS):
        reduced, held = without_fold(library, fold, FOLDS)
        examples = examples_of(sets, ids, encode, library.parameters.grams_ridge, {key(p) for _, p in held})
        reduced = dataclasses.replace(reduced, examples=examples)
        answerer = Answerer(reduced, encode=encode)
        queries += [Query(answerer.features(p), frozenset({index_of[t]}), "in_scope", "phrasings") for t, p in held]
    return queries


def set_queries(answerer: Answerer, qset: QuestionSet) -> list[Query]:
    index_of = {t.id: i for i, t in enumerate(answerer.library.targets)}
    out = []
    for kind, items in (("in_scope", qset.in_scope), ("chinese", qset.chinese)):
        for question, expect in items:
            right = frozenset(index_of[e] for e in expect if e in index_of)
            out.append(Query(answerer.features(question), right, kind, qset.name))
    out += [Query(answerer.features(q), frozenset(), "near_miss", qset.name) for q, _ in qset.near_miss]
    out += [Query(answerer.features(q), frozenset(), "off_topic", qset.name) for q in qset.off_topic]
    return out


class Scored(NamedTuple):
    best: int  # the target ranked first
    confidence: float  # how likely it is right
    relevance: float  # how likely the question is about what the article covers


def _logistic(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(x, y)
    return model.coef_[0], float(model.intercept_[0])


def _conditional_logit(queries: list[Query], c: float) -> np.ndarray:
    """Weights that make the right target the most probable under a softmax over each question's
    targets (McFadden's conditional logit), with an L2 penalty of 1/(2C): a ranking, fitted as one."""
    from scipy.optimize import minimize

    x = np.stack([q.rows for q in queries])  # questions × targets × features
    right = np.zeros(x.shape[:2])
    for n, query in enumerate(queries):
        right[n, list(query.right)] = 1 / len(query.right)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        logits = x @ w
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        value = -(right * np.log(p + 1e-12)).sum() + w @ w / (2 * c)
        gradient = np.einsum("nt,ntf->f", p - right, x) + w / c
        return float(value), gradient

    result = minimize(loss, np.zeros(x.shape[2]), jac=True, method="L-BFGS-B")
    weights: np.ndarray = result.x
    return weights


def fit(queries: list[Query], c: float, base: Parameters) -> Parameters:
    """The stages: which target (over every pair); then whether the best one is right, and whether the
    question is about what the article covers at all (everything but the off-topic ones); the rest (the
    ``matching:`` constants the features were computed with) as in ``base``."""
    weights = _conditional_logit([q for q in queries if q.right], c)
    ranking = dataclasses.replace(base, weights=tuple(float(w) for w in weights), bias=0.0)
    rows, labels, relevant = [], [], []
    for query in queries:
        p = ranking.probabilities(query.rows)
        best = int(np.argmax(p))
        rows.append(decision_row(query.rows, p, best))
        labels.append(int(best in query.right))
        relevant.append(int(query.kind != "off_topic"))
    x = np.vstack(rows)
    decision_weights, decision_bias = _logistic(x, np.asarray(labels), c)
    relevance_weights, relevance_bias = _logistic(x, np.asarray(relevant), c)
    return dataclasses.replace(
        ranking,
        decision_weights=tuple(float(w) for w in decision_weights),
        decision_bias=decision_bias,
        relevance_weights=tuple(float(w) for w in relevance_weights),
        relevance_bias=relevance_bias,
    )


def score(query: Query, parameters: Parameters) -> Scored:
    p = parameters.probabilities(query.rows)
    best = int(np.argmax(p))
    return Scored(best, parameters.confidence(query.rows, p, best), parameters.relevance(query.rows, p, best))


_LEXICAL = np.array([name not in EMBEDDED for name in FEATURES], dtype=np.float64)


def fit_quick(queries: list[Query], c: float, base: Parameters) -> Parameters:
    """``base`` with a quick stage: the two stages of ``fit`` over the features without the embedding's."""
    lexical = fit([q._replace(rows=q.rows * _LEXICAL) for q in queries], c, base)
    return dataclasses.replace(
        base,
        quick_weights=lexical.weights,
        quick_decision_weights=lexical.decision_weights,
        quick_decision_bias=lexical.decision_bias,
    )


def quick_score(query: Query, parameters: Parameters) -> Scored:
    """The quick stage's best target and confidence (relevance: 1, it answers)."""
    quick = parameters.quick(query.rows * _LEXICAL)
    assert quick is not None
    return Scored(int(np.argmax(quick[0])), quick[1], 1.0)


def cascaded(pooled: Pooled, quick: Pooled, quick_at: float) -> tuple[Pooled, np.ndarray]:
    """The figures' input where the quick stage answers what it is at least ``quick_at`` sure of."""
    exits = quick.confidence >= quick_at
    return (
        Pooled(
            pooled.kind,
            np.where(exits, quick.right, pooled.right),
            np.where(exits, 1.0, pooled.confidence),
            np.where(exits, 1.0, pooled.relevance),
        ),
        exits,
    )


def choose_quick_at(pooled: Pooled, quick: Pooled, at: Thresholds) -> float:
    """The lowest ``quick_at`` at which, held out, no figure is worse than the whole decision's by more
    than one of its questions (nor the objective by more than TIE): what the quick stage answers, it
    answers as well."""
    whole = scores(pooled, at)
    base = objective(whole) - _shortfall(whole)
    counts = {
        "top1": np.isin(pooled.kind, ("in_scope", "chinese")).sum(),
        "confident": (pooled.kind == "in_scope").sum(),
        **{kind: (pooled.kind == kind).sum() for kind in ("in_scope", "chinese", "near_miss", "off_topic")},
    }
    print("\nquick stage, held out: quick_at, share answered without the embedding (all, in scope), objective")
    chosen = 1.0
    for quick_at in reversed(QUICK_AT_GRID):
        mixed, exits = cascaded(pooled, quick, quick_at)
        figures = scores(mixed, at)
        value = objective(figures) - _shortfall(figures)
        in_scope = float(np.mean(exits[np.isin(pooled.kind, ("in_scope", "chinese"))]))
        print(f"  {quick_at:.3f}  {np.mean(exits):.3f} {in_scope:.3f}  {value:.4f} (whole {base:.4f})")
        worse = [k for k, v in figures.items() if counts[k] and v < whole[k] - 1 / counts[k] - 1e-9]
        if worse or value < base - TIE:
            print(f"  stop: {', '.join(worse) or 'objective'} worse")
            break
        chosen = quick_at
    return chosen


class Thresholds(NamedTuple):
    answer_at: float
    caveat_at: float
    relevant_at: float


def outcome(scored: Scored, at: Thresholds) -> str:
    """What the bot does with a standalone question: answer, caveat or decline (as bot/core/answers.py)."""
    if scored.confidence >= at.answer_at:
        return "answer"
    return "caveat" if scored.confidence >= at.caveat_at and scored.relevance >= at.relevant_at else "decline"


class Pooled(NamedTuple):
    """Scored questions as arrays, so that thousands of thresholds are tried in a moment."""

    kind: np.ndarray
    right: np.ndarray  # the best target answers it
    confidence: np.ndarray
    relevance: np.ndarray

    @classmethod
    def of(cls, queries: list[Query], ps: list[Scored]) -> Pooled:
        return cls(
            np.array([q.kind for q in queries]),
            np.array([s.best in q.right for q, s in zip(queries, ps, strict=True)]),
            np.array([s.confidence for s in ps]),
            np.array([s.relevance for s in ps]),
        )


def scores(pooled: Pooled, at: Thresholds) -> dict[str, float]:
    answer = pooled.confidence >= at.answer_at
    decline = ~answer & ((pooled.confidence < at.caveat_at) | (pooled.relevance < at.relevant_at))
    good = {
        "top1": pooled.right[np.isin(pooled.kind, ("in_scope", "chinese"))],
        "in_scope": (~decline & pooled.right)[pooled.kind == "in_scope"],
        "confident": (answer & pooled.right)[pooled.kind == "in_scope"],
        "chinese": (~decline & pooled.right)[pooled.kind == "chinese"],
        "near_miss": ~answer[pooled.kind == "near_miss"],
        "off_topic": decline[pooled.kind == "off_topic"],
    }
    return {kind: float(np.mean(v)) if len(v) else float("nan") for kind, v in good.items()}


def objective(figures: dict[str, float]) -> float:
    return sum(w * figures[k] for k, w in WEIGHTS.items() if not np.isnan(figures[k]))


def _shortfall(figures: dict[str, float]) -> float:
    """How far the floors are missed, so that any setting that meets them beats every one that does not."""
    missed = max(0.0, OFF_TOPIC_FLOOR - figures["off_topic"]) + max(0.0, NEAR_MISS_FLOOR - figures["near_miss"])
    return 10.0 + missed if missed else 0.0


def choose_thresholds(pooled: Pooled) -> tuple[float, Thresholds]:
    best = (-2.0, Thresholds(0.5, 0.5, 0.0))
    for answer_at in np.arange(0.10, 0.91, 0.02):
        for caveat_at in np.arange(0.0, answer_at + 1e-9, 0.05):
            for relevant_at in np.arange(0.0, 0.96, 0.05):
                at = Thresholds(*(round(float(v), 2) for v in (answer_at, caveat_at, relevant_at)))
                figures = scores(pooled, at)
                value = objective(figures) - _shortfall(figures)
                if value > best[0] + 1e-9:
                    best = (value, at)
    return best


def choose_suggest(queries: list[Query], parameters: Parameters, at: Thresholds) -> float:
    """Lowest confidence at which a declined question gets "Did you mean" buttons for the nearest two:
    as many declined readers offered their answer, and as few off-topic ones offered anything, as can be."""
    best = (-1e9, at.caveat_at)
    for suggest_at in np.arange(0.02, max(at.caveat_at, at.answer_at) + 1e-9, 0.02):
        value = 0.0
        for query in queries:
            scored = score(query, parameters)
            if outcome(scored, at) != "decline" or scored.confidence < suggest_at:
                continue
            offered = set(np.argsort(-parameters.probabilities(query.rows))[:2])
            if query.kind in ("in_scope", "chinese"):
                value += bool(offered & query.right)
            elif query.kind == "off_topic":
                value -= 1.0
        if value > best[0]:
            best = (value, round(float(suggest_at), 2))
    return best[1]


def follow_up_rates(
    answerer: Answerer, parameters: Parameters, sets: list[QuestionSet]
) -> dict[str, tuple[float, float]]:
    """Per set, the share of second questions answered right after the first was answered, and of its
    own questions answered as well (in scope: right; near misses: not plainly) after another answer."""
    answerer.parameters = parameters
    targets = answerer.library.targets
    rates = {}
    for qset in sets:
        right = []
        for item in qset.follow_ups:
            first = answerer.answer(item.first)
            previous = first.target if first.kind in (Kind.ANSWER, Kind.CAVEAT) else None
            then = answerer.answer(item.then, previous)
            right.append(follow_up_right(then, item.expect_then))
        pairs = independent(qset, targets)
        alone = [follow_up_right(answerer.answer(q, previous), expect) for previous, q, expect in pairs]
        if right:
            rates[qset.name] = (float(np.mean(right)), float(np.mean(alone)) if alone else 1.0)
    return rates


def follow_up_queries(answerer: Answerer, qset: QuestionSet) -> list[Query]:
    """The set's follow-ups that reach the ranking of follow-ups (the first answered, the second read
    with it and answered by the article), and its own questions asked after another answer
    (``independent``), as rows over FOLLOW_UP_FEATURES with the targets that answer them."""
    index = {t.id: i for i, t in enumerate(answerer.library.targets)}
    pairs: list[tuple[Target, str, tuple[str, ...]]] = []
    for item in qset.follow_ups:
        first = answerer.answer(item.first)
        if first.kind in (Kind.ANSWER, Kind.CAVEAT) and first.target is not None and item.expect_then:
            pairs.append((first.target, item.then.strip(), item.expect_then))
    pairs += [pair for pair in independent(qset, answerer.library.targets) if pair[2]]
    queries = []
    for previous, question, expect in pairs:
        rows = answerer.follow_up_rows(question, previous, answerer.alone(question))  # as answer() reads it
        if rows is not None:
            queries.append(Query(rows, frozenset(index[i] for i in expect), "follow_up", qset.name))
    return queries


def choose_follow_up(
    library: Library, parameters: Parameters, sets: list[QuestionSet], held: dict[str, Answerer]
) -> Parameters:
    """The follow-ups' ranking (a conditional logit over FOLLOW_UP_FEATURES, like the targets' own), its
    regularisation chosen on the sets with follow-ups, leaving each writer out in turn."""
    sets = [s for s in sets if s.follow_ups]
    answerers = {s.name: held[s.name] for s in sets}
    for answerer in answerers.values():
        answerer.parameters = parameters
        answerer.assess = functools.lru_cache(maxsize=None)(answerer.assess)  # type: ignore[method-assign]
    best: tuple[float, float, float, dict[str, list[Query]]] | None = None
    for at in FOLLOW_UP_AT_GRID:  # how sure a question that does not lean on the answer before must be
        gated = dataclasses.replace(parameters, followup_at=at)
        for answerer in answerers.values():
            answerer.parameters = gated
        by_set = {s.name: follow_up_queries(answerers[s.name], s) for s in sets}
        for c in FOLLOW_UP_C_GRID:
            held_out = {}
            for qset in sets:
                weights = _conditional_logit([q for name, qs in by_set.items() if name != qset.name for q in qs], c)
                candidate = dataclasses.replace(gated, followup_weights=tuple(float(w) for w in weights))
                held_out.update(follow_up_rates(answerers[qset.name], candidate, [qset]))
            # Follow-ups right, and the sets' own questions no worse for being asked after an answer.
            mean = float(np.mean([f for f, _ in held_out.values()]) + np.mean([a for _, a in held_out.values()]))
            print(
                f"  follow-ups at {at}, C={c:<4} held out (follow-ups / own questions after an answer): "
                + ", ".join(f"{k} {f:.3f}/{a:.3f}" for k, (f, a) in held_out.items())
            )
            if best is None or mean > best[2]:
                best = (at, c, mean, by_set)
    assert best is not None
    at, c, mean, by_set = best
    weights = _conditional_logit([q for qs in by_set.values() for q in qs], c)
    print(f"  follow-ups: at {at}, C={c}, held-out mean of both {mean / 2:.3f}")
    return dataclasses.replace(parameters, followup_at=at, followup_weights=tuple(float(w) for w in weights))


def refit_follow_ups(content: Path, dry_run: bool) -> None:
    """The follow-ups' ranking alone, fitted anew on top of the decision the file holds (minutes, not ten)."""
    library = load_library(content)
    encode = memoized(shared_embedder().encode)
    sets = load_all(TUNING)
    parameters = choose_follow_up(library, library.parameters, sets, held_out_answerers(library, sets, encode))
    print(
        f"follow-ups: at {parameters.followup_at}, "
        + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FOLLOW_UP_FEATURES, parameters.follow_up_weights(), strict=True))
    )
    if not dry_run:
        fitted = {**library.parameters.fitted, "follow_ups_refitted": dt.date.today().isoformat()}
        write(content / "parameters.yaml", parameters, fitted)
        load_library(content)
        print(f"written: {content / 'parameters.yaml'}")


def write(path: Path, parameters: Parameters, fitted: dict[str, object]) -> None:
    lines = [
        "# The decision: written by `python benchmarks/tune.py`; do not edit by hand.",
        "# weights: a logistic model over the features in bot/core/parameters.py (probability that a target answers",
        "# the question); thresholds on that probability. `fitted` records how it was chosen.",
        "decision:",
        "  weights:",
        *(f"    {name}: {value:.4f}" for name, value in zip(FEATURES, parameters.weights, strict=True)),
        f"  bias: {parameters.bias:.4f}",
        "  decision_weights:",
        *(f"    {n}: {v:.4f}" for n, v in zip(DECISION_FEATURES, parameters.decision_weights, strict=True)),
        f"  decision_bias: {parameters.decision_bias:.4f}",
        f"  answer_at: {parameters.answer_at}",
        f"  suggest_at: {parameters.suggest_at}",
        f"  offer_at: {parameters.offer_at}",
        f"  caveat_at: {parameters.caveat_at}",
        "  relevance_weights:",
        *(f"    {n}: {v:.4f}" for n, v in zip(DECISION_FEATURES, parameters.relevance_weights, strict=True)),
        f"  relevance_bias: {parameters.relevance_bias:.4f}",
        f"  relevant_at: {parameters.relevant_at}",
        f"  followup_at: {parameters.followup_at}",
        "  followup_weights:",
        *(f"    {n}: {v:.4f}" for n, v in zip(FOLLOW_UP_FEATURES, parameters.follow_up_weights(), strict=True)),
        *_quick_lines(parameters),
        "  fitted:",
        *(f"    {key}: {value}" for key, value in fitted.items()),
        "# The lexical view's and the answerer's constants (bot/core/parameters.py documents each): not fitted",
        "# here, carried through from the file this one replaced.",
        "matching:",
        *(f"  {name}: {value}" for name, value in matching(parameters).items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _quick_lines(parameters: Parameters) -> list[str]:
    if parameters.quick_weights is None or parameters.quick_decision_weights is None:
        return []
    quick = zip(FEATURES, parameters.quick_weights, strict=True)
    decision = zip(DECISION_FEATURES, parameters.quick_decision_weights, strict=True)
    return [
        "  quick_weights:",
        *(f"    {n}: {v:.4f}" for n, v in quick if n in QUICK_FEATURES),
        "  quick_decision_weights:",
        *(f"    {n}: {v:.4f}" for n, v in decision if n in QUICK_DECISION_FEATURES),
        f"  quick_decision_bias: {parameters.quick_decision_bias:.4f}",
        f"  quick_at: {parameters.quick_at}",
    ]


def _without_decision(content: Path) -> Library:
    """The content as the features see it: a stale or broken decision is what is being replaced; the
    ``matching:`` constants of parameters.yaml are kept (the features depend on them)."""
    with tempfile.TemporaryDirectory() as directory:
        for path in content.glob("*.yaml"):
            if path.name != "parameters.yaml":
                shutil.copy(path, directory)
        kept = _matching_section(content / "parameters.yaml")
        if kept is not None:
            (Path(directory) / "parameters.yaml").write_text(yaml.safe_dump({"matching": kept}), encoding="utf-8")
        return load_library(directory)


def _matching_section(path: Path) -> object:
    """The ``matching:`` section of a parameters.yaml, if it has one and reads as YAML at all."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return document.get("matching") if isinstance(document, dict) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument(
        "--follow-ups", action="store_true", help="refit only the follow-ups' ranking, on the file's decision"
    )
    args = parser.parse_args()
    if args.follow_ups:
        refit_follow_ups(args.content, args.dry_run)
        return
    library = _without_decision(args.content)
    base = library.parameters  # the defaults of the decision, the file's matching constants
    encode = memoized(shared_embedder().encode)  # folds and sets ask the same texts many times
    sets = load_all(TUNING)
    examples = examples_of(sets, {t.id for t in library.targets}, encode, base.grams_ridge)
    library = dataclasses.replace(library, examples=examples)
    held = held_out_answerers(library, sets, encode)
    own = phrasing_queries(library, encode, sets)
    # The extra sets asked of probes that never learnt from them (some of their questions are a writer's too).
    extras = load_all(EXTRA)
    unseen = examples_of(sets, {t.id for t in library.targets}, encode, base.grams_ridge, asked_in(extras))
    for_extras = Answerer(dataclasses.replace(library, examples=unseen), encode=encode)
    own += [q for extra in extras for q in set_queries(for_extras, extra)]
    by_set = {s.name: set_queries(held[s.name], s) for s in sets}
    sizes = ", ".join(f"{k} {len(v)}" for k, v in by_set.items())
    print(f"examples: {len(own)} phrasings (5-fold), pruned phrasings and negatives; {sizes}")

    # Leave one writer out: each set is predicted by a model fitted on the phrasings and the other sets.
    tried: list[tuple[float, float, Thresholds, dict[str, list[Scored]]]] = []
    for c in C_GRID:
        held_out: dict[str, list[Scored]] = {}
        for name, queries in by_set.items():
            fitted_without = fit(own + [q for other, qs in by_set.items() if other != name for q in qs], c, base)
            held_out[name] = [score(q, fitted_without) for q in queries]
        pooled = Pooled.of([q for qs in by_set.values() for q in qs], [s for ss in held_out.values() for s in ss])
        value, at = choose_thresholds(pooled)
        print(f"C={c:<5} cross-validated objective {value:.4f} at {at}")
        tried.append((c, value, at, held_out))
    # The most regularised model within TIE of the best: weaker regularisation that gains less than that
    # only buys large weights of opposite signs on features that say nearly the same thing.
    top = max(value for _, value, _, _ in tried)
    c, value, at, held_out = next(t for t in tried if t[1] >= top - TIE)

    # The figures of the chosen setting, per held-out set.
    print(f"\nchosen C={c}, {at}; per held-out writer:")
    for name, queries in by_set.items():
        figures = scores(Pooled.of(queries, held_out[name]), at)
        print(f"  {name:<11} " + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()))

    # The quick stage, left out the same way, at the chosen C and thresholds.
    queries = [q for qs in by_set.values() for q in qs]
    quick_held: list[Scored] = []
    for name, held_queries in by_set.items():
        quick_without = fit_quick(own + [q for other, qs in by_set.items() if other != name for q in qs], c, base)
        quick_held += [quick_score(q, quick_without) for q in held_queries]
    pooled = Pooled.of(queries, [s for ss in held_out.values() for s in ss])
    quick_pooled = Pooled.of(queries, quick_held)
    quick_at = choose_quick_at(pooled, quick_pooled, at)
    mixed, exits = cascaded(pooled, quick_pooled, quick_at)
    print(f"chosen quick_at {quick_at}: {np.mean(exits):.3f} of held-out questions answered without the embedding")
    print("  whole decision " + "  ".join(f"{k} {v:.3f}" for k, v in scores(pooled, at).items()))
    print("  with the quick " + "  ".join(f"{k} {v:.3f}" for k, v in scores(mixed, at).items()))

    everything = own + queries
    parameters = fit(everything, c, base)
    suggest_at = choose_suggest(everything, parameters, at)
    parameters = dataclasses.replace(parameters, suggest_at=suggest_at, **at._asdict())
    quick = fit_quick(everything, c, parameters)
    parameters = dataclasses.replace(quick, quick_at=quick_at)
    parameters = choose_follow_up(library, parameters, sets, held)
    fitted = {
        "date": dt.date.today().isoformat(),
        "C": c,
        "examples": len(own) + sum(len(v) for v in by_set.values()),
        "sets": "phrasings (5-fold), " + ", ".join(by_set),
        "cross_validated_objective": round(value, 4),
        "quick_share_held_out": round(float(np.mean(exits)), 3),
    }
    print("\nranking: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, parameters.weights, strict=True)))
    decision = zip(DECISION_FEATURES, parameters.decision_weights, strict=True)
    print("decision: " + ", ".join(f"{n} {w:+.2f}" for n, w in decision))
    print(
        f"suggest_at {suggest_at}; follow-ups: at {parameters.followup_at}, "
        + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FOLLOW_UP_FEATURES, parameters.follow_up_weights(), strict=True))
    )
    if not args.dry_run:
        if examples is not None:
            examples_file.save(args.content / examples_file.FILE, examples)
        write(args.content / "parameters.yaml", parameters, fitted)
        load_library(args.content)  # what was written reads back
        print(f"written: {args.content / 'parameters.yaml'}")


if __name__ == "__main__":
    main()
