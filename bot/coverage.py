"""Which phrasings the content could do without: ``python -m bot check --covered``.

Each phrasing is put to a bot built from the content without it (five folds, so five builds, not one
per phrasing). One that still gets its own answer, confidently, teaches the bot nothing new: a content
editor may drop it, or replace it with a way of asking that the bot does not yet understand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from bot.answers import Answerer, Kind
from bot.content import Entry, Figure, Library

FOLDS = 5


def covered_phrasings(library: Library) -> list[tuple[str, str]]:
    """(target id, phrasing) for every phrasing the bot answers right without it."""
    from bot.embedding import shared_embedder

    embedder = shared_embedder()
    vectors: dict[str, np.ndarray] = {}

    def encode(texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in vectors]
        if missing:
            vectors.update(zip(missing, embedder.encode(missing), strict=True))
        return np.stack([vectors[t] for t in texts])

    covered = []
    for fold in range(FOLDS):
        held: list[tuple[str, str]] = []
        entries: list[Entry] = []
        figures: list[Figure] = []
        for target in library.targets:
            held += [(target.id, p) for i, p in enumerate(target.phrasings) if i % FOLDS == fold]
            kept = tuple(p for i, p in enumerate(target.phrasings) if i % FOLDS != fold)
            if isinstance(target, Entry):
                entries.append(dataclasses.replace(target, phrasings=kept))
            else:
                figures.append(dataclasses.replace(target, phrasings=kept))
        answerer = Answerer(dataclasses.replace(library, entries=tuple(entries), figures=tuple(figures)), encode=encode)
        for target_id, phrasing in held:
            answer = answerer.answer(phrasing)
            if answer.kind is Kind.ANSWER and answer.target is not None and answer.target.id == target_id:
                covered.append((target_id, phrasing))
    return covered
