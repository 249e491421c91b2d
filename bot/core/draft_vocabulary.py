"""The vocabulary a draft can read off the article itself (``vocabulary.yaml``), inventing nothing.

Two kinds of name are written two ways by readers, and the article shows both forms:
* a name written as one word of capitalised parts ("DeepSeek"), which readers also split ("deep seek");
* a name spelt out with its acronym in brackets ("World Intellectual Property Organization (WIPO)"),
  which readers ask by either.
Synonyms and stopwords of the article's own are left to its owner: the text cannot tell them.
"""

from __future__ import annotations

import re

_JOINED = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b")
_PART = re.compile(r"[A-Z][a-z]+")
_SPELT_OUT = re.compile(r"\b((?:[A-Z][\w-]*\s+(?:(?:of|for|and|the|on)\s+)?){1,7})\(([A-Z]{2,})\)")
_SMALL = {"of", "for", "and", "the", "on"}


def rewrites(text: str) -> dict[str, str]:
    """Phrase → the one word both forms are read as, in the order the article first uses them."""
    found: dict[str, str] = {}
    for joined in _JOINED.findall(text):
        found.setdefault(" ".join(_PART.findall(joined)).lower(), joined.lower())
    for spelt, acronym in _SPELT_OUT.findall(text):
        words = [w for w in spelt.split() if w.lower() not in _SMALL]
        words = words[-len(acronym) :]  # "a World Intellectual Property Organization (WIPO)": the last four
        if len(words) == len(acronym) and all(w[0] == a for w, a in zip(words, acronym, strict=True)):
            start = spelt.split().index(words[0])
            found.setdefault(" ".join(spelt.split()[start:]).lower(), acronym.lower())
    return found
