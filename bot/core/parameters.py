"""The bot's parameters: data in the content folder (``parameters.yaml``), written by benchmarks/tune.py.

``decision:`` is the fitted decision; ``matching:`` the constants of the lexical view and the answerer
(chosen by hand on the tuning sets, or limits), which tune.py carries through when it rewrites the file.
Read like the rest of the content: unknown keys, missing weights, non-numbers and values out of range
are ``file:line`` errors. Without a ``decision`` section the defaults below apply: the embedding alone,
untuned; without ``matching:``, the documented defaults of each constant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.core.yamlcheck import Checker, YamlMap

FEATURES = (
    "lexical",  # the lexical matcher's score, 0..1
    "coverage",  # share of the question's words the target accounts for
    "closeness",  # idf cosine with the target's nearest phrasing
    "asked",  # embedding cosine with the nearest way the target is asked for
    "centre",  # embedding cosine with the mean of the ways the target is asked for
    "says",  # embedding cosine with the nearest sentence of its answer or passages
    "asked_lead",  # ``asked`` less the best other target's
    "lexical_lead",  # ``lexical`` less the best other target's
    "unanswered",  # embedding cosine with the nearest unanswered question, less ``asked``
    "lexical_unanswered",  # the same in idf cosines
    "foreign_script",  # share of the question in a script the lexical view cannot read (Chinese)
    "conflict",  # the question names a country or someone the target does not
    "asked_first",  # 1 for the target the embedding ranks first
    "lexical_first",  # 1 for the target the lexical matcher ranks first
    "missing",  # the weightiest question word the target's own words lack (1: a word the article never uses)
    "probe",  # a linear classifier's score over the embedding, fitted at start-up on the phrasings
    "probe_unanswered",  # the same classifier's score for "a question the article does not answer"
    "grams",  # a linear classifier's score over the question's character n-grams (bot/core/grams.py)
    "grams_unanswered",  # the same classifier's score for "a question the article does not answer"
    "unmatched",  # 1 when the question is in Latin script and the lexical view finds nothing of the target
    "type_mismatch",  # the question asks how many / when / who / which ones, and the target's answer holds none
    "asked_rank",  # 1 / rank of the target by the embedding (1, 1/2, 1/3, …)
    "lexical_rank",  # 1 / rank of the target by the lexical matcher
    "other_year",  # the question names a year the target's answer and passages do not
    # The same for every target, so it ranks nothing (its ranking weight fits to 0): it tells the
    # decision and the relevance stages how much to trust the best one.
    "stranger",  # the question names, capitalised, someone or something the article never mentions
)
# The features read from the sentence embedding. The quick stage (``quick_*``) decides without them: a
# question it is sure of is answered without the embedding's forward pass, most of a reply's CPU.
EMBEDDED = frozenset(
    {"asked", "centre", "says", "asked_lead", "unanswered", "asked_first", "asked_rank", "probe", "probe_unanswered"}
)
QUICK_FEATURES = tuple(name for name in FEATURES if name not in EMBEDDED)
# The second stage sees the best target only: its features, its probability and the runner-up's.
DECISION_FEATURES = (
    "probability",
    # Its logarithm: a fragment ("according to the piece") may read as answerable, yet no target stands
    # out (0.19); linear in the probability, that counted for little against the probe's "answerable".
    "probability_log",
    "runner_up",
    *FEATURES,
)
QUICK_DECISION_FEATURES = tuple(name for name in DECISION_FEATURES if name not in EMBEDDED)
# A follow-up ("who reported it?") ranks every target by these, read against the previous answer.
FOLLOW_UP_FEATURES = (
    "alone",  # the target's probability for the question read alone
    "alone_log",  # its logarithm: tells 0.01 from 0.0001, where a follow-up's own words are weak
    "alone_sure",  # for the target the question alone is answered by, how sure that answer is
    "together",  # its probability for the previous question and this one read as one (no pronoun)
    "together_pronoun",  # the same when the question has a pronoun ("who built it?")
    "together_log",  # the logarithm of that probability
    "related",  # the target shares a passage with the previous one (or is it)
    "same",  # the target is the previous one
    "kin",  # embedding cosine between the target's and the previous target's questions
    "mismatch",  # the question asks who / when / how many, and the target's answer holds no such thing
    # A reader's next question is often one of its own: these tell the answer before's pull where the
    # question leans on it (a pronoun, "and …", three words or fewer) from where it does not.
    "same_leans",  # ``same`` in a question that leans on the one before
    "related_leans",  # ``related`` in a question that leans on the one before
    "same_holds",  # ``same``, where the question asks who / when / how many and its answer says it ("when?")
    "same_pronoun",  # ``same`` in a question with a pronoun
    "same_short",  # ``same`` in a question of three words or fewer ("source?", "why?")
)


@dataclass(frozen=True)
class Parameters:
    """The decision, as ``benchmarks/tune.py`` fits it. Defaults: the embedding alone, untuned.

    ``bias`` shifts every logit alike, so a softmax ignores it; it is kept for the record."""

    weights: tuple[float, ...] = tuple(12.0 if name == "asked" else 0.0 for name in FEATURES)
    bias: float = -7.0
    # Whether the best target is right: the probability the bot answers by.
    decision_weights: tuple[float, ...] = tuple(1.0 if name == "probability" else 0.0 for name in DECISION_FEATURES)
    decision_bias: float = 0.0
    # Whether the question is about what the article covers at all, answered or not (a near miss is;
    # "who wrote Hamlet" is not): below ``relevant_at`` the bot declines instead of giving the caveat.
    # Defaults: every question is (the caveat is then decided by ``caveat_at`` alone).
    relevance_weights: tuple[float, ...] = tuple(0.0 for _ in DECISION_FEATURES)
    relevance_bias: float = 0.0
    relevant_at: float = 0.0
    answer_at: float = 0.5  # probability needed to answer
    suggest_at: float = 0.15  # declined, but at least this confident: "Did you mean" the nearest two
    offer_at: float = 0.1  # answered: a runner-up at least this probable is offered as "Did you mean"
    caveat_at: float = 0.15  # a name conflict at least this probable: "the article does not say; it says"
    followup_at: float = 0.5  # a question that does not lean on the previous answer needs this to use it
    # A follow-up ranks targets by its own probability, plus a weight times its probability when read
    # together with the previous question, plus a bonus for a target that shares a passage with it.
    followup_together: float = 1.0
    followup_pronoun: float = 2.0  # the same weight for a follow-up with a pronoun ("who reported it?")
    followup_related: float = 0.2
    followup_same: float = 0.0  # and this for the previous target itself (below 0: a follow-up asks for more)
    # Fitted instead (tune.py): weights over FOLLOW_UP_FEATURES. Without them, the four above make the
    # same ranking as a weighted sum of those features.
    followup_weights: tuple[float, ...] | None = None
    # The quick stage: the same two stages over the features without the embedding's (their weights 0),
    # fitted by tune.py. A standalone question it ranks a target for at ``quick_at`` or more is answered
    # with that target without embedding it. None: there is no quick stage, every question is embedded.
    quick_weights: tuple[float, ...] | None = None  # over FEATURES
    quick_decision_weights: tuple[float, ...] | None = None  # over DECISION_FEATURES
    quick_decision_bias: float = 0.0
    quick_at: float = 1.0
    fitted: dict[str, Any] = field(default_factory=dict)  # how the tuning script got here, for the record

    # --- matching: the lexical view (bot/core/matcher.py). Tuned by hand on the tuning sets. ---
    # How much each part of a target speaks for it (a term takes the weight of the last part it is in:
    # phrasings over the answer over passages).
    phrasing_weight: float = 1.0
    answer_weight: float = 0.6
    passage_weight: float = 0.3
    mix: float = 0.8  # score = 100 × (mix × coverage + (1 − mix) × closeness)
    conflict: float = 1.0  # a known word the target lacks weighs (1 + conflict) times in the coverage
    # Unknown words, relative to the rarest known word: numbers not in the article count double, verb
    # and adverb forms ("piling", "quickly") half, as they are more often paraphrase than topic.
    unknown_number: float = 2.0
    unknown_verb: float = 0.5
    entity_penalty: float = 0.8  # score factor: the question names someone the target's words do not
    # Score factor for a target that does not name the other country a question asks about. At 0.6 no
    # such target can reach the answer threshold: it still ranks, so it can be offered as "Did you mean".
    elsewhere_penalty: float = 0.6
    # log(1 + N/df) below this: the word is in more than about a quarter of targets, and phrasings are
    # not looked up through it (it adds to those found through the question's other words).
    common_idf: float = 1.6
    typo_cutoff: float = 80.0  # rapidfuzz ratio for a typo repair
    typo_edits: int = 2  # and at most this many edits: "scientists" is not a typo of "scientific"
    small_talk_cutoff: float = 90.0  # rapidfuzz ratio for small talk with a typo ("thnaks")
    # --- the probes' ridge (bot/core/semantic.py, bot/core/grams.py): chosen by leaving each writer out.
    probe_ridge: float = 0.3
    grams_ridge: float = 0.3
    # --- matching: the answerer (bot/core/answers.py). ---
    # Tuned: a follow-up leans on a pronoun only in a question this short (or in Chinese); a question
    # at least this much in Chinese script gets the Chinese frame around the English answer.
    max_follow_up_words: int = 6
    chinese_share: float = 0.3
    # Limits, not tuned: questions are cut to this length before matching (the article's own are short,
    # and a 10,000-character paste must not cost more than a normal one); "Did you mean" buttons; parts
    # of one question answered together; embeddings of recent questions kept.
    max_question_chars: int = 500
    max_alternatives: int = 2
    max_parts: int = 3
    recent_vectors: int = 2048

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """Per target, how likely it is the answer (a softmax over the targets): what ranks them."""
        logits = features @ np.asarray(self.weights) + self.bias
        exp = np.exp(logits - logits.max())
        result: np.ndarray = exp / exp.sum()
        return result

    def confidence(self, features: np.ndarray, probabilities: np.ndarray, best: int) -> float:
        """How likely the best target is right: what the bot answers by (``answer_at``)."""
        row = decision_row(features, probabilities, best)
        return float(_sigmoid(row @ np.asarray(self.decision_weights) + self.decision_bias))

    def quick(self, features: np.ndarray) -> tuple[np.ndarray, float] | None:
        """The quick stage's probabilities over the targets, and its confidence in the best one; None
        without a quick stage. ``features``: as ``lexical_features`` gives them (the embedding's 0)."""
        if self.quick_weights is None or self.quick_decision_weights is None:
            return None
        logits = features @ np.asarray(self.quick_weights)
        exp = np.exp(logits - logits.max())
        probabilities: np.ndarray = exp / exp.sum()
        row = decision_row(features, probabilities, int(np.argmax(probabilities)))
        confidence = float(_sigmoid(row @ np.asarray(self.quick_decision_weights) + self.quick_decision_bias))
        return probabilities, confidence

    def follow_up_weights(self) -> np.ndarray:
        """Weights over FOLLOW_UP_FEATURES: fitted, or the hand-set sum the four ``followup_`` keys describe."""
        if self.followup_weights is not None:
            return np.asarray(self.followup_weights)
        sum_of = {
            "alone": 1.0,
            "together": self.followup_together,
            "together_pronoun": self.followup_pronoun,
            "related": self.followup_related,
            "same": self.followup_same,
        }
        return np.asarray([sum_of.get(name, 0.0) for name in FOLLOW_UP_FEATURES])

    def relevance(self, features: np.ndarray, probabilities: np.ndarray, best: int) -> float:
        """How likely the question is about what the article covers: what the caveat needs (``relevant_at``)."""
        row = decision_row(features, probabilities, best)
        return float(_sigmoid(row @ np.asarray(self.relevance_weights) + self.relevance_bias))


def decision_row(features: np.ndarray, probabilities: np.ndarray, best: int) -> np.ndarray:
    """What the second stage sees (``DECISION_FEATURES``): the best target's probability, the runner-up's,
    and the best target's features."""
    others = probabilities.copy()
    others[best] = -np.inf
    runner_up = float(np.max(others)) if len(probabilities) > 1 else 0.0
    chosen = float(probabilities[best])
    return np.concatenate(([chosen, math.log(chosen + 1e-3), runner_up], features[best]))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return result


_THRESHOLDS = ("answer_at", "suggest_at", "offer_at", "caveat_at", "relevant_at", "followup_at", "quick_at")
_FOLLOW_UP = ("followup_together", "followup_pronoun", "followup_related", "followup_same")


def read_decision(value: Any, line: int, check: Checker) -> Parameters | None:
    required = {"weights", "bias", "decision_weights", "decision_bias"}
    optional = {*_THRESHOLDS, *_FOLLOW_UP, "relevance_weights", "relevance_bias", "followup_weights", "fitted"}
    optional |= {"quick_weights", "quick_decision_weights", "quick_decision_bias"}
    item = check.fields(value, line, "decision", required, optional)
    if item is None:
        return None
    numbers: dict[str, Any] = {}
    for key, names in (
        ("weights", FEATURES),
        ("decision_weights", DECISION_FEATURES),
        ("relevance_weights", DECISION_FEATURES),
        ("followup_weights", FOLLOW_UP_FEATURES),
        ("quick_weights", QUICK_FEATURES),
        ("quick_decision_weights", QUICK_DECISION_FEATURES),
    ):
        if key not in item:
            continue  # a required one is reported missing by ``fields``
        weights = item.get(key)
        if isinstance(weights, YamlMap):
            for name in weights:
                if name not in names:
                    check.error(weights.key_lines[name], f"decision: {key}: unknown feature {name!r}")
            for name in names:
                if name not in weights:
                    check.error(weights.line, f"decision: {key}: feature {name!r} has no weight")
            if all(name in weights for name in names):
                numbers[key] = tuple(_number(weights, name, check) for name in names)
        else:
            check.error(item.key_lines[key], f"decision: {key!r} must map each feature to a number")
    for key, full in (("quick_weights", FEATURES), ("quick_decision_weights", DECISION_FEATURES)):
        if key in numbers:  # the embedding's features weigh nothing in the quick stage
            names = QUICK_FEATURES if key == "quick_weights" else QUICK_DECISION_FEATURES
            given = dict(zip(names, numbers[key], strict=True))
            numbers[key] = tuple(given.get(name, 0.0) for name in full)
    if ("quick_weights" in numbers) != ("quick_decision_weights" in numbers):
        check.error(item.line, "decision: the quick stage needs both quick_weights and quick_decision_weights")
        numbers.pop("quick_weights", None)
        numbers.pop("quick_decision_weights", None)
    for name in ("bias", "decision_bias", "relevance_bias", "quick_decision_bias", *_THRESHOLDS, *_FOLLOW_UP):
        if name in item:
            numbers[name] = _number(item, name, check)
    for name in _THRESHOLDS:
        if name in numbers and not 0 <= numbers[name] <= 1:
            check.error(item.key_lines[name], f"decision: {name!r} is a probability, between 0 and 1")
    fitted = item.get("fitted")
    return Parameters(**numbers, fitted=dict(fitted) if isinstance(fitted, dict) else {})


# Each ``matching:`` constant: whole number or not, and its range.
MATCHING: dict[str, tuple[type[int] | type[float], float, float]] = {
    "phrasing_weight": (float, 0, 10),
    "answer_weight": (float, 0, 10),
    "passage_weight": (float, 0, 10),
    "mix": (float, 0, 1),
    "conflict": (float, 0, 10),
    "unknown_number": (float, 0, 10),
    "unknown_verb": (float, 0, 10),
    "entity_penalty": (float, 0, 1),
    "elsewhere_penalty": (float, 0, 1),
    "common_idf": (float, 0, 10),
    "typo_cutoff": (float, 0, 100),
    "typo_edits": (int, 0, 5),
    "small_talk_cutoff": (float, 0, 100),
    "probe_ridge": (float, 1e-6, 1000),
    "grams_ridge": (float, 1e-6, 1000),
    "max_follow_up_words": (int, 0, 100),
    "chinese_share": (float, 0, 1),
    "max_question_chars": (int, 1, 4096),
    "max_alternatives": (int, 0, 8),
    "max_parts": (int, 1, 10),
    "recent_vectors": (int, 0, 1_000_000),
}


def read_matching(value: Any, line: int, check: Checker) -> dict[str, float | int] | None:
    """The ``matching:`` constants the file sets (the others keep their defaults)."""
    item = check.fields(value, line, "matching", set(), set(MATCHING))
    if item is None:
        return None
    result: dict[str, float | int] = {}
    for name, (kind, low, high) in MATCHING.items():
        if name not in item:
            continue
        raw, where = item[name], item.key_lines[name]
        if not _is_number(raw):
            check.error(where, f"matching: {name!r} must be a number, got {raw!r}")
            continue
        number = float(raw)
        if kind is int and not number.is_integer():
            check.error(where, f"matching: {name!r} must be a whole number, got {raw!r}")
        elif not low <= number <= high:
            check.error(where, f"matching: {name!r} must be between {low:g} and {high:g}, got {raw!r}")
        else:
            result[name] = kind(number)
    return result


def matching(parameters: Parameters) -> dict[str, float | int]:
    """The ``matching:`` constants of ``parameters``, as the file holds them."""
    return {name: getattr(parameters, name) for name in MATCHING}


def _number(mapping: YamlMap, key: str, check: Checker) -> float:
    value: Any = mapping.get(key)
    if not _is_number(value):
        line = mapping.key_lines.get(key, mapping.line)
        check.error(line, f"decision: {key!r} must be a number, got {value!r}")
        return 0.0
    return float(value)


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
