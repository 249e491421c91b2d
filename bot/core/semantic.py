"""The semantic view of a question: how near in meaning it is to each target, in any language.

Every target is embedded twice over: by how readers ask for it (its question, label and phrasings)
and by what it says (its answer and passages). A question is embedded once; its cosine with every
row is one matrix product, reduced to the nearest row of each kind per target.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from bot.core.chinese import simplified
from bot.core.content import Library, Target

log = logging.getLogger(__name__)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z\"“])")
Encode = Callable[[Sequence[str]], np.ndarray]


class Nearness(NamedTuple):
    """Per target (in ``Library.targets`` order) the best cosine with how it is asked for, with its
    centre (the mean of those), and with a sentence of what it says; the best cosine with a
    question the article does not answer; and a linear probe's score per target (see ``_probe``)."""

    asked: np.ndarray
    centre: np.ndarray
    says: np.ndarray
    unanswered: float
    probe: np.ndarray
    probe_unanswered: float


def asked_texts(target: Target) -> tuple[str, ...]:
    """How the content words the questions a target answers; a figure also by what it measures."""
    measures = getattr(target, "measures", None)
    return tuple(dict.fromkeys((target.question, *target.phrasings, *((measures,) if measures else ()))))


class SemanticIndex:
    def __init__(
        self, library: Library, encode: Encode, encode_content: Encode | None = None, ridge: float = 0.3
    ) -> None:
        """``encode_content``, if given, embeds the content (it may remember vectors between runs);
        ``ridge`` regularises the probe."""
        self.encode = encode
        texts: list[str] = []
        asked_owner: list[int] = []
        says_owner: list[int] = []
        says: list[str] = []
        for index, target in enumerate(library.targets):
            for text in asked_texts(target):
                texts.append(text)
                asked_owner.append(index)
            for text in filter(None, (target.answer, *(p.text for p in library.passages_of(target)))):
                for sentence in _sentences(text):
                    says.append(sentence)
                    says_owner.append(index)
        unanswered = list(library.unanswered)
        vectors = (encode_content or encode)([*texts, *says, *unanswered])
        self.count = len(library.targets)
        self._asked = vectors[: len(texts)]
        self._says = vectors[len(texts) : len(texts) + len(says)]
        self._unanswered = vectors[len(texts) + len(says) :]
        self._asked_owner = np.asarray(asked_owner, dtype=np.intp)
        self._says_owner = np.asarray(says_owner, dtype=np.intp)
        self._asked_runs = _runs(self._asked_owner)
        self._says_runs = _runs(self._says_owner)
        centres = np.zeros((self.count, vectors.shape[1]), dtype=np.float32)
        np.add.at(centres, self._asked_owner, self._asked)
        self._centres = centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
        # How alike two targets are asked about: a follow-up often asks for a neighbour of the answer before.
        self.kinship: np.ndarray = self._centres @ self._centres.T
        self.asked_text = texts
        # The probe has one class more than there are targets: the questions the article does not answer.
        examples = library.examples
        if examples is not None and examples.gram.shape[0] != vectors.shape[1]:
            log.warning("examples.npz was written with another embedding: the probe learns from the phrasings alone")
            examples = None
        self._probe = _probe(
            np.vstack([self._asked, self._unanswered]),
            np.concatenate([self._asked_owner, np.full(len(self._unanswered), self.count, dtype=np.intp)]),
            self.count + 1,
            ridge,
            examples.regression([t.id for t in library.targets]) if examples is not None else None,
        )

    def vectors(self, questions: list[str]) -> np.ndarray:
        vectors: np.ndarray = self.encode([simplified(q) for q in questions])
        return vectors

    def nearness(self, vector: np.ndarray, skip: str | None = None) -> Nearness:
        """Cosines of a question's vector with every target; ``skip`` leaves out one asked text
        (the question itself, when the tuning script asks the content's own phrasings)."""
        asked = self._asked @ vector
        if skip is not None:
            asked = np.where(np.asarray(self.asked_text) == skip, -1.0, asked)
        return Nearness(
            _best_per_owner(asked, self._asked_owner, self.count, self._asked_runs),
            self._centres @ vector,
            _best_per_owner(self._says @ vector, self._says_owner, self.count, self._says_runs),
            float(np.max(self._unanswered @ vector)) if len(self._unanswered) else 0.0,
            (scores := vector @ self._probe)[: self.count],
            float(scores[self.count]),
        )


def _probe(
    vectors: np.ndarray,
    owner: np.ndarray,
    count: int,
    ridge: float,
    examples: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """A linear classifier over the embedding, fitted at start-up on the content's own phrasings and
    the readers' questions of ``examples`` (their Gram matrix and Xᵀ T, see bot/core/examples.py):
    ridge regression onto ±1 per target, in closed form. With a handful of phrasings a target it
    generalises better than the nearest phrasing alone (4–7 points of top-1 on the tuning sets); with
    the examples, 0.966 of a writer's questions left out of them, against 0.900."""
    targets = np.where(np.arange(count)[None, :] == owner[:, None], 1.0, -1.0).astype(vectors.dtype)
    gram = vectors.T @ vectors + ridge * np.eye(vectors.shape[1], dtype=vectors.dtype)
    right = vectors.T @ targets
    if examples is not None:  # in the vectors' own precision: float32 is plenty, and half the memory
        gram += examples[0].astype(vectors.dtype, copy=False)
        right += examples[1].astype(vectors.dtype, copy=False)
    weights: np.ndarray = np.linalg.solve(gram, right).astype(np.float32)
    return weights


def _sentences(text: str) -> list[str]:
    """A passage's sentences: a question meets one sentence of a long passage better than the whole."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    return parts or [text]


Runs = tuple[np.ndarray, np.ndarray]  # where each owner's run of rows starts, and whose run it is


def _best_per_owner(cosines: np.ndarray, owner: np.ndarray, count: int, runs: Runs | None) -> np.ndarray:
    """The largest cosine of each owner's rows (-1 for one with none): a reduction over each owner's
    run of rows where ``runs`` gives them, which costs less than ``np.maximum.at``."""
    best = np.full(count, -1.0, dtype=np.float32)
    if runs is not None:
        starts, owners = runs
        best[owners] = np.maximum.reduceat(cosines, starts)
    else:
        np.maximum.at(best, owner, cosines)
    return best


def _runs(owner: np.ndarray) -> Runs | None:
    """The runs of rows of each owner, if the rows are in owner order (as they are built, target by
    target; a list entry has no sentence of its own); None otherwise."""
    if len(owner) == 0 or (np.diff(owner) < 0).any():
        return None
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    return starts, owner[starts]
