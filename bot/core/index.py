"""The lexical view's index, built from the content in stages (bot/core/matcher.py ranks with it).

1. ``read_targets``: each target's terms, weighted by the part they stand in, its phrasings, and the
   phrasings of two targets that come to the same words;
2. ``weigh``: idf and postings over those terms;
3. ``read_unanswered``: the questions the article does not answer, as phrasings of their own;
   ``phrasing_index`` then indexes either kind of phrasing for the nearest-phrasing cosine;
4. ``read_names``: the names that tell targets apart, the countries, and the article's subject;
5. ``typo_vocabulary``: the words typos are mended towards;
6. ``small_talk_index``: small talk, whole and by the words only it uses.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import NamedTuple

from bot.core.content import Library, SmallTalk, Target
from bot.core.normalise import COUNTRIES, Normaliser, clean
from bot.core.parameters import Parameters

UNANSWERED = -1  # the target index of the questions the article does not answer

# (target id, its phrasing, the other target's id or "unanswered", its phrasing)
Clash = tuple[str, str, str, str]


class TargetTerms(NamedTuple):
    bags: list[dict[str, float]]  # per target: term → the weight of the part it stands in
    own_terms: list[frozenset[str]]  # per target: the terms of its answer and phrasings
    phrasings: list[tuple[int, frozenset[str]]]  # (target index, terms), each distinct once per target
    first_said: dict[frozenset[str], tuple[int, str]]  # terms → the first target and phrasing saying them
    clashes: list[Clash]  # phrasings of two targets that come to the same words
    words: frozenset[str]  # every content word of the targets, before stemming


def read_targets(library: Library, normaliser: Normaliser, parameters: Parameters) -> TargetTerms:
    bags: list[dict[str, float]] = []
    own_terms: list[frozenset[str]] = []
    phrasings: list[tuple[int, frozenset[str]]] = []
    seen: set[tuple[int, frozenset[str]]] = set()
    first_said: dict[frozenset[str], tuple[int, str]] = {}
    clashes: list[Clash] = []
    words: set[str] = set()
    targets = library.targets
    for index, target in enumerate(targets):
        bag: dict[str, float] = {}
        own: set[str] = set()
        # In this order, so that a term takes the weight of its most telling part.
        parts = [(p.text, parameters.passage_weight, "passage") for p in library.passages_of(target)]
        parts.append((target.answer, parameters.answer_weight, "answer"))
        parts += [(text, parameters.phrasing_weight, "phrasing") for text in phrasings_of(target)]
        for text, weight, part in parts:
            content_words = normaliser.words(text)
            words.update(content_words)
            part_terms = [normaliser.term(word) for word in content_words]
            bag.update(dict.fromkeys(part_terms, weight))
            if part != "passage":
                own.update(part_terms)
            said_as = frozenset(part_terms)
            if part == "phrasing" and part_terms and (index, said_as) not in seen:
                seen.add((index, said_as))  # the same terms twice add nothing
                phrasings.append((index, said_as))
                other, said = first_said.setdefault(said_as, (index, text))
                if other != index:
                    clashes.append((targets[other].id, said, target.id, text))
        bags.append(bag)
        own_terms.append(frozenset(own))
    return TargetTerms(bags, own_terms, phrasings, first_said, clashes, frozenset(words))


class Weights(NamedTuple):
    idf: dict[str, float]
    unknown_idf: float  # a word no target has: rarer than the rarest known word
    postings: dict[str, list[tuple[int, float]]]  # term → (target index, idf × the weight of its part)


def weigh(bags: list[dict[str, float]]) -> Weights:
    count = len(bags)
    document_frequency: dict[str, int] = defaultdict(int)
    for bag in bags:
        for key in bag:
            document_frequency[key] += 1
    idf = {key: math.log(1 + count / df) for key, df in document_frequency.items()}
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for index, bag in enumerate(bags):
        for key, weight in bag.items():
            postings[key].append((index, idf[key] * weight))
    return Weights(idf, math.log(1 + count / 0.5), postings)


class UnansweredTerms(NamedTuple):
    phrasings: list[tuple[int, frozenset[str]]]  # (UNANSWERED, terms)
    clashes: list[Clash]  # an unanswered question that comes to the words of a target's phrasing
    words: frozenset[str]


def read_unanswered(
    library: Library, normaliser: Normaliser, first_said: dict[frozenset[str], tuple[int, str]]
) -> UnansweredTerms:
    """Questions the article does not answer get an index of their own, looked at only when a target
    is good enough to answer; their words outside the article weigh as unknown words do."""
    phrasings: list[tuple[int, frozenset[str]]] = []
    clashes: list[Clash] = []
    words: set[str] = set()
    for text in library.unanswered:
        content_words = normaliser.words(text)
        words.update(content_words)
        said_as = frozenset(normaliser.term(word) for word in content_words)
        if said_as and said_as in first_said:
            index, said = first_said[said_as]
            clashes.append((library.targets[index].id, said, "unanswered", text))
        if said_as:
            phrasings.append((UNANSWERED, said_as))
    return UnansweredTerms(phrasings, clashes, frozenset(words))


class PhrasingIndex(NamedTuple):
    postings: dict[str, list[int]]  # term → positions of the phrasings that have it
    terms: list[frozenset[str]]
    inverse_norm: list[float]
    owner: list[int]  # target index, or UNANSWERED


def phrasing_index(phrasings: list[tuple[int, frozenset[str]]], weights: Weights) -> PhrasingIndex:
    postings: dict[str, list[int]] = defaultdict(list)
    for position, (_, terms) in enumerate(phrasings):
        for key in terms:
            postings[key].append(position)
    weight, unknown = weights.idf.get, weights.unknown_idf
    return PhrasingIndex(
        dict(postings),
        [terms for _, terms in phrasings],
        [1 / math.sqrt(sum(weight(t, unknown) ** 2 for t in terms)) for _, terms in phrasings],
        [index for index, _ in phrasings],
    )


class Names(NamedTuple):
    entities: frozenset[str]  # names that a few targets mention: a question naming one asks for those
    countries: frozenset[str]
    subject: frozenset[str]  # the name the article's passages use most


def read_names(library: Library, normaliser: Normaliser, own_terms: list[frozenset[str]]) -> Names:
    term = normaliser.term
    # Names in the article: words capitalised inside a sentence. One that most targets
    # mention (DeepSeek, AI) says nothing about which of them is meant.
    names = {
        term(match.group(1).casefold())
        for passage in library.passages.values()
        for match in re.finditer(r"(?<=[a-z,;] )([A-Z][A-Za-z]+)", passage.text)
    }
    mentions = {name: sum(name in own for own in own_terms) for name in names}
    entities = frozenset(name for name, count in mentions.items() if 0 < count <= 3)
    counts = Counter(
        term(match.group(1).casefold())
        for passage in library.passages.values()
        for match in re.finditer(r"\b([A-Z][A-Za-z]+)", passage.text)
        if term(match.group(1).casefold()) not in normaliser.stopwords
    )
    subject = frozenset(name for name, _ in counts.most_common(1))
    return Names(entities, frozenset(term(word) for word in COUNTRIES), subject)


class TypoVocabulary(NamedTuple):
    known: frozenset[str]  # words never mended
    by_initial: dict[str, list[str]]  # the words typos are mended towards, by first letter


def typo_vocabulary(article_words: frozenset[str], other_known: frozenset[str]) -> TypoVocabulary:
    """Typos are mended on whole words, before stemming ("folower" → "follower"), towards the
    article's words only; known words (``other_known`` too: unanswered questions, countries) are not."""
    by_initial: dict[str, list[str]] = defaultdict(list)
    for word in sorted(article_words):
        if len(word) >= 4 and word.isalpha():
            by_initial[word[0]].append(word)
    return TypoVocabulary(article_words | other_known | COUNTRIES, by_initial)


class SmallTalkIndex(NamedTuple):
    exact: dict[str, SmallTalk]  # cleaned phrasing → intent
    phrasings: list[str]
    # Words that belong to one intent only: "thanks", "bye". A message made of nothing
    # else (and fillers) is small talk, even if the article uses the word elsewhere.
    words: dict[str, SmallTalk]
    greetings: frozenset[str]  # "hello!" or "thanks," in front of a question says nothing about it
    longest: int  # beyond this length no typo makes a question small talk: skip the fuzzy look-up


def small_talk_index(
    chitchat: tuple[SmallTalk, ...], article_words: frozenset[str], stopwords: frozenset[str]
) -> SmallTalkIndex:
    exact: dict[str, SmallTalk] = {}
    owners: dict[str, set[str]] = defaultdict(set)
    for intent in chitchat:
        for phrasing in intent.phrasings:
            exact[clean(phrasing)] = intent
            for word in clean(phrasing).split():
                owners[word].add(intent.id)
    by_id = {intent.id: intent for intent in chitchat}
    words = {word: by_id[next(iter(ids))] for word, ids in owners.items() if len(ids) == 1 and word not in stopwords}
    phrasings = list(exact)
    greetings = frozenset(word for word in words if word not in article_words)
    return SmallTalkIndex(exact, phrasings, words, greetings, max(map(len, phrasings), default=0) + 3)


def phrasings_of(target: Target) -> tuple[str, ...]:
    """Every way the content words the target; a figure also by what it measures."""
    measures = getattr(target, "measures", None)
    return (target.question, *target.phrasings, *((measures,) if measures else ()))
