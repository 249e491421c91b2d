"""What a reader gets, measured on a question set: the figures the README, the tests' floors and
benchmarks/matcher.py report. A reply counts as the reader sees it:

* hit: the right passage, answered or with the caveat "the nearest it says" (in scope, English);
* confident: answered right without a caveat;
* declined: a clearly off-topic message gets no answer from the article (small talk is fine; a
  caveat counts against);
* near_miss: a question the article does not answer is declined or caveated, never plainly answered;
* chinese: a hit, for questions in Chinese;
* follow_ups: the second of two messages gets the right passage, read with the first's answer (a
  second message the article does not answer, ``expect_then: []``, is right when not plainly answered);
* after_answer: the set's own questions (``independent``: some in scope or Chinese, fewer near misses)
  asked right after another target's answer are still answered as alone (in scope: the right passage;
  near misses: not plainly answered): a reader's next question is often one of its own;
* small_talk: recognised as small talk.
"""

from __future__ import annotations

import random

from sets import QuestionSet

from bot.core.answers import Answer, Answerer, Kind
from bot.core.content import Target

ANSWERED = (Kind.ANSWER, Kind.CAVEAT)
# Of each set, this many questions in scope or Chinese (near misses a quarter as many) are asked after
# another answer too (``independent``).
INDEPENDENT_PER_SET = 40


def _right(answer_kind: Kind, target_id: str | None, expect: tuple[str, ...]) -> bool:
    return answer_kind in ANSWERED and target_id is not None and target_id in expect


def follow_up_right(then: Answer, expect_then: tuple[str, ...]) -> bool:
    if not expect_then:
        return then.kind is not Kind.ANSWER
    return _right(then.kind, then.target.id if then.target else None, expect_then)


def independent(qset: QuestionSet, targets: tuple[Target, ...]) -> list[tuple[Target, str, tuple[str, ...]]]:
    """Questions of the set asked after another target's answer, as (previous, question, expected ids):
    the same every run (seeded by the set's name). A near miss expects nothing."""
    rng = random.Random(qset.name)
    asked = qset.in_scope + qset.chinese
    chosen = rng.sample(asked, min(INDEPENDENT_PER_SET, len(asked)))
    near = rng.sample(qset.near_miss, min(INDEPENDENT_PER_SET // 4, len(qset.near_miss)))
    chosen += [(question, ()) for question, _ in near]
    return [(rng.choice([t for t in targets if t.id not in expect]), q, expect) for q, expect in chosen]


def evaluate(answerer: Answerer, qset: QuestionSet) -> dict[str, float]:
    figures: dict[str, float] = {}

    def share(name: str, values: list[bool]) -> None:
        if values:
            figures[name] = sum(values) / len(values)

    hits, confident = [], []
    for question, expect in qset.in_scope:
        answer = answerer.answer(question)
        target = answer.target.id if answer.target else None
        hits.append(_right(answer.kind, target, expect))
        confident.append(answer.kind is Kind.ANSWER and target in expect)
    share("hit", hits)
    share("confident", confident)
    share("declined", [answerer.answer(q).kind in (Kind.NO_ANSWER, Kind.SMALL_TALK) for q in qset.off_topic])
    share("near_miss", [answerer.answer(q).kind is not Kind.ANSWER for q, _ in qset.near_miss])
    chinese = []
    for question, expect in qset.chinese:
        answer = answerer.answer(question)
        chinese.append(_right(answer.kind, answer.target.id if answer.target else None, expect))
    share("chinese", chinese)
    follow_ups = []
    for item in qset.follow_ups:
        first = answerer.answer(item.first)
        previous = first.target if first.kind in ANSWERED else None
        then = answerer.answer(item.then, previous)
        follow_ups.append(follow_up_right(then, item.expect_then))
    share("follow_ups", follow_ups)
    # The bot's alone: the baselines of benchmarks/matcher.py have no conversation to be misled by.
    pairs = independent(qset, answerer.library.targets) if qset.follow_ups and isinstance(answerer, Answerer) else []
    share("after_answer", [follow_up_right(answerer.answer(q, previous), expect) for previous, q, expect in pairs])
    share("small_talk", [answerer.answer(q).kind is Kind.SMALL_TALK for q in qset.chitchat])
    return figures
