"""The core's face: a question (and what was asked just before) in, an Answer out. No Telegram here.

How it decides, in order:
1. small talk ("thanks!") is recognised whole, and a greeting in front of a question is dropped;
2. every target gets a probability of being the answer, from the lexical and the semantic view of the
   question (bot.decide, with parameters fitted by benchmarks/tune.py);
3. a question with several parts ("how much … and how many …?") gets every part that is answered;
4. a follow-up ("and in US dollars?", "who reported it?") is read together with the previous answer;
5. the most probable target is the answer when the decision is confident enough (``answer_at``);
   less confident, a question on the article's ground (``relevant_at``, and at least ``caveat_at``
   confident) gets a reply that says plainly the article may not answer exactly that, and the nearest
   it says; anything else is declined, with the nearest questions to tap.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

import numpy as np

from bot.core.chinese import HAN
from bot.core.content import Entry, Library, Passage, SmallTalk, Target
from bot.core.decide import (
    FEATURES,
    add_embedded,
    answer_holds,
    asks_for,
    foreign_script,
    lacks,
    lexical_features,
    other_year,
)
from bot.core.grams import GramProbe, fit_small
from bot.core.matcher import Matcher
from bot.core.parameters import FOLLOW_UP_FEATURES, Parameters
from bot.core.semantic import SemanticIndex, asked_texts

# Its limits and constants (the longest question read, "Did you mean" buttons, parts, follow-ups, the
# Chinese frame) are the content's parameters (``matching:`` in parameters.yaml, bot/core/parameters.py).
_OPENING = re.compile(r"^(.{1,40}?)[,!.;:]+\s+(\S.*)$", re.DOTALL)
# A question mark with more after it ends one question of several ("作者是谁？什么时候发表的？").
_JOINERS = re.compile(r"\band\b|&|[,;]|\balso\b|\bplus\b|以及|还有|還有|和|及|，|；|[?？](?=\s*\w)", re.IGNORECASE)
# A message leans on the one before it by a pronoun ("who reported it?") or by leaving things out
# ("and in US dollars?", "when?").
_PRONOUN = re.compile(
    r"\b(it|its|it's|that|this|those|these|they|them|their|she|her|he|his|him)\b|它|她|他|这|這|那",
    re.IGNORECASE,
)
# "This article" points at the article, not at the answer before: "这篇文章是谁写的？" is not a follow-up.
_THE_ARTICLE = re.compile(r"\b(this|that) (article|piece|story|text)\b|[这這]篇(文章|报道|報道)?|本文", re.IGNORECASE)
_ELLIPSIS = re.compile(r"^\s*(and|but|so|what about|how about|also|same)\b|呢\W*$", re.IGNORECASE)
# Continuing a sentence nobody began ("and in US dollars?" as a chat's first message): what it adds to
# is unknown, so the nearest answer comes with the caveat, not as the answer.
# With a question word of its own ("and who wrote it?") it is a question, and is answered as one.
_CONTINUES = re.compile(r"^\s*(and|but|also)\b(?!.*\b(who|whom|what|when|where|which|why|how)\b)", re.IGNORECASE)
# Asking for the same thing again: where it says so, more of it.
_AGAIN = re.compile(
    r"^\W*(source|sources|quote|passage|proof|citation|link|where does it say( that| so)?|says who|"
    r"(tell|show) me more|more|more please|details?|go on|explain|elaborate|why|how so|really|出处|來源|来源|详细|詳細|"
    r"为什么|為什麼)\W*$",
    re.IGNORECASE,
)


# Questions whose lexical features are kept: enough for those embedded ahead in one turn of the event
# loop to be read once, each answer taking its own (a limit, not tuned).
_LEXICAL_KEPT = 128
# The question before, for another year ("and in 2025?", "那2025年呢？"): read alone, a year is the article's date.
_ANOTHER_YEAR = re.compile(
    r"^\W*(?:(?:and|but|so)\s+)?(?:(?:what|how)\s+about\s+)?(?:(?:in|for|of)\s+)?(?:the\s+year\s+)?(?:19|20)\d\d\W*$"
    r"|^\W*那么?\s*(?:19|20)\d\d\s*年?\s*的?\s*呢?\W*$",
    re.IGNORECASE,
)
# The end of a sentence: not the full stop of "U.S." or "Dr." ("Does the U.S. have …" is one sentence).
_SENTENCE_END = re.compile(
    r"(?<=[!?:;])\s+|(?<=\.)(?<!\b[A-Za-z]\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bvs\.)(?<!\bNo\.)"
    r"(?<!\bMrs\.)\s+|(?<=[。！？：；])"
)
# A sentence that asks: it ends in a question mark or starts with a question word.
_ASKING = re.compile(
    r"[?？]\W*$|^\W*(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|did|can|could|will|"
    r"would|should|has|have|tell|give|list|show|explain)\b",
    re.IGNORECASE,
)
# What the whole message names that a sentence read alone would lose ("Is Argentina one of them?").
_WARNINGS = tuple(FEATURES.index(name) for name in ("conflict", "other_year", "stranger", "type_mismatch"))
# What a part leaning on a pronoun asks of the part before's answer when that answer states it: when she
# said it, who reported it.
_ABOUT_IT = frozenset({"time", "person"})
# A part of a question that is only a question word ("… and when?", "… and why?").
_BARE = re.compile(
    r"^\W*(?:and |but |also )?(?:by |since |until )?(?:when|where|why|how|who|whom|what|which)"
    r"(?: (?:much|many|long|big|large|exactly))?\W*$"
    r"|^\W*(什么时候|何时|何時|什麼時候|为什么|為什麼|谁|誰|哪里|哪裡)\W*$",
    re.IGNORECASE,
)
# Asking for a reason, and nothing else: after an answer it asks for that answer's reason (``_AGAIN``).
_REASON = re.compile(r"^\W*(?:(?:and|but|so)\s+)?(why|how so|how come|为什么|為什麼)\W*$", re.IGNORECASE)


def _length(question: str) -> float:
    """How many words a question has, a Chinese one counted at two characters a word (not one word
    for the lot, which made every Chinese question after an answer read as a follow-up)."""
    han = len(HAN.findall(question))  # Chinese is written without spaces: about two characters make a word
    words = [w for w in HAN.sub(" ", question).split() if any(c.isalnum() for c in w)]  # not "？" alone
    return len(words) + han / 2


def _split_opening(question: str) -> tuple[str, str]:
    """A short first clause and the rest ("Hi, who wrote it?"); the rest is empty if there is none."""
    match = _OPENING.match(question)
    return (match.group(1), match.group(2)) if match else (question, "")


def _pieces(question: str, most: int) -> list[str]:
    """The parts of a question joined by "and", commas or the like; none unless two to ``most``."""
    pieces = [p for p in _JOINERS.split(question) if len(p.strip()) > 3][: most + 1]
    return pieces if 2 <= len(pieces) <= most else []


def _with_before(before: str, piece: str) -> str:
    return f"{before.strip()} {piece.strip()}"


def _asks_again(question: str) -> bool:
    """The previous answer again ("source?", "why?"), or its question for another year ("and in 2025?")."""
    return bool(_AGAIN.match(question) or _ANOTHER_YEAR.match(question))


def _sentences(question: str) -> list[str]:
    """The sentences of a message of several that ask something, each of three words or more; none for a
    single sentence.
    (Clauses of one long sentence, split at commas, were tried too: more near misses answered, no hit more.)"""
    found = [p.strip() for p in _SENTENCE_END.split(question) if p.strip()]
    return [p for p in found if _length(p) >= 3 and _ASKING.search(p)] if len(found) >= 2 else []


class Kind(Enum):
    ANSWER = "answer"
    CAVEAT = "caveat"  # perhaps not exactly what was asked: the nearest the article says
    SMALL_TALK = "small_talk"
    NO_ANSWER = "no_answer"
    EMPTY = "empty"


@dataclass(frozen=True)
class Answer:
    kind: Kind
    question: str
    target: Target | None = None
    score: float = 0.0  # confidence 0..100: how likely the decision holds the target to be right
    alternatives: tuple[Target, ...] = ()
    passages: tuple[Passage, ...] = ()
    small_talk: SmallTalk | None = None
    more: tuple[Target, ...] = ()  # the other parts of a question with several, answered too
    language: str = "en"  # the reader's: "zh" frames the article's English in Chinese


class Ranked(NamedTuple):
    target: Target
    probability: float
    conflict: bool


class Leaning(NamedTuple):
    leans: bool  # on the message before, by a pronoun, by leaving things out or by being short
    pronoun: bool
    short: bool  # three words or fewer ("source?", "why?")


class Assessment(NamedTuple):
    """Every target with its probability, best first, and how likely the best one is right."""

    ranked: list[Ranked]
    confidence: float  # that the best target is right
    relevance: float  # that the question is about what the article covers, answered or not
    rows: np.ndarray | None = None  # the decision's features (library order), as ``Answerer.features``

    @property
    def best(self) -> Ranked | None:
        return self.ranked[0] if self.ranked else None


def _gram_probe(library: Library) -> GramProbe:
    """The n-gram probe: as fitted on readers' questions (examples.npz), or now on the content's phrasings."""
    ids = [t.id for t in library.targets]
    examples = library.examples
    fitted = examples.gram_weights(ids) if examples is not None else None
    if examples is not None and examples.idf is not None and fitted is not None:
        return GramProbe(examples.idf, *fitted)
    asked = [(text, owner) for owner, target in enumerate(library.targets) for text in asked_texts(target)]
    asked += [(text, len(ids)) for text in library.unanswered]
    labels = [(owner,) for _, owner in asked]
    return GramProbe(*fit_small([text for text, _ in asked], labels, len(ids) + 1, library.parameters.grams_ridge))


class Answerer:
    def __init__(
        self,
        library: Library,
        answer_at: float | None = None,
        encode: Callable[[Sequence[str]], np.ndarray] | None = None,
    ) -> None:
        self.library = library
        self.parameters = library.parameters
        self.override = answer_at  # the owner's ARTICLE_BOT_ANSWER_AT, kept across reloads
        self.answer_at = self.parameters.answer_at if answer_at is None else answer_at
        self.matcher = Matcher(library)
        if encode is None:
            from bot.core.embedding import shared_embedder

            embedder = shared_embedder()
            self.semantic = SemanticIndex(library, embedder.encode, embedder.encode_cached, self.parameters.probe_ridge)
        else:
            self.semantic = SemanticIndex(library, encode, ridge=self.parameters.probe_ridge)
        self.grams = _gram_probe(library)
        self._index_of = {t.id: i for i, t in enumerate(library.targets)}
        # What each target's answer states (a quantity, a time, a person), against what a question asks.
        self._passages = {t.id: tuple(library.passages_of(t)) for t in library.targets}
        term, subject = self.matcher.normaliser.term, self.matcher.subject
        self._holds = [
            answer_holds(t.answer, " ".join(p.text for p in self._passages[t.id]), term, subject)
            for t in library.targets
        ]
        # Inline queries arrive as the reader types, and parts are asked with their whole: recent
        # embeddings are kept (oldest dropped first).
        self._recent: dict[str, np.ndarray] = {}
        self._mended: dict[str, str] = {}
        self._lexical: dict[str, np.ndarray] = {}
        self._quick_read: dict[str, tuple[Parameters, float, Assessment | None]] = {}

    # --- what the decision sees -----------------------------------------------------------

    def features(self, question: str, skip: str | None = None) -> np.ndarray:
        """The decision's features for every target (``skip``: leave one phrasing out, for tuning)."""
        rows = self._lexical_rows(question).copy()
        add_embedded(rows, self.semantic.nearness(self._vectors([question])[0], skip))
        return rows

    def _lexical_rows(self, question: str) -> np.ndarray:
        """The features without the embedding's, kept a while: the quick stage reads them first (also when
        a question is embedded ahead), and the whole decision adds the embedding's to them."""
        rows = self._lexical.get(question)
        if rows is None:
            matcher = self.matcher
            rows = lexical_features(
                matcher.rank(question, len(self.library.targets)),
                len(self.library.targets),
                self._index_of,
                question,
                self._holds,
                matcher.terms(question),
                matcher.stranger(question),
                self.grams.scores(question),
            )
            rows.flags.writeable = False  # shared by whoever asks again: ``features`` copies it
            self._lexical[question] = rows
            while len(self._lexical) > _LEXICAL_KEPT:
                self._lexical.pop(next(iter(self._lexical)))
        return rows

    def quick(self, question: str) -> Assessment | None:
        """A standalone question of one sentence and one part as the quick stage reads it, where it is sure
        enough (``quick_at``) to answer without the embedding; None where the whole decision must read it."""
        parameters = self.parameters
        kept = self._quick_read.get(question)
        if kept is not None and kept[0] is parameters and kept[1] == self.answer_at:
            return kept[2]  # read when it was embedded ahead, and by the same decision
        read = None
        if not (_pieces(question, parameters.max_parts) or _sentences(question)):
            rows = self._lexical_rows(question)
            quick = parameters.quick(rows)
            # An owner's stricter ARTICLE_BOT_ANSWER_AT holds here too.
            if quick is not None and quick[1] >= max(parameters.quick_at, self.answer_at):
                probabilities, confidence = quick
                conflict = rows[:, FEATURES.index("conflict")] > 0
                targets = self.library.targets
                order = np.argsort(-probabilities, kind="stable")
                ranked = [Ranked(targets[i], float(probabilities[i]), bool(conflict[i])) for i in order]
                read = Assessment(ranked, confidence, 1.0, rows)
        self._quick_read[question] = (parameters, self.answer_at, read)
        while len(self._quick_read) > _LEXICAL_KEPT:
            self._quick_read.pop(next(iter(self._quick_read)))
        return read

    def _vectors(self, questions: list[str]) -> list[np.ndarray]:
        """The questions' embeddings, typos mended; those not seen lately are embedded in one batch
        (a question and its parts together cost little more than the question alone)."""
        texts = [self._mend(q) for q in questions]
        self.embed(texts)
        return [self._recent[t] for t in texts]

    def unembedded(self, question: str, parts: bool = True, alone: bool = False) -> list[str]:
        """What answering ``question`` (``parts``: with its parts; ``matches`` asks without) would embed
        that is not embedded yet, typos mended: for embedding many questions' texts in one batch first.
        ``alone``: asked with no answer before it, so the quick stage may answer it without embedding."""
        question = question.strip()[: self.parameters.max_question_chars]
        if not question or (alone and parts and self.quick(question) is not None):
            return []
        pieces = _pieces(question, self.parameters.max_parts) if parts else []
        texts = [self._mend(q) for q in (question, *pieces, *self._read_with_before(pieces))]
        return [t for t in dict.fromkeys(texts) if t not in self._recent]

    def _mend(self, text: str) -> str:
        """The matcher's typo repair, remembered: a question embedded ahead is mended again when answered."""
        mended = self._mended.get(text)
        if mended is None:
            mended = self._mended[text] = self.matcher.mend(text)
            while len(self._mended) > self.parameters.recent_vectors:
                self._mended.pop(next(iter(self._mended)))
        return mended

    def embed(self, texts: Sequence[str]) -> None:
        """Embed in one batch the (mended) texts not embedded lately, for the answers that will use them."""
        wanted = list(dict.fromkeys(texts))
        missing = [t for t in wanted if t not in self._recent]
        for text in wanted:  # used again: the newest, so that what is dropped below is not what is asked now
            if text in self._recent:
                self._recent[text] = self._recent.pop(text)
        if missing:
            for text, vector in zip(missing, self.semantic.vectors(missing), strict=True):
                self._recent[text] = vector
        while len(self._recent) > max(self.parameters.recent_vectors, len(wanted)):
            self._recent.pop(next(iter(self._recent)))

    def assess(self, question: str) -> Assessment:
        rows = self.features(question)
        probabilities = self.parameters.probabilities(rows)
        conflict = rows[:, FEATURES.index("conflict")] > 0
        order = np.argsort(-probabilities, kind="stable")
        targets = self.library.targets
        best = int(order[0])
        confidence = self.parameters.confidence(rows, probabilities, best)
        relevance = self.parameters.relevance(rows, probabilities, best)
        ranked = [Ranked(targets[i], float(probabilities[i]), bool(conflict[i])) for i in order]
        return Assessment(ranked, confidence, relevance, rows)

    # --- answering ------------------------------------------------------------------------

    def answer(self, question: str, previous: Target | None = None) -> Answer:
        """The reply to a question; ``previous`` is what this reader was answered just before, if recent."""
        question = question.strip()[: self.parameters.max_question_chars]
        if not question:
            return Answer(Kind.EMPTY, question)
        intent = self.matcher.small_talk(question, exact=previous is not None)
        if intent is not None:
            return Answer(Kind.SMALL_TALK, question, small_talk=intent)
        opening, rest = _split_opening(question)
        if rest and self.matcher.small_talk(opening) is not None:
            question = rest  # "Good morning! Who wrote it?": the greeting is not part of the question
        language = "zh" if foreign_script(question) >= self.parameters.chinese_share else "en"
        if not any(c.isalnum() for c in question):
            return Answer(Kind.NO_ANSWER, question, language=language)  # "?", "!!!", an emoji: nothing to read
        if previous is None and _REASON.match(question):
            return Answer(Kind.NO_ANSWER, question, language=language)  # "why?" of nothing: no answer is its reason
        quick = self.quick(question) if previous is None else None
        if quick is not None:
            return self._confident(question, quick, previous, language)
        assessment = self.alone(question)
        parts = self._parts(question)
        # "author and date?" after an answer asks both, as alone; "what will it contribute to, then?" leans on it.
        if previous is not None and (len(parts) < 2 or self._leaning(question).pronoun):
            followed = self._follow_up(question, previous, assessment)
            if followed is not None:
                kind = (
                    Kind.CAVEAT
                    if self._not_quite(question, followed) or self._elsewhere(question, previous, followed)
                    else Kind.ANSWER
                )
                return self._for(followed, question, assessment, language, kind=kind)
        best = assessment.best
        if len(parts) >= 2:  # answered in the order asked
            return self._for(parts[0], question, assessment, language, more=tuple(parts[1:]))
        if best is not None and assessment.confidence >= self.answer_at:
            return self._confident(question, assessment, previous, language)
        if best is not None and self._caveats(assessment):
            return self._for(best.target, question, assessment, language, kind=Kind.CAVEAT)
        # Not sure enough to answer; if something is close, offer it as a question to tap.
        near = [r.target for r in assessment.ranked[: self.parameters.max_alternatives]]
        return Answer(
            Kind.NO_ANSWER,
            question,
            score=round(100 * assessment.confidence, 2),
            alternatives=tuple(near) if assessment.confidence >= self.parameters.suggest_at else (),
            language=language,
        )

    def _confident(self, question: str, assessment: Assessment, previous: Target | None, language: str) -> Answer:
        """The answer to a question confidently read as its best target's."""
        best = assessment.ranked[0]
        short = _length(question) <= self.parameters.max_follow_up_words
        unknown = previous is None and bool(_CONTINUES.match(question)) and short
        # Another country than the target's: however sure of the target ("Does the U.S. have more than 250
        # million generative AI users?" reads like the figure's own question), only the nearest it says.
        # (Another year is left to the decision: "Is research spending up on 2023?" is the rise's own.)
        caveat = unknown or self.matcher.elsewhere(question, best.target)
        return self._for(best.target, question, assessment, language, kind=Kind.CAVEAT if caveat else Kind.ANSWER)

    def alone(self, question: str) -> Assessment:
        """How a message reads on its own: as a whole, or by its surest asking sentence where the whole
        is not sure ("My teacher wants a citation. Which outlet was this published in?"). A sentence is
        not taken for a target the whole message warns against (another country, another year, a name
        the article never uses, a kind of thing its answer lacks: "The article mentions 160 countries.
        Is Argentina one of them?")."""
        sentences = _sentences(question)
        # The question, its parts and its sentences at once: one batch for the embedding.
        pieces = _pieces(question, self.parameters.max_parts)
        self._vectors([question, *pieces, *self._read_with_before(pieces), *sentences])
        whole = self.assess(question)
        if whole.confidence >= self.answer_at or not sentences:
            return whole
        rows = whole.rows
        best = whole
        for sentence in sentences:
            assessment = self.assess(sentence)
            target = assessment.best
            if target is None or assessment.confidence <= best.confidence:
                continue
            if rows is not None and not rows[self._index_of[target.target.id], list(_WARNINGS)].any():
                best = assessment
        return best

    def _caveats(self, assessment: Assessment) -> bool:
        """Not sure enough to answer, but the question is about what the article covers: the nearest it says."""
        parameters = self.parameters
        return assessment.confidence >= parameters.caveat_at and assessment.relevance >= parameters.relevant_at

    def _follow_up(self, question: str, previous: Target, alone: Assessment) -> Target | None:
        """The target a question means when read after ``previous``; None when it stands on its own."""
        if _asks_again(question) and self._leans(self._leaning(question), alone):
            return previous
        if _BARE.match(question) and self._states(question, previous):
            return previous  # "when?" right after Mao Ning's statement: when she said it, which it states
        rows = self.follow_up_rows(question, previous, alone)
        if rows is None:
            return None
        return self.library.targets[int(np.argmax(rows @ self.parameters.follow_up_weights()))]

    def _elsewhere(self, question: str, previous: Target, followed: Target) -> bool:
        """A bare question word about a fact of the article whose answer does not state it, resolved to the
        article's own byline or date: "when?" after the count of generative AI users gets the article's
        date, which is not that figure's. (After the date, "by whom?" gets the author plainly.)"""
        if not _BARE.match(question) or followed.id == previous.id or not self._lacks(question, previous):
            return False

        def about_the_article(target: Target) -> bool:  # the byline or the date, not a fact in the article
            return isinstance(target, Entry) and bool(target.facts)

        return about_the_article(followed) and not about_the_article(previous)

    def _states(self, question: str, target: Target) -> bool:
        """Whether ``target``'s answer states what the question asks for (a time, a person, a number)."""
        return bool(asks_for(question)) and not self._lacks(question, target)

    def _lacks(self, question: str, target: Target) -> bool:
        """Whether the question asks for a kind of thing ``target``'s answer does not state (``lacks``)."""
        holds = self._holds[self._index_of[target.id]]
        return lacks(asks_for(question), question, self.matcher.terms(question), holds)

    def _not_quite(self, question: str, target: Target) -> bool:
        """Whether a follow-up asks for more than ``target`` says, so its answer gets the caveat: another
        country ("what about in the US?" after China's figure), another year ("and in 2025?"), or who /
        when / how many where the answer holds no such thing ("how many of them are there?")."""
        holds = self._holds[self._index_of[target.id]]
        return self.matcher.elsewhere(question, target) or other_year(question, holds) or self._lacks(question, target)

    def _leaning(self, question: str) -> Leaning:
        """How a message leans on the one before: by a pronoun in a short question ("who reported it?";
        in a long one it usually points inside it), by leaving things out ("and in US dollars?"), or by
        being three words or fewer."""
        length = _length(question)
        short = length <= self.parameters.max_follow_up_words
        pronoun = short and bool(_PRONOUN.search(_THE_ARTICLE.sub(" ", question)))
        return Leaning(pronoun or bool(_ELLIPSIS.search(question)) or length <= 3, pronoun, length <= 3)

    def _leans(self, leaning: Leaning, alone: Assessment) -> bool:
        """Whether a question may be read with the answer before it at all: when it leans on it, or else
        when it is neither sure on its own nor about something else altogether ("what's the weather like?").
        Letting questions sure on their own be read with the answer before too was tried: no follow-up more
        was right on the tuning sets, and a few questions of their own less."""
        return leaning.leans or self.parameters.suggest_at <= alone.confidence < self.answer_at

    def follow_up_rows(self, question: str, previous: Target, alone: Assessment) -> np.ndarray | None:
        """Every target's FOLLOW_UP_FEATURES (library order) for ``question`` read after ``previous``; None
        when it stands on its own, or asks for the previous answer again (``_asks_again``)."""
        leaning = self._leaning(question)
        if not self._leans(leaning, alone) or _asks_again(question):
            return None
        if not leaning.leans and _pieces(question, self.parameters.max_parts):
            return None  # "how much … and how many …?" after an answer: its parts, each read on its own
        pronoun = leaning.pronoun
        together = self.assess(f"{previous.question} {question}")
        if not leaning.leans and together.confidence < self.parameters.followup_at:
            return None
        index = self._index_of
        targets = self.library.targets
        p_alone = np.zeros(len(targets))
        p_together = np.zeros(len(targets))
        sure = np.zeros(len(targets))
        if alone.best is not None:
            sure[index[alone.best.target.id]] = alone.confidence
        for ranked in alone.ranked:
            p_alone[index[ranked.target.id]] = ranked.probability
        for ranked in together.ranked:
            p_together[index[ranked.target.id]] = ranked.probability
        shared = set(previous.passage_ids) | {previous.id}
        related = np.asarray([bool(shared & {*t.passage_ids, t.id}) for t in targets], dtype=float)
        same = np.zeros(len(targets))
        same[index[previous.id]] = 1.0
        asked, terms = asks_for(question), self.matcher.terms(question)
        mismatch = np.asarray([float(lacks(asked, question, terms, held)) for held in self._holds])
        columns = {
            "alone": p_alone,
            "alone_log": np.log(p_alone + 1e-4),
            "alone_sure": sure,
            "together": p_together * (not pronoun),
            "together_pronoun": p_together * pronoun,
            "together_log": np.log(p_together + 1e-4),
            "related": related,
            "same": same,
            "kin": self.semantic.kinship[index[previous.id]],
            "mismatch": mismatch,
            "same_leans": same * leaning.leans,
            "same_holds": same * bool(asked) * (1.0 - mismatch),
            "related_leans": related * leaning.leans,
            "same_pronoun": same * pronoun,
            "same_short": same * leaning.short,
        }
        return np.column_stack([columns[name] for name in FOLLOW_UP_FEATURES])

    def _parts(self, question: str) -> list[Target]:
        """The answer of each part of a question joined by "and", commas or semicolons, in the order
        asked; empty unless at least two parts each find a different answer on their own."""
        pieces = _pieces(question, self.parameters.max_parts)
        found: list[Target] = []
        if not pieces:
            return []
        for before, piece in zip(["", *pieces], pieces, strict=False):
            assessment = self.assess(piece)
            # "… and when?": a part that is only a question word asks about the part before it.
            target = self._follow_up(piece, found[-1], assessment) if found and _BARE.match(piece) else None
            if found and target is None and self._pronoun_part(piece):
                target = self._with_part_before(before, piece, found[-1])
                states = target is None and self._states(piece, found[-1])
                if states and (_ABOUT_IT & asks_for(piece) or not self._sure(assessment)):
                    # "what did Mao Ning say and when did she say it?": her statement says when. (A quantity is
                    # another matter: "… spend on basic research, and how much did that increase?" is the rise.)
                    target = found[-1]
                elif target is None and self._fills_in(piece, assessment, found[-1]):
                    target = assessment.ranked[0].target
            if target is None:
                # Each part must be clearly one target's: "according to the piece, …" is no question of its own.
                best = assessment.best
                if best is None or not self._sure(assessment):
                    return []
                if not self._asks(piece):
                    return []  # "I have to cite this in my homework and …": context, not a question
                target = best.target
            if target not in found:
                found.append(target)
        return found if len(found) >= 2 else []

    def _with_part_before(self, before: str, piece: str, answered: Target) -> Target | None:
        """A part leaning on a pronoun read with the part before it, where that ranks one target above all
        others together and it is another than the part before's: "… basic research and how much did it
        rise?" is the spending's rise, not Goldman's forecast rise. None where no target stands out or the
        joined text reads as the part before's own answer: the part is then read alone ("who is the author
        and where was it published?": the outlet). The decision's confidence is not asked: two questions
        run together are no question anyone asks, and read less sure than either (0.61 for that one): enough
        that a "Did you mean" would be offered (``suggest_at``)."""
        together = self.assess(_with_before(before, piece))
        best = together.best
        if best is None or best.probability < 0.5 or best.target == answered:
            return None
        # Not asked to be sure, yet plausible: "what is DeepSeek and who are its founders?" read as one
        # ranks the team first (0.77) at a confidence of 0.02; the article names no founder.
        return best.target if together.confidence >= self.parameters.suggest_at else None

    def _fills_in(self, piece: str, assessment: Assessment, answered: Target) -> bool:
        """A part asking for a kind of thing the part before's answer lacks, which its own best target states,
        plausible if not sure (``suggest_at``): "who is the author and when did he write it?" asks the date,
        which the byline does not give. Unsure alone, as a part leaning on a pronoun reads ("when did he
        write it?" is 0.5 sure on its own)."""
        best = assessment.best
        if best is None or best.target == answered or assessment.confidence < self.parameters.suggest_at:
            return False
        return self._lacks(piece, answered) and self._states(piece, best.target)

    def _sure(self, assessment: Assessment) -> bool:
        """Clearly one target's: confident enough to answer, and that target more likely than all others."""
        best = assessment.best
        return best is not None and assessment.confidence >= self.answer_at and best.probability >= 0.5

    def _pronoun_part(self, piece: str) -> bool:
        """A part that leans on a pronoun ("how much did it rise?"); bare question words go through
        ``_follow_up`` instead, which reads them against the previous answer's own text."""
        return not _BARE.match(piece) and self._leaning(piece).pronoun

    def _read_with_before(self, pieces: list[str]) -> list[str]:
        """The parts that lean on a pronoun, each read with the part before it (embedded ahead)."""
        return [_with_before(a, b) for a, b in itertools.pairwise(pieces) if self._pronoun_part(b)]

    def _asks(self, piece: str) -> bool:
        """A part that may be a question of its own: it asks ("how many …", "…?"), is a fragment of a
        few words ("the date"), or is not in Latin script (Chinese asks without a question mark)."""
        if sum(c.isalpha() for c in piece) < 2:
            return False  # "%r." or "$" between two "&": nothing to read
        script = foreign_script(piece) >= self.parameters.chinese_share
        return script or bool(_ASKING.search(piece.strip())) or _length(piece) <= 5

    def matches(self, question: str, limit: int) -> list[Target]:
        """Every target confident enough to answer, best first (inline mode lists several)."""
        question = question.strip()[: self.parameters.max_question_chars]
        if not question:
            return []
        assessment = self.assess(question)
        if assessment.confidence < self.answer_at:
            return []
        others = [r.target for r in assessment.ranked[1:] if r.probability >= self.parameters.suggest_at]
        return [assessment.ranked[0].target, *others][:limit]

    def misrouted(self) -> list[tuple[str, str, str]]:
        """Phrasings in the content that would not get their own target's answer, as
        (target id, phrasing, what the reader would get instead): a content editor's to-do list."""
        found = []
        for target in self.library.targets:
            for phrasing in (target.question, *target.phrasings):
                answer = self.answer(phrasing)
                if answer.kind is not Kind.ANSWER or answer.target is None:
                    got = {Kind.NO_ANSWER: "no answer", Kind.CAVEAT: "only the caveat"}.get(answer.kind, "small talk")
                    found.append((target.id, phrasing, got))
                elif answer.target.id != target.id:
                    found.append((target.id, phrasing, f"the answer of {answer.target.id}"))
        return found

    def lookup(self, target_id: str) -> Answer | None:
        """The answer of one entry or figure by id (buttons, deep links); None if unknown."""
        target = self.library.target(target_id)
        if target is None:
            return None
        return Answer(Kind.ANSWER, target.question, target, 100.0, (), self._passages[target.id])

    def _for(
        self,
        target: Target,
        question: str,
        assessment: Assessment,
        language: str,
        kind: Kind = Kind.ANSWER,
        more: tuple[Target, ...] = (),
    ) -> Answer:
        best = assessment.best
        confidence = assessment.confidence if best is not None and best.target == target else 0.0
        shown = {target, *more}
        # Runners-up that are not unlikely, as "Did you mean" buttons.
        alternatives = tuple(
            r.target for r in assessment.ranked if r.target not in shown and r.probability >= self.parameters.offer_at
        )[: self.parameters.max_alternatives]
        passages = tuple(dict.fromkeys(p for t in (target, *more) for p in self._passages[t.id]))
        return Answer(
            kind, question, target, round(100 * confidence, 2), alternatives, passages, more=more, language=language
        )
