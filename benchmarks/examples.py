"""Write content/examples.npz: the tuning sets' questions, as the probe learns from them.

Every question a writer labelled (in scope, Chinese, the first of a follow-up pair) counts for its
target; near misses and off-topic questions for "the article does not answer this". A follow-up's
second question is left out: it means something only after the first. Labels the content does not
have are dropped. The test set is never among them.

    python benchmarks/examples.py           # write content/examples.npz
    python benchmarks/examples.py --check   # exit 1 if the file differs from what the sets give
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sets import TUNING, QuestionSet, load_all  # noqa: E402

from bot.core import examples as examples_file  # noqa: E402
from bot.core.answers import Answerer  # noqa: E402
from bot.core.content import Library, load_library  # noqa: E402
from bot.core.examples import UNANSWERED, Examples  # noqa: E402
from bot.core.semantic import simplified  # noqa: E402

Encode = Callable[[Sequence[str]], np.ndarray]


def labelled(qset: QuestionSet, ids: set[str]) -> list[tuple[str, str]]:
    """(question, class) pairs of one set: the first target a question expects, or UNANSWERED."""
    pairs = [(q, expect[0]) for q, expect in qset.in_scope + qset.chinese if expect and expect[0] in ids]
    pairs += [(item.first, item.expect[0]) for item in qset.follow_ups if item.expect and item.expect[0] in ids]
    pairs += [(q, UNANSWERED) for q, _ in qset.near_miss]
    pairs += [(q, UNANSWERED) for q in qset.off_topic]
    return list(dict.fromkeys(pairs))


def by_set(sets: list[QuestionSet], ids: set[str], encode: Encode) -> dict[str, Examples]:
    """Each set's examples on their own: the tuning script leaves one writer's out at a time."""
    out = {}
    for qset in sets:
        pairs = labelled(qset, ids)
        if pairs:
            vectors = encode([simplified(q) for q, _ in pairs])
            out[qset.name] = Examples.of(vectors, [label for _, label in pairs])
    return out


def combined(parts: Sequence[Examples]) -> Examples:
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def held_out_answerers(library: Library, sets: list[QuestionSet], encode: Encode) -> dict[str, Answerer]:
    """Per set, the bot whose probe learnt from every other set's questions but not from this one's."""
    parts = by_set(sets, {t.id for t in library.targets}, encode)
    return {
        qset.name: Answerer(
            dataclasses.replace(library, examples=combined([p for n, p in parts.items() if n != qset.name])),
            encode=encode,
        )
        for qset in sets
    }


def build(content: Path, encode: Encode | None = None) -> Examples:
    if encode is None:
        from bot.core.embedding import shared_embedder

        encode = shared_embedder().encode
    library = load_library(content)
    return combined(list(by_set(load_all(TUNING), {t.id for t in library.targets}, encode).values()))


def same(a: Examples, b: Examples) -> bool:
    """Equal up to the float32 the file keeps."""
    return (
        a.labels == b.labels
        and np.array_equal(a.counts, b.counts)
        and np.allclose(a.gram, b.gram, rtol=1e-4, atol=1e-3)
        and np.allclose(a.sums, b.sums, rtol=1e-4, atol=1e-3)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    path = args.content / examples_file.FILE
    examples = build(args.content)
    summary = f"{int(examples.counts.sum())} questions, {len(examples.labels)} classes"
    if args.check:
        ok = path.exists() and same(examples_file.load(path), examples)
        print(f"{path}: {'matches' if ok else 'differs from'} the tuning sets ({summary})")
        sys.exit(0 if ok else 1)
    examples_file.save(path, examples)
    print(f"written: {path} ({summary})")


if __name__ == "__main__":
    main()
