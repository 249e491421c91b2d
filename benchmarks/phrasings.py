"""Which phrasings a target needs: the most representative few, chosen in the embedding space.

Facility location, greedily: each step keeps the phrasing that most raises how near every phrasing
of the target is to its nearest kept one (the target's own question counts as kept from the start).
The first k of that order are the content with k phrasings a target.

    python benchmarks/phrasings.py --prune 15 --unanswered 100   # rewrite content/ with the first k

``benchmarks/matcher.py --per-target`` measures quality against k with the same order.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.content import load_library  # noqa: E402
from bot.core.embedding import shared_embedder  # noqa: E402
from bot.core.yamlcheck import Checker, YamlMap, parse_file  # noqa: E402


def facility_order(vectors: np.ndarray, kept: np.ndarray | None = None) -> list[int]:
    """Rows of ``vectors`` in the order facility location keeps them (``kept``: rows already kept)."""
    similarity = vectors @ vectors.T
    nearest = (vectors @ kept.T).max(axis=1) if kept is not None and len(kept) else np.full(len(vectors), -1.0)
    order: list[int] = []
    left = list(range(len(vectors)))
    while left:
        gains = [np.maximum(nearest, similarity[:, i]).sum() for i in left]
        choice = left.pop(int(np.argmax(gains)))
        order.append(choice)
        nearest = np.maximum(nearest, similarity[:, choice])
    return order


def ordered_phrasings(question: str, phrasings: tuple[str, ...]) -> list[str]:
    encode = shared_embedder().encode_cached
    if not phrasings:
        return []
    order = facility_order(encode(list(phrasings)), encode([question]))
    return [phrasings[i] for i in order]


def _drop_lines(path: Path, lines_to_drop: set[int]) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(line for number, line in enumerate(lines, 1) if number not in lines_to_drop), "utf-8")


def prune(content: Path, per_target: int, unanswered: int) -> None:
    library = load_library(content)
    for name, key in (("entries.yaml", "entries"), ("figures.yaml", "figures")):
        path = content / name
        data = parse_file(path, Checker())
        assert isinstance(data, YamlMap)
        drop: set[int] = set()
        for item in data[key]:
            target = library.target(item["id"])
            assert target is not None
            listed = item["phrasings"]
            keep = set(ordered_phrasings(target.question, target.phrasings)[:per_target])
            drop |= {line for line, text in zip(listed.item_lines, listed, strict=True) if text.strip() not in keep}
        _drop_lines(path, drop)
    path = content / "unanswered.yaml"
    data = parse_file(path, Checker())
    assert isinstance(data, YamlMap)
    listed = data["unanswered"]
    vectors = shared_embedder().encode_cached([text.strip() for text in listed])
    keep_rows = set(facility_order(vectors)[:unanswered])
    _drop_lines(path, {line for row, line in enumerate(listed.item_lines) if row not in keep_rows})
    after = load_library(content)
    print(f"content now: {after.summary()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--prune", type=int, metavar="K", help="keep the first K phrasings of every target")
    parser.add_argument("--unanswered", type=int, default=100, help="with --prune: keep this many unanswered")
    args = parser.parse_args()
    if args.prune:
        prune(args.content, args.prune, args.unanswered)
        return
    library = load_library(args.content)
    for target in library.targets:
        print(f"{target.id}:")
        for rank, text in enumerate(ordered_phrasings(target.question, target.phrasings), 1):
            print(f"  {rank:3} {text}")


if __name__ == "__main__":
    main()
