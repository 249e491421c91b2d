"""Which phrasings the content could do without: ``python -m bot check --covered``.

Each phrasing is put to a bot built from the content without it (five folds, so five builds, not one
per phrasing). One that still gets its own answer, confidently, teaches the bot nothing new: a content
editor may drop it, or replace it with a way of asking that the bot does not yet understand.
``benchmarks/tune.py`` asks the content's phrasings the same way to fit the decision.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from bot.core.answers import Answerer, Kind
from bot.core.content import Entry, Figure, Library

FOLDS = 5


def without_fold(library: Library, fold: int, folds: int = FOLDS) -> tuple[Library, list[tuple[str, str]]]:
    """The content less every ``folds``-th phrasing of each target (from the ``fold``-th on), and the
    phrasings taken out, as (target id, phrasing)."""
    held = [(t.id, p) for t in library.targets for i, p in enumerate(t.phrasings) if i % folds == fold]
    entries = tuple(_without(t, fold, folds) for t in library.entries)
    figures = tuple(_without(t, fold, folds) for t in library.figures)
    return dataclasses.replace(library, entries=entries, figures=figures), held


_Target = TypeVar("_Target", Entry, Figure)


def _without(target: _Target, fold: int, folds: int) -> _Target:
    return dataclasses.replace(target, phrasings=tuple(p for i, p in enumerate(target.phrasings) if i % folds != fold))


def covered_phrasings(library: Library) -> list[tuple[str, str]]:
    """(target id, phrasing) for every phrasing the bot answers right without it."""
    from bot.core.embedding import memoized, shared_embedder

    encode = memoized(shared_embedder().encode)
    covered = []
    for fold in range(FOLDS):
        reduced, held = without_fold(library, fold)
        answerer = Answerer(reduced, encode=encode)
        for target_id, phrasing in held:
            answer = answerer.answer(phrasing)
            if answer.kind is Kind.ANSWER and answer.target is not None and answer.target.id == target_id:
                covered.append((target_id, phrasing))
    return covered
