"""Readers' questions the probe learns from, beside the content's own phrasings (``examples.npz``).

The question sets in ``benchmarks/sets/`` were written by people who saw only the article; their
questions, labelled with the target that answers them (or none), teach the probe far more ways of
asking than fifteen phrasings a target: leaving each writer out in turn, the probe alone ranks the
right target first for 0.966 of that writer's questions, against 0.900 from the phrasings alone.

The probe is ridge regression (``bot/core/semantic.py``), so what it needs of the examples is their
sufficient statistics: the Gram matrix of their vectors and each class's sum. That is what the file
holds (about 1 MB, whatever the number of questions), so the bot starts without embedding thousands of
questions. Beside them it keeps the n-gram probe fitted on the same questions (``bot/core/grams.py``):
each n-gram bucket's idf and the probe's weights per class (about 1.7 MB), fitted offline since no
closed form is cheap at that size. ``benchmarks/examples.py`` writes it from the sets; a test checks it
matches them.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple, cast

import numpy as np

from bot.core.grams import DIMENSIONS

FILE = "examples.npz"
UNANSWERED = ""  # the class of questions the article does not answer


class Examples(NamedTuple):
    labels: tuple[str, ...]  # each class: a target id, or UNANSWERED
    gram: np.ndarray  # dimensions × dimensions: the sum of x xᵀ over every example
    sums: np.ndarray  # classes × dimensions: the sum of the vectors of each class's examples
    counts: np.ndarray  # classes: how many examples each has
    total: np.ndarray  # dimensions: the sum of every example's vector (once, however many classes it has)
    # The n-gram probe fitted on the same questions: each bucket's idf, and its weights (buckets × classes).
    idf: np.ndarray | None = None
    grams: np.ndarray | None = None

    @classmethod
    def of(
        cls,
        vectors: np.ndarray,
        labels: Sequence[Sequence[str]],
        grams: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> Examples:
        """``labels``: each example's classes; a question two targets answer counts for both. ``grams``:
        the n-gram probe's idf and weights, their columns in the order of ``classes_of(labels)``."""
        classes = classes_of(labels)
        position = {label: i for i, label in enumerate(classes)}
        members = np.zeros((len(labels), len(classes)), dtype=np.float64)
        for row, own in enumerate(labels):
            members[row, [position[label] for label in own]] = 1.0
        vectors = vectors.astype(np.float64)
        idf, weights = grams if grams is not None else (None, None)
        return cls(
            classes, vectors.T @ vectors, members.T @ vectors, members.sum(axis=0), vectors.sum(axis=0), idf, weights
        )

    def regression(self, ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Their share of the probe's normal equations, for classes ``ids`` then UNANSWERED: the Gram
        matrix, and Xᵀ T with T = +1 for an example's own classes, −1 for every other. A class no
        example has gets a column of zeros: the examples say nothing about it (not that none is it)."""
        position = {label: i for i, label in enumerate(self.labels)}
        columns = [
            2 * self.sums[position[c]] - self.total if c in position else np.zeros_like(self.total)
            for c in (*ids, UNANSWERED)
        ]
        return self.gram, np.stack(columns, axis=1)

    def gram_weights(self, ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """The n-gram probe's weights for classes ``ids`` then UNANSWERED, and an offset per class: 0, or
        −1 for a class no example has. Its weights are zeros, and a score of 0 would stand out among the
        others' −1 of "not this one" on every question: −1 is what the examples say of it, nothing."""
        if self.grams is None:
            return None
        position = {label: i for i, label in enumerate(self.labels)}
        zeros = np.zeros(self.grams.shape[0], dtype=np.float32)
        classes = (*ids, UNANSWERED)
        weights = np.stack([self.grams[:, position[c]] if c in position else zeros for c in classes], axis=1)
        return weights, np.asarray([0.0 if c in position else -1.0 for c in classes], dtype=np.float32)

    def unknown(self, ids: Sequence[str]) -> list[str]:
        """The targets the examples are about that the content no longer has."""
        return [label for label in self.labels if label != UNANSWERED and label not in set(ids)]

    def uncovered(self, ids: Sequence[str]) -> list[str]:
        """The content's targets no example is about: the probe learns them from their phrasings alone."""
        return [target for target in ids if target not in set(self.labels)]


def classes_of(labels: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The classes of examples labelled ``labels``, in the order the file keeps them."""
    return tuple(sorted({label for own in labels for label in own}))


class ExamplesError(ValueError):
    pass


def save(path: Path, examples: Examples) -> None:
    """Write ``examples`` as float32, uncompressed (vectors do not compress, and it loads faster), in
    one step (a temporary file renamed over it). A file that already holds the same numbers is left
    alone: a zip records when it was written, and a refit that changes nothing should change no byte."""
    arrays = {
        "labels": np.asarray(examples.labels, dtype=str),
        "gram": examples.gram.astype(np.float32),
        "sums": examples.sums.astype(np.float32),
        "counts": examples.counts.astype(np.int64),
        "total": examples.total.astype(np.float32),
    }
    if examples.idf is not None and examples.grams is not None:
        arrays["idf"] = examples.idf.astype(np.float32)
        arrays["grams"] = examples.grams.astype(np.float32)
    try:
        with np.load(path, allow_pickle=False) as old:
            if set(old.files) == set(arrays) and all(np.array_equal(old[key], v) for key, v in arrays.items()):
                return
    except Exception:  # no file, or one about to be replaced: either way, write it
        pass
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as handle:
        np.savez(handle, **cast("dict[str, Any]", arrays))
    os.replace(handle.name, path)


def load(path: Path) -> Examples:
    """The examples in ``path``; ExamplesError saying what is wrong with it."""
    if not zipfile.is_zipfile(path):
        raise ExamplesError("not a readable examples file (not an .npz archive)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ExamplesError("not a readable examples file (not an .npz archive)")
            labels_array = archive["labels"]
            gram, sums, counts, total = (archive[key] for key in ("gram", "sums", "counts", "total"))
            idf = archive["idf"] if "idf" in archive.files else None
            grams = archive["grams"] if "grams" in archive.files else None
    except ExamplesError:
        raise
    except Exception as exc:  # numpy and zipfile raise many kinds for a damaged file
        raise ExamplesError(f"not a readable examples file ({type(exc).__name__}: {exc})") from exc
    if labels_array.ndim != 1 or labels_array.dtype.kind != "U":
        raise ExamplesError("its labels are not a list of target ids")
    labels = tuple(str(label) for label in labels_array)
    if len(set(labels)) != len(labels):
        raise ExamplesError("a target id appears twice among its labels")
    if not all(a.dtype.kind == "f" for a in (gram, sums, total)) or counts.dtype.kind not in "iu":
        raise ExamplesError("its arrays are not numbers of the expected kinds")
    dimensions = gram.shape[0] if gram.ndim == 2 else -1
    shapes = (gram.shape, sums.shape, counts.shape, total.shape)
    if shapes != ((dimensions, dimensions), (len(labels), dimensions), (len(labels),), (dimensions,)):
        raise ExamplesError(f"its arrays do not fit together (gram {gram.shape}, sums {sums.shape})")
    if not (np.isfinite(gram).all() and np.isfinite(sums).all() and np.isfinite(total).all()):
        raise ExamplesError("it holds numbers that are not finite")
    if (idf is None) != (grams is None):
        raise ExamplesError("it holds half of the n-gram probe (idf and grams go together)")
    if idf is not None and grams is not None:
        if idf.dtype.kind != "f" or grams.dtype.kind != "f" or idf.ndim != 1 or grams.shape != (len(idf), len(labels)):
            raise ExamplesError(f"its n-gram probe does not fit together (idf {idf.shape}, grams {grams.shape})")
        if len(idf) != DIMENSIONS:
            raise ExamplesError(f"its n-gram probe has {len(idf)} buckets, not {DIMENSIONS}")
        if not (np.isfinite(idf).all() and np.isfinite(grams).all()):
            raise ExamplesError("it holds numbers that are not finite")
    return Examples(labels, gram, sums, counts, total, idf, grams)  # float32, as kept
