"""The questions' character n-grams, and a linear probe over them: a second view beside the embedding.

The embedding reads meaning but blurs the words that tell two targets apart ("which newspaper
reported the forecast" is near the outlet in meaning); the n-grams of readers' own questions keep
them, and they survive typos ("wich paper") and read Chinese by its character pairs. Leaving each
writer out, a ridge probe over these n-grams and the embedding's probe together rank the right target
first for 0.985 of that writer's questions, against 0.958 for the embedding's probe alone.

A question's n-grams are the 2- to 4-character pieces of each of its words, padded with a space at
either end (``" wich "``: `` w``, ``wi``, … ``ch ``), hashed into ``DIMENSIONS`` buckets; each count is
weighted 1 + log(count) times its bucket's idf, and the row scaled to unit length. The probe's weights
are fitted offline on the question sets (``benchmarks/examples.py``, by conjugate gradients) and kept in
``examples.npz``; without that file they are fitted at start-up on the content's phrasings alone.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections import Counter
from collections.abc import Sequence

import numpy as np

from bot.core.chinese import simplified

DIMENSIONS = 1 << 14
ORDERS = (2, 3, 4)
_WORD = re.compile(r"[^\W_]+")


def grams(text: str) -> Counter[int]:
    """The hashed n-grams of ``text`` (lower case, Chinese as simplified), with their counts."""
    counts: Counter[int] = Counter()
    for word in _WORD.findall(simplified(text).casefold()):
        counts.update(_word_grams(word))
    return counts


@functools.lru_cache(maxsize=1 << 15)
def _word_grams(word: str) -> tuple[int, ...]:
    """One word's buckets (a reader's words come back often: hashing them once is most of the cost)."""
    padded = f" {word} "
    return tuple(
        zlib.crc32(padded[start : start + n].encode()) & (DIMENSIONS - 1)
        for n in ORDERS
        for start in range(len(padded) - n + 1)
    )


def row(text: str, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``text`` as its nonzero buckets and their weights (unit length; empty: no word at all)."""
    counts = grams(text)
    if not counts:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
    buckets = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
    values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * idf[buckets]
    norm = float(np.linalg.norm(values))
    return buckets, (values / norm if norm > 0 else values).astype(np.float32)


def idf_of(texts: Sequence[str]) -> np.ndarray:
    """Smoothed inverse document frequency per bucket: log((1 + n) / (1 + df)) + 1."""
    df = np.zeros(DIMENSIONS, dtype=np.float64)
    for text in texts:
        df[list(grams(text))] += 1
    idf: np.ndarray = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
    return idf


def targets_of(labels: Sequence[Sequence[int]], classes: int) -> np.ndarray:
    """±1 per class: +1 for each of an example's own classes, −1 for every other (as the embedding's probe)."""
    targets = -np.ones((len(labels), classes), dtype=np.float64)
    for i, own in enumerate(labels):
        targets[i, list(own)] = 1.0
    return targets


def fit_small(
    texts: Sequence[str], labels: Sequence[Sequence[int]], classes: int, ridge: float
) -> tuple[np.ndarray, np.ndarray]:
    """The idf and the probe's weights (buckets × classes) from a few hundred texts, in closed form:
    ridge regression in its dual, W = Xᵀ (X Xᵀ + λI)⁻¹ T, over the buckets the texts use. For the content's
    phrasings alone (no examples file); thousands of texts are fitted offline instead."""
    idf = idf_of(texts)
    weights = np.zeros((DIMENSIONS, classes), dtype=np.float32)
    rows = [row(text, idf) for text in texts]
    used = np.unique(np.concatenate([buckets for buckets, _ in rows])) if rows else np.zeros(0, dtype=np.intp)
    if not len(used):
        return idf, weights
    column = np.full(DIMENSIONS, -1, dtype=np.intp)
    column[used] = np.arange(len(used))
    x = np.zeros((len(rows), len(used)), dtype=np.float64)
    for i, (buckets, values) in enumerate(rows):
        x[i, column[buckets]] = values
    dual = np.linalg.solve(x @ x.T + ridge * np.eye(len(rows)), targets_of(labels, classes))
    weights[used] = (x.T @ dual).astype(np.float32)
    return idf, weights


class GramProbe:
    """The n-gram probe over a content's targets (columns: the targets, then "not answered")."""

    def __init__(self, idf: np.ndarray, weights: np.ndarray, offset: np.ndarray | None = None) -> None:
        self.idf, self.weights = idf, weights
        self.offset = np.zeros(weights.shape[1], dtype=np.float32) if offset is None else offset

    def scores(self, text: str) -> np.ndarray:
        """The probe's score per target, then for "not answered" (the offsets alone for a text with no word)."""
        buckets, values = row(text, self.idf)
        if not len(buckets):
            return self.offset.copy()
        out: np.ndarray = values @ self.weights[buckets] + self.offset
        return out
