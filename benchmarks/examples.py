"""Write content/examples.npz: the tuning sets' questions, as the probe learns from them.

Every question a writer labelled (in scope, Chinese, the first of a follow-up pair) counts for its
target; near misses and off-topic questions for "the article does not answer this". A follow-up's
second question is left out: it means something only after the first. Labels the content does not
have are dropped. The test set is never among them.

    python benchmarks/examples.py           # write content/examples.npz
    python benchmarks/examples.py --check   # exit 1 if the file differs from what the sets give
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sets import REGRESSION, TUNING, QuestionSet, load_all  # noqa: E402

from bot.core import examples as examples_file  # noqa: E402
from bot.core import grams  # noqa: E402
from bot.core.answers import Answerer  # noqa: E402
from bot.core.chinese import simplified  # noqa: E402
from bot.core.content import Library, load_library  # noqa: E402
from bot.core.examples import UNANSWERED, Examples, classes_of  # noqa: E402
from bot.core.normalise import clean  # noqa: E402

Encode = Callable[[Sequence[str]], np.ndarray]


Pair = tuple[str, tuple[str, ...]]  # a question and the classes it counts for


def _questions(qset: QuestionSet) -> list[Pair]:
    """Every question of a set a reader asks on its own, with the targets that answer it (none: the
    article does not). A follow-up's second question is left out: it means something only after the first."""
    asked = [*(qset.in_scope + qset.chinese), *((item.first, item.expect) for item in qset.follow_ups)]
    return [*asked, *((q, ()) for q, _ in qset.near_miss), *((q, ()) for q in qset.off_topic)]


def labelled(qset: QuestionSet, ids: set[str]) -> list[Pair]:
    """(question, classes) pairs of one set: every target a question expects that the content has (a
    question either of two targets answers counts for both), or UNANSWERED."""
    pairs = []
    for question, expect in _questions(qset):
        own = tuple(e for e in expect if e in ids) if expect else (UNANSWERED,)
        if own:
            pairs.append((question, own))
    return pairs


def key(question: str) -> str:
    """Questions alike up to case, punctuation and script (traditional or simplified) are one question."""
    return clean(simplified(question))


def asked_in(sets: Sequence[QuestionSet]) -> set[str]:
    """Every question of the sets, a follow-up's second one too ("by whom?" is an example where another
    writer asked it alone), as ``key``s."""
    return {key(q) for qset in sets for q in [*(q for q, _ in _questions(qset)), *(f.then for f in qset.follow_ups)]}


@functools.cache
def _regression() -> frozenset[str]:
    return frozenset(asked_in(load_all(REGRESSION)))


def fit_grams(texts: Sequence[str], labels: Sequence[Sequence[str]], ridge: float) -> tuple[np.ndarray, np.ndarray]:
    """The n-gram probe on these questions (bot/core/grams.py): the idf, and ridge regression onto ±1 per
    class (columns in ``classes_of(labels)`` order). Thousands of sparse rows, fewer than the n-gram
    buckets: conjugate gradients on the dual, as scikit-learn's ``sparse_cg`` solves it, to a tolerance far
    below what float32 keeps, but every class's column at once (``_ridge``)."""
    import scipy.sparse

    classes = classes_of(labels)
    position = {label: i for i, label in enumerate(classes)}
    idf = grams.idf_of(texts)
    rows = [grams.row(text, idf) for text in texts]
    indptr = np.cumsum([0, *(len(buckets) for buckets, _ in rows)])
    x = scipy.sparse.csr_matrix(
        (np.concatenate([v for _, v in rows]), np.concatenate([b for b, _ in rows]), indptr),
        shape=(len(texts), grams.DIMENSIONS),
    )
    targets = grams.targets_of([[position[label] for label in own] for own in labels], len(classes))
    return idf, np.ascontiguousarray(_ridge(x, targets, ridge), dtype=np.float32)


def _ridge(x: Any, y: np.ndarray, alpha: float, tol: float = 1e-7) -> np.ndarray:
    """Ridge regression without intercept, weights (features × columns): (X Xᵀ + αI) A = Y solved by conjugate
    gradients for all columns together, then W = Xᵀ A. scikit-learn's ``sparse_cg`` solves the same system
    one column at a time (27 of them, each with its own sparse products): 5.0 s a fit against 3.0 here,
    the same weights to 1e-5. Each column stops where its residual is ``tol`` of its right-hand side."""
    y = np.asarray(y, dtype=np.float64)
    dual = np.zeros_like(y)
    residual = y.copy()
    direction = residual.copy()
    squares = np.einsum("ij,ij->j", residual, residual)
    done = squares <= tol * tol * np.einsum("ij,ij->j", y, y)
    for _ in range(10 * len(y)):
        if done.all():
            break
        product = x @ (x.T @ direction) + alpha * direction
        step = np.where(done, 0.0, squares / np.einsum("ij,ij->j", direction, product))
        dual += step * direction
        residual -= step * product
        new_squares = np.einsum("ij,ij->j", residual, residual)
        done |= new_squares <= tol * tol * np.einsum("ij,ij->j", y, y)
        direction = residual + np.where(done, 0.0, new_squares / np.where(squares > 0, squares, 1.0)) * direction
        squares = new_squares
    return np.asarray(x.T @ dual)


def examples_of(
    sets: Sequence[QuestionSet],
    ids: set[str],
    encode: Encode,
    ridge: float,
    leave_out: frozenset[str] | set[str] = frozenset(),
) -> Examples | None:
    """The sets' questions as examples, each once; none that is (up to ``key``) in ``leave_out``, nor
    in the regression set, which stays a set nothing was fitted on. ``ridge``: the n-gram probe's."""
    leave_out = leave_out | _regression()
    chosen: dict[str, Pair] = {}
    for qset in sets:
        for question, classes in labelled(qset, ids):
            if key(question) not in leave_out:
                chosen.setdefault(key(question), (question, classes))
    if not chosen:
        return None
    pairs = list(chosen.values())
    labels = [classes for _, classes in pairs]
    fitted = fit_grams([q for q, _ in pairs], labels, ridge)
    return Examples.of(encode([simplified(q) for q, _ in pairs]), labels, fitted)


def held_out_answerers(library: Library, sets: list[QuestionSet], encode: Encode) -> dict[str, Answerer]:
    """Per set, the bot whose probe learnt from every other set's questions but not from this one's,
    nor from the same question written by another writer too."""
    ids = {t.id for t in library.targets}
    return {
        qset.name: Answerer(
            dataclasses.replace(
                library,
                examples=examples_of(
                    [s for s in sets if s is not qset], ids, encode, library.parameters.grams_ridge, asked_in([qset])
                ),
            ),
            encode=encode,
        )
        for qset in sets
    }


def build(content: Path, encode: Encode | None = None) -> Examples | None:
    """The examples the tuning sets give for the content's targets (whatever examples.npz holds now:
    a broken one is what this replaces)."""
    if encode is None:
        from bot.core.embedding import shared_embedder

        encode = shared_embedder().encode
    with tempfile.TemporaryDirectory() as directory:
        for path in content.glob("*.yaml"):
            shutil.copy(path, directory)
        library = load_library(directory)
    return examples_of(load_all(TUNING), {t.id for t in library.targets}, encode, library.parameters.grams_ridge)


def same(a: Examples | None, b: Examples | None) -> bool:
    """Equal up to the float32 the file keeps."""
    if a is None or b is None:
        return a is b
    return (
        a.labels == b.labels
        and np.array_equal(a.counts, b.counts)
        and np.allclose(a.gram, b.gram, rtol=1e-4, atol=1e-3)
        and np.allclose(a.sums, b.sums, rtol=1e-4, atol=1e-3)
        and np.allclose(a.total, b.total, rtol=1e-4, atol=1e-3)
        and (a.idf is None) == (b.idf is None)
        and (a.idf is None or np.allclose(a.idf, b.idf, rtol=1e-5))
        and (a.grams is None or b.grams is None or np.allclose(a.grams, b.grams, atol=1e-3))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    path = args.content / examples_file.FILE
    examples = build(args.content)
    if examples is None:
        sys.exit(f"error: the tuning sets hold no question about {args.content}'s targets: no {path.name} to write")
    summary = f"{len(examples.labels)} classes, {int(examples.counts.sum())} labels"
    if args.check:
        try:
            ok = path.exists() and same(examples_file.load(path), examples)
        except examples_file.ExamplesError:
            ok = False
        print(f"{path}: {'matches' if ok else 'differs from'} the tuning sets ({summary})")
        sys.exit(0 if ok else 1)
    examples_file.save(path, examples)
    print(f"written: {path} ({summary})")


if __name__ == "__main__":
    main()
