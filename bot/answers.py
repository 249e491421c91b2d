"""The core's face: a question in, an Answer out. No Telegram here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.content import Library, Passage, SmallTalk, Target
from bot.matcher import Candidate, Matcher

# Questions longer than this are cut before matching: the article's own questions are
# short, and a 10,000-character paste must not cost more than a normal question.
MAX_QUESTION_CHARS = 500
MIN_SCORE = 68.0
# Below MIN_SCORE but at least this: no answer, but "Did you mean" the nearest questions.
SUGGEST_SCORE = 40.0
# Runners-up within this many points of the best are offered as "Did you mean".
AMBIGUITY_MARGIN = 12.0
MAX_ALTERNATIVES = 2
# A question at least about as near (in cosine, within this margin) to one the article does not
# answer as to the best target's nearest phrasing gets no answer: a tie means the question is as
# much about what the article leaves out as about what it says.
UNANSWERED_MARGIN = -0.05
_OPENING = re.compile(r"^(.{1,40}?)[,!.;:]+\s+(\S.*)$", re.DOTALL)
_JOINERS = re.compile(r"\band\b|&|[,;]|\balso\b|\bplus\b", re.IGNORECASE)


def _split_opening(question: str) -> tuple[str, str]:
    """A short first clause and the rest ("Hi, who wrote it?"); the rest is empty if there is none."""
    match = _OPENING.match(question)
    return (match.group(1), match.group(2)) if match else (question, "")


class Kind(Enum):
    ANSWER = "answer"
    SMALL_TALK = "small_talk"
    NO_ANSWER = "no_answer"
    EMPTY = "empty"


@dataclass(frozen=True)
class Answer:
    kind: Kind
    question: str
    target: Target | None = None
    score: float = 0.0
    alternatives: tuple[Target, ...] = ()
    passages: tuple[Passage, ...] = ()
    small_talk: SmallTalk | None = None


class Answerer:
    def __init__(self, library: Library, min_score: float = MIN_SCORE, margin: float = AMBIGUITY_MARGIN) -> None:
        self.library = library
        self.matcher = Matcher(library)
        self._passages = {t.id: tuple(library.passages_of(t)) for t in library.targets}
        self.min_score = min_score
        self.margin = margin

    def answer(self, question: str) -> Answer:
        question = question.strip()[:MAX_QUESTION_CHARS]
        if not question:
            return Answer(Kind.EMPTY, question)
        intent = self.matcher.small_talk(question)
        if intent is not None:
            return Answer(Kind.SMALL_TALK, question, small_talk=intent)
        opening, rest = _split_opening(question)
        if rest and self.matcher.small_talk(opening) is not None:
            question = rest  # "Good morning! Who wrote it?": the greeting is not part of the question
        candidates = self.matcher.rank(question, 1 + MAX_ALTERNATIVES, self.min_score)
        # A question the whole of which matches nothing well may be several ("author and date?"):
        # answer the best part, offer the rest.
        parts = self._parts(question) if candidates and candidates[0].score < self.min_score else []
        if parts:
            best = parts[0]
            others = [c.target for c in parts[1:] if c.target != best.target]
            return self._for(best.target, question, best.score, tuple(others[:MAX_ALTERNATIVES]))
        if not candidates or candidates[0].score < self.min_score or self._unanswered(candidates[0]):
            # Not sure enough to answer; if something is close, offer it as a question to tap.
            near = tuple(c.target for c in candidates if c.score >= SUGGEST_SCORE)[:MAX_ALTERNATIVES]
            return Answer(Kind.NO_ANSWER, question, score=candidates[0].score if candidates else 0.0, alternatives=near)
        best = candidates[0]
        # Other parts of the question first ("who is the author and where was it published"), then
        # runners-up nearly as good.
        offered = [c.target for c in self._parts(question)]
        offered += [c.target for c in candidates[1:] if self._close(best, c)]
        alternatives = tuple(dict.fromkeys(t for t in offered if t != best.target))[:MAX_ALTERNATIVES]
        return self._for(best.target, question, best.score, alternatives)

    def _parts(self, question: str) -> list[Candidate]:
        """The best match of each part of a question joined by "and", commas or semicolons,
        best first; empty unless at least two parts each find an answer on their own."""
        pieces = [p for p in _JOINERS.split(question) if p.strip()]
        if len(pieces) < 2:
            return []
        found = [
            c[0]
            for c in (self.matcher.rank(piece, 1, self.min_score) for piece in pieces)
            if c and c[0].score >= self.min_score and not self._unanswered(c[0])
        ]
        return sorted(found, key=lambda c: c.score, reverse=True) if len(found) >= 2 else []

    def matches(self, question: str, limit: int) -> list[Candidate]:
        """Every candidate good enough to answer, best first (inline mode lists several)."""
        ranked = self.matcher.rank(question.strip()[:MAX_QUESTION_CHARS], limit, self.min_score)
        if ranked and self._unanswered(ranked[0]):
            return []
        return [c for c in ranked if c.score >= self.min_score]

    def misrouted(self) -> list[tuple[str, str, str]]:
        """Phrasings in the content that would not get their own target's answer, as
        (target id, phrasing, what the reader would get instead): a content editor's to-do list."""
        found = []
        for target in self.library.targets:
            for phrasing in (target.question, *target.phrasings):
                answer = self.answer(phrasing)
                if answer.kind is not Kind.ANSWER or answer.target is None:
                    found.append((target.id, phrasing, "no answer" if answer.kind is Kind.NO_ANSWER else "small talk"))
                elif answer.target.id != target.id:
                    found.append((target.id, phrasing, f"the answer of {answer.target.id}"))
        return found

    def lookup(self, target_id: str) -> Answer | None:
        """The answer of one entry or figure by id (buttons, deep links); None if unknown."""
        target = self.library.target(target_id)
        if target is None:
            return None
        return self._for(target, target.question, 100.0, ())

    def _unanswered(self, best: Candidate) -> bool:
        """Whether the question is about as near one the article does not answer as the best target."""
        return best.unanswered is not None and best.unanswered >= best.closeness + UNANSWERED_MARGIN

    def _close(self, best: Candidate, other: Candidate) -> bool:
        """A runner-up nearly as good, or one that answers another part of the question."""
        if other.score >= self.min_score and best.score - other.score <= self.margin:
            return True
        return other.score >= self.min_score - self.margin and not other.matched <= best.matched

    def _for(self, target: Target, question: str, score: float, alternatives: tuple[Target, ...]) -> Answer:
        return Answer(Kind.ANSWER, question, target, score, alternatives, self._passages[target.id])
