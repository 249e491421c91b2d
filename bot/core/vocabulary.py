"""An article's own words (``vocabulary.yaml``), read and validated like the rest of the content.

The format is documented at the top of content/vocabulary.yaml and in the README's content section.
"""

from __future__ import annotations

from typing import Any

from bot.core.normalise import STOPWORDS, Vocabulary, read_as
from bot.core.yamlcheck import Checker, YamlList, YamlMap, kind_of


def read_vocabulary(value: Any, line: int, check: Checker) -> Vocabulary | None:
    item = check.fields(value, line, "vocabulary", set(), {"synonyms", "rewrites", "stopwords"})
    if item is None:
        return None
    stopwords = _stopwords(item, check)
    return Vocabulary(_synonyms(item, stopwords | STOPWORDS, check), _rewrites(item, check), stopwords)


def _words(text: str, line: int, what: str, check: Checker) -> list[str]:
    """The words of one line, each one word as questions are read (else an error, and left out)."""
    result = []
    for raw in text.split():
        said = read_as(raw)
        if len(said) != 1 or said[0] != raw.casefold():
            check.error(line, f"vocabulary: {what}: {raw!r} is not one word as questions are read")
        else:
            result.append(said[0])
    return result


def _stopwords(item: YamlMap, check: Checker) -> frozenset[str]:
    if "stopwords" not in item:
        return frozenset()
    value, line = item["stopwords"], item.key_lines["stopwords"]
    if not isinstance(value, str) or not value.strip():
        check.error(line, f"vocabulary: 'stopwords' must be a line of words, got {kind_of(value)}")
        return frozenset()
    return frozenset(_words(value, line, "stopwords", check))


def _synonyms(item: YamlMap, stopwords: frozenset[str], check: Checker) -> tuple[tuple[str, ...], ...]:
    if "synonyms" not in item:
        return ()
    value = item["synonyms"]
    if not isinstance(value, YamlList) or not value:
        what = "empty" if isinstance(value, YamlList) else kind_of(value)
        check.error(item.key_lines["synonyms"], f"vocabulary: 'synonyms' must be a list of groups, got {what}")
        return ()
    groups = []
    group_of: dict[str, int] = {}  # word → line of its group
    for line, raw in zip(value.item_lines, value, strict=True):
        if not isinstance(raw, str) or not raw.strip():
            what = "an empty group" if isinstance(raw, str) or raw is None else kind_of(raw)
            check.error(line, f"vocabulary: synonyms: a group is a line of words, got {what}")
            continue
        group: list[str] = []
        for word in _words(raw, line, "synonyms", check):
            if word in stopwords:
                check.error(line, f"vocabulary: synonyms: {word!r} is a stopword: questions never keep it")
            elif word in group_of:
                where = (
                    "twice in this group" if group_of[word] == line else f"also in the group at line {group_of[word]}"
                )
                check.error(line, f"vocabulary: synonyms: {word!r} is {where}")
            else:
                group_of[word] = line
                group.append(word)
        if len(raw.split()) < 2:
            check.error(line, "vocabulary: synonyms: a group needs two words at least")
        elif group:
            groups.append(tuple(group))
    return tuple(groups)


def _rewrites(item: YamlMap, check: Checker) -> tuple[tuple[str, str], ...]:
    if "rewrites" not in item:
        return ()
    value = item["rewrites"]
    if not isinstance(value, YamlMap) or not value:
        what = "empty" if isinstance(value, YamlMap) else kind_of(value)
        check.error(item.key_lines["rewrites"], f"vocabulary: 'rewrites' must map phrases to replacements, got {what}")
        return ()
    result = []
    seen: dict[tuple[str, ...], int] = {}
    for phrase, replacement in value.items():
        line = value.key_lines[phrase]
        said = tuple(read_as(phrase))
        if not said:
            check.error(line, f"vocabulary: rewrites: {phrase!r} has no word to match")
        elif said in seen:
            check.error(line, f"vocabulary: rewrites: {phrase!r} is already rewritten at line {seen[said]}")
        elif not isinstance(replacement, str) or not read_as(replacement):
            check.error(
                line, f"vocabulary: rewrites: {phrase!r} needs words to rewrite it to, got {kind_of(replacement)}"
            )
        else:
            seen[said] = line
            result.append((phrase, replacement))
    return tuple(result)
