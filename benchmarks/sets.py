"""Question sets, read into one shape. Each was written apart from the content (see the README):

* ``sets/tuning_a.yaml``, ``sets/tuning_b.yaml``: two writers who saw only the article and the list of
  targets; the decision is fitted on these (with the content's own phrasings), cross-validated by writer;
* ``tuning_questions.yaml``: the first round's tuning set, fitted on too;
* ``sets/pruned.yaml``: the content's phrasings and unanswered questions that the cut to 15 a target
  removed; examples to fit on, no longer content;
* ``sets/negatives.yaml``: generic and near messages the article does not answer, to fit on only
  (any that is also in another set was dropped);
* ``../tests/eval/questions.yaml``: the first round's evaluation set, a regression set never fitted on;
* ``sets/test.yaml``, ``sets/test2.yaml``, ``sets/test3.yaml``: the first three fresh test sets,
  each looked at once at the end of its round (see the README's figures); since the fourth was
  written they are tuning sets like the others, one writer each;
* ``sets/tuning_c.yaml``: a fourth tuning writer, asked for many near misses and follow-ups;
* ``sets/test4.yaml``: the fourth fresh test set, looked at once at the end of its round; a tuning set
  since;
* ``sets/tuning_d.yaml``: a fifth tuning writer, asked for many follow-ups (84 pairs);
* ``sets/test5.yaml``: the fifth fresh test set, looked at once at the end of its round; a tuning set
  since (the 16 questions that are, word for word, in the content removed);
* ``sets/tuning_e.yaml``: a sixth tuning writer, asked for many near misses (70) and follow-ups that move
  to a neighbouring fact (90 pairs); the 4 questions word for word in the content removed;
* ``sets/test6.yaml``: a sixth fresh test set, looked at once (its figures are in the README); a
  tuning set since (the 11 questions word for word in the content removed);
* ``sets/tuning_f.yaml``: a seventh tuning writer, asked to phrase questions indirectly, in everyday
  words rather than the article's; the 10 questions word for word in the content removed;
* ``sets/test7.yaml``: the seventh fresh test set, looked at once at the end of its round; a tuning set
  since (the 6 questions word for word in the content removed);
* ``sets/tuning_g.yaml``: an eighth tuning writer, asked for indirect questions about details (who did
  something, which organisation, what a number refers to); the 8 word for word in the content removed;
* ``sets/tuning_h.yaml``: a ninth, asked for a casual group chat (slang, typos, very short follow-ups);
  the 2 word for word in the content removed;
* ``sets/test8.yaml``: the eighth fresh test set, looked at once at the end of its round (scored twice:
  after the round's changes and after its review's fixes); a tuning set since (the 11 questions word
  for word in the content removed);
* ``sets/test9.yaml``: the ninth fresh test set, looked at once at the end of its round (scored twice:
  after the round's changes and after its review's fixes); a tuning set since (the 7 questions word
  for word in the content removed);
* ``sets/tuning_i.yaml``: a tenth tuning writer, asked for details inside passages, two-part and
  sceptical questions, and near misses very close to a given detail;
* ``sets/test10.yaml``: the tenth fresh test set, looked at once at the end of its round; a tuning set
  since (the 8 questions word for word in the content removed);
* ``sets/test11.yaml``: the eleventh fresh test set, written by a helper that saw only the article and
  the targets (benchmarks/writers/), kept out of the repository until every change of its round was
  made, and looked at once, at the very end (hit 0.971); a tuning set since (the 13 questions word for
  word in the content removed);
* ``sets/test12.yaml``: the twelfth fresh test set, written the same way at the start of its round (a
  slant to details of figures in the reader's own words, and near misses about another country or
  year), kept outside the repository until every change of the round was made, and looked at once, at
  the very end. The next round makes it a tuning set and writes test13.

The tuning sets' questions are also the examples the probe learns from (``content/examples.npz``,
written by ``benchmarks/examples.py``): a figure on a tuning set is in-sample for the probe; the
cross-validated ones ``benchmarks/tune.py`` prints are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
TUNING = {
    name: HERE / "sets" / f"{name}.yaml"
    for name in (
        "tuning_a",
        "tuning_b",
        "tuning_c",
        "tuning_d",
        "tuning_e",
        "tuning_f",
        "test",
        "test2",
        "test3",
        "test4",
        "test5",
        "test6",
        "test7",
        "tuning_g",
        "tuning_h",
        "test8",
        "test9",
        "tuning_i",
        "test10",
        "test11",
    )
}
TUNING["tuning_old"] = HERE / "tuning_questions.yaml"
# Always fitted on, never scored: what the content held before it was cut to 15 phrasings a target.
EXTRA = {"pruned": HERE / "sets" / "pruned.yaml", "negatives": HERE / "sets" / "negatives.yaml"}
REGRESSION = {"eval_old": HERE.parent / "tests" / "eval" / "questions.yaml"}
TEST = {"test12": HERE / "sets" / "test12.yaml"}


@dataclass(frozen=True)
class FollowUp:
    first: str
    expect: tuple[str, ...]
    then: str
    expect_then: tuple[str, ...]


@dataclass(frozen=True)
class QuestionSet:
    name: str
    in_scope: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    chinese: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    near_miss: list[tuple[str, str | None]] = field(default_factory=list)
    off_topic: list[str] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    chitchat: list[str] = field(default_factory=list)


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (str(value),)


def load(name: str, path: Path) -> QuestionSet:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    near_miss = [
        (item, None) if isinstance(item, str) else (item["q"], item.get("near")) for item in data.get("near_miss", [])
    ]
    off_topic = list(data.get("off_topic", []))
    if "near_miss" not in data:
        # The first round's sets have no near misses of their own: their "off_topic" is mostly that
        # ("how much does japan spend on basic research?"), so it is read as near misses.
        near_miss, off_topic = [(q, None) for q in off_topic], []
    return QuestionSet(
        name,
        [(item["q"], _ids(item["expect"])) for item in data.get("in_scope", [])],
        [(item["q"], _ids(item["expect"])) for item in data.get("chinese", [])],
        near_miss,
        off_topic,
        [
            FollowUp(item["first"], _ids(item["expect"]), item["then"], _ids(item["expect_then"]))
            for item in data.get("follow_ups", [])
        ],
        list(data.get("chitchat", [])),
    )


def load_all(which: dict[str, Path]) -> list[QuestionSet]:
    return [load(name, path) for name, path in which.items() if path.exists()]
