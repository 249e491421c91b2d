"""Matching a question to the article's entries and figures.

The index is built once from the content. A question is scored against every target
by two views of the same idf-weighted tokens:

* coverage: how much of the question the target's words account for (its phrasings
  fully, its answer and passages partly), so unseen paraphrases still land;
* closeness: cosine similarity with the nearest single phrasing, so a question that
  is close to one phrasing beats one that merely shares a common word.

A word the article never uses weighs more than the rarest known word, and a known word the target
lacks counts against it, so questions about other things score low and get no answer. Near misses
that do share the article's words are caught by their closeness to questions the article does not
answer (``unanswered`` in the content), and by names: another country without China, or someone the
target never mentions. rapidfuzz mends typos against the vocabulary and recognises small talk.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.content import Library, SmallTalk, Target
from bot.normalise import COUNTRIES, STOPWORDS, SYNONYMS, clean, term, words

# How much each part of a target speaks for it.
_PHRASING_WEIGHT = 1.0
_ANSWER_WEIGHT = 0.6
_PASSAGE_WEIGHT = 0.3
# Score = 100 × (_MIX × coverage + (1 − _MIX) × closeness).
_MIX = 0.8
# A known word the target lacks weighs (1 + _CONFLICT) times in the coverage denominator.
_CONFLICT = 1.0
# Unknown words, relative to the rarest known word: numbers not in the article count double,
# verb and adverb forms ("piling", "quickly") half, as they are more often paraphrase than topic.
_UNKNOWN_NUMBER = 2.0
_UNKNOWN_VERB = 0.5
# Score factor when the question names someone or somewhere the target's own words do not.
_ENTITY_PENALTY = 0.8
# Score factor for a target that does not name the other country a question asks about. At 0.6 no
# such target can reach the answer threshold: it still ranks, so it can be offered as "Did you mean".
_ELSEWHERE_PENALTY = 0.6
_COMMON_IDF = 1.6  # log(1 + N/df) below this: the word is in more than about a quarter of targets
_TYPO_CUTOFF = 80.0  # rapidfuzz ratio for a typo repair
_TYPO_EDITS = 2
_SMALL_TALK_CUTOFF = 90.0
_UNANSWERED = -1  # the target index of the questions the article does not answer
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_FILLERS = STOPWORDS | {"mate", "buddy", "guys", "all", "too"}


class Candidate(NamedTuple):
    """One ranked target (a NamedTuple: built several times per question, so cheap to make)."""

    target: Target
    score: float  # 0..100
    coverage: float = 0.0  # share of the question's weight the target accounts for
    closeness: float = 0.0  # cosine with the target's nearest phrasing
    matched: frozenset[str] = frozenset()  # question terms found in the target's own wording
    unanswered: float | None = None  # cosine with the nearest question the article does not answer; None: not looked up
    conflict: bool = False  # the question names a country or someone the target's own words do not
    missing: float = 0.0  # the weightiest question word the target's own words lack, over an unknown word's


class _PhrasingIndex(NamedTuple):
    postings: dict[str, list[int]]  # term → positions of the phrasings that have it
    terms: list[frozenset[str]]
    inverse_norm: list[float]
    owner: list[int]  # target index, or _UNANSWERED


class Matcher:
    def __init__(self, library: Library) -> None:
        self.library = library
        self.targets: tuple[Target, ...] = library.targets
        self._index = {target.id: index for index, target in enumerate(self.targets)}
        bags: list[dict[str, float]] = []
        self.own_terms: list[frozenset[str]] = []
        phrasings: list[tuple[int, frozenset[str]]] = []
        seen: set[tuple[int, frozenset[str]]] = set()
        first_said: dict[frozenset[str], tuple[int, str]] = {}
        # Phrasings of two targets that come to the same words: the matcher cannot tell them apart.
        self.clashes: list[tuple[str, str, str, str]] = []
        raw_words = set(SYNONYMS)
        for index, target in enumerate(self.targets):
            bag: dict[str, float] = {}
            parts = [(p.text, _PASSAGE_WEIGHT) for p in library.passages_of(target)]
            parts.append((target.answer, _ANSWER_WEIGHT))
            parts += [(text, _PHRASING_WEIGHT) for text in _phrasings(target)]
            for text, weight in parts:
                content_words = words(text)
                raw_words.update(content_words)
                part_terms = [term(word) for word in content_words]
                bag.update(dict.fromkeys(part_terms, weight))
                said_as = frozenset(part_terms)
                if weight == _PHRASING_WEIGHT and part_terms and (index, said_as) not in seen:
                    seen.add((index, said_as))  # the same terms twice add nothing
                    phrasings.append((index, said_as))
                    other, said = first_said.setdefault(said_as, (index, text))
                    if other != index:
                        self.clashes.append((self.targets[other].id, said, target.id, text))
            bags.append(bag)
            self.own_terms.append(frozenset(k for k, w in bag.items() if w >= _ANSWER_WEIGHT))

        count = len(self.targets)
        document_frequency: dict[str, int] = defaultdict(int)
        for bag in bags:
            for key in bag:
                document_frequency[key] += 1
        self.idf = {key: math.log(1 + count / df) for key, df in document_frequency.items()}
        self.unknown_idf = math.log(1 + count / 0.5)

        self.idf_squared = {key: value * value for key, value in self.idf.items()}
        # Each posting carries idf × the weight of the part of the target the word is in.
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, bag in enumerate(bags):
            for key, weight in bag.items():
                self.postings[key].append((index, self.idf[key] * weight))
        unanswered_words: set[str] = set()
        # Questions the article does not answer get an index of their own, looked at only when a
        # target is good enough to answer; their words outside the article weigh as unknown words do.
        unanswered: list[tuple[int, frozenset[str]]] = []
        for text in library.unanswered:
            content_words = words(text)
            unanswered_words.update(content_words)
            said_as = frozenset(term(word) for word in content_words)
            if said_as and said_as in first_said:
                index, said = first_said[said_as]
                self.clashes.append((self.targets[index].id, said, "unanswered", text))
            if said_as:
                unanswered.append((_UNANSWERED, said_as))
        self.phrasings = self._phrasing_index(phrasings)
        self.unanswered_index = self._phrasing_index(unanswered)

        # Names in the article: words capitalised inside a sentence. One that most targets
        # mention (DeepSeek, AI) says nothing about which of them is meant.
        names = {
            term(match.group(1).casefold())
            for passage in library.passages.values()
            for match in re.finditer(r"(?<=[a-z,;] )([A-Z][A-Za-z]+)", passage.text)
        }
        mentions = {name: sum(name in own for own in self.own_terms) for name in names}
        self.entities = frozenset(name for name, count in mentions.items() if 0 < count <= 3)
        self.countries = frozenset(term(word) for word in COUNTRIES)
        # The article's subject: the name its passages use most (here China, with "Chinese").
        counts = Counter(
            term(match.group(1).casefold())
            for passage in library.passages.values()
            for match in re.finditer(r"\b([A-Z][A-Za-z]+)", passage.text)
            if term(match.group(1).casefold()) not in STOPWORDS
        )
        self.subject = frozenset(name for name, _ in counts.most_common(1))

        # Typos are mended on whole words, before stemming: "folower" → "follower".
        # Known words are not mended; typos are mended towards the article's words only.
        self.known_words = frozenset(raw_words | unanswered_words | COUNTRIES)
        self.vocabulary_by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(raw_words):
            if len(word) >= 4 and word.isalpha():
                self.vocabulary_by_initial[word[0]].append(word)

        self.small_talk_exact: dict[str, SmallTalk] = {}
        for intent in library.chitchat:
            for phrasing in intent.phrasings:
                self.small_talk_exact[clean(phrasing)] = intent
        self.small_talk_phrasings = list(self.small_talk_exact)
        # Words that belong to one intent only: "thanks", "bye". A message made of nothing
        # else (and fillers) is small talk, even if the article uses the word elsewhere.
        owners: dict[str, set[str]] = defaultdict(set)
        for intent in library.chitchat:
            for phrasing in intent.phrasings:
                for word in clean(phrasing).split():
                    owners[word].add(intent.id)
        by_id = {intent.id: intent for intent in library.chitchat}
        self.small_talk_words = {
            word: by_id[next(iter(ids))] for word, ids in owners.items() if len(ids) == 1 and word not in STOPWORDS
        }
        # "hello!" or "thanks," in front of a question says nothing about it.
        self.greeting_words = frozenset(word for word in self.small_talk_words if word not in raw_words)
        # Beyond this length no typo makes a question small talk: skip the fuzzy look-up.
        self.small_talk_longest = max(map(len, self.small_talk_phrasings), default=0) + 3

    def _phrasing_index(self, phrasings: list[tuple[int, frozenset[str]]]) -> _PhrasingIndex:
        postings: dict[str, list[int]] = defaultdict(list)
        for position, (_, terms) in enumerate(phrasings):
            for key in terms:
                postings[key].append(position)
        weight = self.idf.get
        return _PhrasingIndex(
            dict(postings),
            [terms for _, terms in phrasings],
            [1 / math.sqrt(sum(weight(t, self.unknown_idf) ** 2 for t in terms)) for _, terms in phrasings],
            [index for index, _ in phrasings],
        )

    def _nearest(self, index: _PhrasingIndex, terms: dict[str, str], common: list[str]) -> dict[int, float]:
        """Per owner, the largest dot product of the question with one of its phrasings, over that
        phrasing's norm (the question's norm is the same for all, and left out)."""
        # Phrasings are found through the question's distinctive words; words found almost
        # everywhere ("china") are then added to those, not walked for every phrasing.
        idf, squares, postings = self.idf, self.idf_squared, index.postings
        dot: dict[int, float] = {}
        add = dot.get
        for key, word in terms.items():
            if key in common or key not in postings:
                continue
            weight = squares[key] if key in idf else self.unknown_idf * self.unknown_idf * _unknown_factor(word)
            for position in postings[key]:
                dot[position] = add(position, 0.0) + weight
        best: dict[int, float] = {}
        best_so_far = best.get
        phrasing_terms, inverse_norm, owner = index.terms, index.inverse_norm, index.owner
        for position, value in dot.items():
            if common:
                terms_here = phrasing_terms[position]
                for key in common:
                    if key in terms_here:
                        value += squares[key]
            cosine = value * inverse_norm[position]
            target = owner[position]
            if cosine > best_so_far(target, 0.0):
                best[target] = cosine
        return best

    def _mended(self, word: str) -> str:
        """A question word, or the article's word it is a typo of ("reserch" → "research")."""
        if word not in self.known_words and len(word) >= 4 and word.isalpha():
            match = process.extractOne(
                word, self.vocabulary_by_initial.get(word[0], ()), scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF
            )
            # Two edits at most: "scientists" is not a typo of "scientific", though close by ratio.
            if match and Levenshtein.distance(word, match[0], score_cutoff=_TYPO_EDITS) <= _TYPO_EDITS:
                return str(match[0])
        return word

    def _term(self, word: str) -> str:
        """The index term of a question word, mending a typo if a known word is close."""
        return term(self._mended(word))

    def mend(self, question: str) -> str:
        """The question with its typos mended, as the semantic view should read it."""

        def mended(match: re.Match[str]) -> str:
            word = match.group(0)
            folded = word.casefold()
            if folded in STOPWORDS:
                return word
            fixed = self._mended(folded)
            return word if fixed == folded else fixed

        return _LATIN_WORD.sub(mended, question)

    def rank(self, question: str, limit: int = 5, unanswered_from: float = 0.0) -> list[Candidate]:
        """Targets best first, scored 0..100; empty when no word of the question is known.

        Closeness to the questions the article does not answer is looked up only when the best
        target scores at least ``unanswered_from`` (below that the question gets no answer anyway).
        """
        terms = {self._term(word): word for word in words(question) if word not in self.greeting_words}
        idf = self.idf
        known = [t for t in terms if t in idf]
        if not known:
            return []
        unknown = [self.unknown_idf * _unknown_factor(word) for t, word in terms.items() if t not in idf]
        total = sum(idf[t] for t in known) + sum(unknown)
        norm = math.sqrt(sum(idf[t] ** 2 for t in known) + sum(w * w for w in unknown))

        coverage: dict[int, float] = defaultdict(float)
        for key in known:
            for index, weight in self.postings[key]:
                coverage[index] += weight

        common = [key for key in known if idf[key] < _COMMON_IDF]
        if len(common) == len(known):
            common = []  # only common words: walk them all, there is nothing else to go by
        best = self._nearest(self.phrasings, terms, common)

        # A known word the target lacks is what the question asks about elsewhere in the
        # article: it counts against the target more than a word the article never uses.
        known_mass = total - sum(unknown)
        known_set = frozenset(known)
        # Each question term's weight, for the weightiest one a target lacks: a word the article never
        # uses weighs as an unknown word, whatever its form ("founded" is as foreign as "founder").
        weights = sorted(
            (
                (idf[t] if t in idf else self.unknown_idf * (_UNKNOWN_NUMBER if word[0].isdigit() else 1.0), t)
                for t, word in terms.items()
            ),
            reverse=True,
        )
        # About another country and not China ("how much does Germany spend on research"): only a
        # target whose own words name that country may answer (the WIPO ranking names the US).
        elsewhere = frozenset() if self.subject & known_set else {key for key in terms if key in self.countries}
        # A name the question gives that the target's own words lack: the question is about
        # someone or somewhere else ("how much does the US spend on basic research").
        entities = known_set & self.entities
        scored = []
        for index, mass in coverage.items():
            share = mass / (total + _CONFLICT * (known_mass - mass))
            closeness = best.get(index, 0.0) / norm
            score = 100 * (_MIX * share + (1 - _MIX) * closeness)
            own = self.own_terms[index]
            conflict = False
            if elsewhere - own:
                score *= _ELSEWHERE_PENALTY
                conflict = True
            if entities - own:
                score *= _ENTITY_PENALTY
                conflict = True
            missing = next((w for w, t in weights if t not in own), 0.0) / self.unknown_idf
            scored.append((score, index, share, closeness, conflict, missing))
        scored.sort(reverse=True)
        unanswered = None
        if scored and round(scored[0][0], 2) >= unanswered_from:  # rounded as the score it is compared as
            unanswered = self._nearest(self.unanswered_index, terms, common).get(_UNANSWERED, 0.0) / norm
        return [
            Candidate(
                self.targets[index],
                round(score, 2),
                share,
                closeness,
                self.own_terms[index] & known_set,
                unanswered,
                conflict,
                missing,
            )
            for score, index, share, closeness, conflict, missing in scored[:limit]
        ]

    def elsewhere(self, question: str, target: Target) -> bool:
        """Whether the question asks about another country than the article's subject, one the
        target's own words do not name ("what about in the US?" of China's user count)."""
        keys = {self._term(word) for word in words(question)}
        if self.subject & keys:
            return False
        named = {key for key in keys if key in self.countries}
        return bool(named - self.own_terms[self._index[target.id]])

    def small_talk(self, question: str, exact: bool = False) -> SmallTalk | None:
        """A greeting, thanks or the like, matched whole (with a typo allowed unless ``exact``: after an
        answer, "says who?" is a follow-up, not "who are you?")."""
        text = clean(question)
        if not text:
            return None
        intent = self.small_talk_exact.get(text)
        if intent is not None or exact:
            return intent
        if len(text) <= self.small_talk_longest:
            match = process.extractOne(
                text, self.small_talk_phrasings, scorer=fuzz.ratio, score_cutoff=_SMALL_TALK_CUTOFF
            )
            if match:
                return self.small_talk_exact[match[0]]
        # "great, thank you so much", "cheers mate": only small-talk words and fillers.
        found = None
        for word in text.split():
            intent = self.small_talk_words.get(word)
            if intent is not None:
                found = found or intent
            elif word not in _FILLERS:
                return None
        return found


def _unknown_factor(word: str) -> float:
    """How much a word the article never uses speaks against a match.

    A number the article does not contain means a question about something else; a verb
    or adverb form ("piling", "educated") is more often a reader's paraphrase than a topic.
    """
    if word[0].isdigit():
        return _UNKNOWN_NUMBER
    if word.endswith(("ing", "ed", "ly")):
        return _UNKNOWN_VERB
    return 1.0


def _phrasings(target: Target) -> tuple[str, ...]:
    """Every way the content words the target; a figure also by what it measures."""
    measures = getattr(target, "measures", None)
    return (target.question, *target.phrasings, *((measures,) if measures else ()))
