"""Readers' questions the probe learns from, beside the content's own phrasings (``examples.npz``).

The question sets in ``benchmarks/sets/`` were written by people who saw only the article; their
questions, labelled with the target that answers them (or none), teach the probe far more ways of
asking than fifteen phrasings a target: leaving each writer out in turn, the probe alone ranks the
right target first for 0.966 of that writer's questions, against 0.900 from the phrasings alone.

The probe is ridge regression (``bot/core/semantic.py``), so what it needs of the examples is their
sufficient statistics: the Gram matrix of their vectors and each class's sum. That is what the file
holds (about 1 MB, whatever the number of questions), so the bot starts without embedding thousands of
questions. ``benchmarks/examples.py`` writes it from the sets; a test checks it matches them.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

FILE = "examples.npz"
UNANSWERED = ""  # the class of questions the article does not answer


class Examples(NamedTuple):
    labels: tuple[str, ...]  # each class: a target id, or UNANSWERED
    gram: np.ndarray  # dimensions × dimensions: the sum of x xᵀ over every example
    sums: np.ndarray  # classes × dimensions: the sum of each class's vectors
    counts: np.ndarray  # classes: how many examples each has

    @classmethod
    def of(cls, vectors: np.ndarray, labels: Sequence[str]) -> Examples:
        classes = tuple(sorted(set(labels)))
        owner = np.asarray([classes.index(label) for label in labels], dtype=np.intp)
        sums = np.zeros((len(classes), vectors.shape[1]), dtype=np.float64)
        np.add.at(sums, owner, vectors.astype(np.float64))
        gram = vectors.astype(np.float64).T @ vectors.astype(np.float64)
        return cls(classes, gram, sums, np.bincount(owner, minlength=len(classes)))

    def __add__(self, other: object) -> Examples:
        if not isinstance(other, Examples):
            return NotImplemented
        classes = tuple(sorted(set(self.labels) | set(other.labels)))
        sums = np.zeros((len(classes), self.gram.shape[0]), dtype=np.float64)
        counts = np.zeros(len(classes), dtype=np.int64)
        for part in (self, other):
            rows = [classes.index(label) for label in part.labels]
            sums[rows] += part.sums
            counts[rows] += part.counts
        return Examples(classes, self.gram + other.gram, sums, counts)

    def regression(self, ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Their share of the probe's normal equations, for classes ``ids`` then UNANSWERED: the Gram
        matrix, and Xᵀ T with T = +1 for an example's own class, −1 for every other."""
        total = self.sums.sum(axis=0)
        position = {label: i for i, label in enumerate(self.labels)}
        columns = [2 * self.sums[position[c]] - total if c in position else -total for c in (*ids, UNANSWERED)]
        return self.gram, np.stack(columns, axis=1)

    def unknown(self, ids: Sequence[str]) -> list[str]:
        """The targets the examples are about that the content no longer has."""
        return [label for label in self.labels if label != UNANSWERED and label not in set(ids)]


class ExamplesError(ValueError):
    pass


def save(path: Path, examples: Examples) -> None:
    """Write ``examples`` as float32, uncompressed (vectors do not compress, and it loads faster). A
    file that already holds the same numbers is left alone: a zip records when it was written, and a
    refit that changes nothing should not change the repository."""
    arrays = {
        "labels": np.asarray(examples.labels, dtype=str),
        "gram": examples.gram.astype(np.float32),
        "sums": examples.sums.astype(np.float32),
        "counts": examples.counts.astype(np.int64),
    }
    try:
        with np.load(path, allow_pickle=False) as old:
            if all(key in old and np.array_equal(old[key], value) for key, value in arrays.items()):
                return
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        pass
    np.savez(path, labels=arrays["labels"], gram=arrays["gram"], sums=arrays["sums"], counts=arrays["counts"])


def load(path: Path) -> Examples:
    """The examples in ``path``; ExamplesError saying what is wrong with it."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            labels = tuple(str(label) for label in archive["labels"])
            gram, sums, counts = archive["gram"], archive["sums"], archive["counts"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ExamplesError(f"not a readable examples file ({exc})") from exc
    dimensions = gram.shape[0] if gram.ndim == 2 else -1
    if (
        gram.shape != (dimensions, dimensions)
        or sums.shape != (len(labels), dimensions)
        or counts.shape != (len(labels),)
    ):
        raise ExamplesError(f"its arrays do not fit together (gram {gram.shape}, sums {sums.shape})")
    if not (np.isfinite(gram).all() and np.isfinite(sums).all()):
        raise ExamplesError("it holds numbers that are not finite")
    return Examples(labels, gram, sums, counts)  # float32, as kept
