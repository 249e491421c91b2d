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
from collections import defaultdict
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.core.chinese import HAN, simplified
from bot.core.content import Library, SmallTalk, Target
from bot.core.index import (
    UNANSWERED,
    PhrasingIndex,
    phrasing_index,
    read_names,
    read_targets,
    read_unanswered,
    small_talk_index,
    typo_vocabulary,
    weigh,
)
from bot.core.normalise import CHINESE_CHINA, CHINESE_COUNTRIES, Normaliser, clean

_LATIN_WORD = re.compile(r"[A-Za-z]+")
# A capitalised word that is not a sentence's first: a name ("Wang Yi", "the World Intellectual Property …").
NAME_INSIDE = re.compile(r"(?<![.!?]\s)(?<!^)(?<![\w'’])[A-Z][A-Za-z]+")
_FILLER_WORDS = frozenset({"mate", "buddy", "guys", "all", "too"})


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


class Matcher:
    def __init__(self, library: Library) -> None:
        """The index, in the stages of bot/core/index.py; the constants are the content's (``matching:``)."""
        self.library = library
        self.parameters = parameters = library.parameters
        self.normaliser = normaliser = Normaliser(library.vocabulary)
        self.targets: tuple[Target, ...] = library.targets
        self._index = {target.id: index for index, target in enumerate(self.targets)}

        read = read_targets(library, normaliser, parameters)
        self.own_terms = read.own_terms
        weights = weigh(read.bags)
        self.idf, self.unknown_idf, self.postings = weights
        self.idf_squared = {key: value * value for key, value in self.idf.items()}
        unanswered = read_unanswered(library, normaliser, read.first_said)
        # Phrasings of two targets (or a target and an unanswered question) that come to the same words:
        # the matcher cannot tell them apart.
        self.clashes = read.clashes + unanswered.clashes
        self.phrasings = phrasing_index(read.phrasings, weights)
        self.unanswered_index = phrasing_index(unanswered.phrasings, weights)

        self.entities, self.countries, self.subject = read_names(library, normaliser, self.own_terms)
        # The synonyms' words count as the article's: a typo of "imitate" is mended even if it never says it.
        article_words = read.words | frozenset(normaliser.synonyms)
        self.article_words = article_words
        self.known_words, self.vocabulary_by_initial = typo_vocabulary(article_words, unanswered.words)
        self.small_talk_index = small_talk_index(library.chitchat, article_words, normaliser.stopwords)
        self.greeting_words = self.small_talk_index.greetings
        self._fillers = normaliser.stopwords | _FILLER_WORDS

    def _nearest(self, index: PhrasingIndex, terms: dict[str, str], common: list[str]) -> dict[int, float]:
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
            weight = squares[key] if key in idf else self.unknown_idf * self.unknown_idf * self._unknown_factor(word)
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

    def _unknown_factor(self, word: str) -> float:
        """How much a word the article never uses speaks against a match.

        A number the article does not contain means a question about something else; a verb
        or adverb form ("piling", "educated") is more often a reader's paraphrase than a topic.
        """
        if word[0].isdigit():
            return self.parameters.unknown_number
        if word.endswith(("ing", "ed", "ly")):
            return self.parameters.unknown_verb
        return 1.0

    def _mended(self, word: str) -> str:
        """A question word, or the article's word it is a typo of ("reserch" → "research")."""
        if word not in self.known_words and len(word) >= 4 and word.isalpha():
            match = process.extractOne(
                word,
                self.vocabulary_by_initial.get(word[0], ()),
                scorer=fuzz.ratio,
                score_cutoff=self.parameters.typo_cutoff,
            )
            # Two edits at most: "scientists" is not a typo of "scientific", though close by ratio.
            edits = self.parameters.typo_edits
            if match and Levenshtein.distance(word, match[0], score_cutoff=edits) <= edits:
                return str(match[0])
        return word

    def _term(self, word: str) -> str:
        """The index term of a question word, mending a typo if a known word is close."""
        return self.normaliser.term(self._mended(word))

    def mend(self, question: str) -> str:
        """The question with its typos mended, as the semantic view should read it."""

        def mended(match: re.Match[str]) -> str:
            word = match.group(0)
            folded = word.casefold()
            if folded in self.normaliser.stopwords:
                return word
            fixed = self._mended(folded)
            return word if fixed == folded else fixed

        return _LATIN_WORD.sub(mended, question)

    def rank(self, question: str, limit: int = 5, unanswered_from: float = 0.0) -> list[Candidate]:
        """Targets best first, scored 0..100; empty when no word of the question is known.

        Closeness to the questions the article does not answer is looked up only when the best
        target scores at least ``unanswered_from`` (below that the question gets no answer anyway).
        """
        terms = {self._term(word): word for word in self.normaliser.words(question) if word not in self.greeting_words}
        idf = self.idf
        known = [t for t in terms if t in idf]
        if not known:
            return []
        p = self.parameters
        unknown = [self.unknown_idf * self._unknown_factor(word) for t, word in terms.items() if t not in idf]
        total = sum(idf[t] for t in known) + sum(unknown)
        norm = math.sqrt(sum(idf[t] ** 2 for t in known) + sum(w * w for w in unknown))

        coverage: dict[int, float] = defaultdict(float)
        for key in known:
            for index, weight in self.postings[key]:
                coverage[index] += weight

        common = [key for key in known if idf[key] < p.common_idf]
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
                (idf[t] if t in idf else self.unknown_idf * (p.unknown_number if word[0].isdigit() else 1.0), t)
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
            share = mass / (total + p.conflict * (known_mass - mass))
            closeness = best.get(index, 0.0) / norm
            score = 100 * (p.mix * share + (1 - p.mix) * closeness)
            own = self.own_terms[index]
            conflict = False
            if elsewhere - own:
                score *= p.elsewhere_penalty
                conflict = True
            if entities - own:
                score *= p.entity_penalty
                conflict = True
            missing = next((w for w, t in weights if t not in own), 0.0) / self.unknown_idf
            scored.append((score, index, share, closeness, conflict, missing))
        scored.sort(reverse=True)
        unanswered = None
        if scored and round(scored[0][0], 2) >= unanswered_from:  # rounded as the score it is compared as
            unanswered = self._nearest(self.unanswered_index, terms, common).get(UNANSWERED, 0.0) / norm
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

    def terms(self, question: str) -> frozenset[str]:
        """The index terms of a question's words, typos mended."""
        return frozenset(self._term(word) for word in self.normaliser.words(question))

    def stranger(self, question: str) -> bool:
        """Whether the question names, capitalised inside a sentence, someone or something the article never
        mentions and that is no typo of its words ("What did Wang Yi say?"): it asks about someone else."""
        for match in NAME_INSIDE.finditer(question):
            word = match.group(0).casefold()
            if word in self.normaliser.stopwords or self.normaliser.term(word) in self.countries or len(word) < 2:
                continue  # a country is the other-country conflict's to judge
            if word not in self.article_words and self._mended(word) == word:
                return True
        return False

    def elsewhere(self, question: str, target: Target) -> bool:
        """Whether the question asks about another country than the article's subject, one the
        target's own words do not name ("what about in the US?" of China's user count)."""
        keys = self.terms(question)
        chinese = simplified(question) if HAN.search(question) else ""
        if self.subject & keys or any(name in chinese for name in CHINESE_CHINA):
            return False
        named = {key for key in keys if key in self.countries}
        # "美国在基础研究上花了多少钱？": the lexical view reads no Chinese word, so the names are looked up.
        named |= {self.normaliser.term(english) for name, english in CHINESE_COUNTRIES.items() if name in chinese}
        return bool(named - self.own_terms[self._index[target.id]])

    def small_talk(self, question: str, exact: bool = False) -> SmallTalk | None:
        """A greeting, thanks or the like, matched whole (with a typo allowed unless ``exact``: after an
        answer, "says who?" is a follow-up, not "who are you?")."""
        text = clean(question)
        if not text:
            return None
        index = self.small_talk_index
        intent = index.exact.get(text)
        if intent is not None or exact:
            return intent
        if len(text) <= index.longest:
            match = process.extractOne(
                text, index.phrasings, scorer=fuzz.ratio, score_cutoff=self.parameters.small_talk_cutoff
            )
            if match:
                return index.exact[match[0]]
        # "great, thank you so much", "cheers mate": only small-talk words and fillers.
        found = None
        for word in text.split():
            intent = index.words.get(word)
            if intent is not None:
                found = found or intent
            elif word not in self._fillers:
                return None
        return found
