"""A two-entry content folder for tests of the lexical view and its data (vocabulary, parameters)."""

from __future__ import annotations

from pathlib import Path

ARTICLE = """\
article:
  title: A small article
  author: Hu Weijia
  outlet: Global Times
  date: 2025-02-21
passages:
  - id: p01
    text: In 2024 spending on research rose 10.5 percent.
  - id: p02
    text: The service had 250 million users by June.
topics: [growth, users]
entries:
  - id: growth
    question: How fast did research spending grow?
    label: Research spending
    phrasings: [research spending growth rate]
    answer: It rose 10.5 percent in 2024.
    passages: [p01]
  - id: users
    question: How many users does the service have?
    label: Users
    phrasings: [number of users]
    answer: It had 250 million users by June.
    passages: [p02]
figures:
  - id: research-growth
    measures: growth of research spending
    value: 10.5
    unit: percent
    period: "2024"
    label: 10.5% growth of research spending
    button: Research growth
    answer: Spending on research rose 10.5 percent in 2024.
    passage: p01
    phrasings: [research growth in percent]
"""


def small_content(directory: Path, **files: str) -> Path:
    """The small article in ``directory``, with more files (``vocabulary_yaml="..."``: vocabulary.yaml)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "article.yaml").write_text(ARTICLE, encoding="utf-8")
    for name, text in files.items():
        (directory / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return directory
