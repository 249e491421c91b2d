"""YAML that remembers where each value stands, and a checker that reports ``file:line: message``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

# Ids travel in callback data and deep links: short, and safe in a URL.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class YamlMap(dict[str, Any]):
    line: int
    key_lines: dict[str, int]


class YamlList(list[Any]):
    line: int
    item_lines: list[int]


# libyaml's parser when PyYAML has it (its wheels do): about 5 times faster at start-up, same marks.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader whose mappings and lists remember the line each value starts on."""

    duplicate_keys: list[tuple[int, str]]


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    result = YamlMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        raw_key = loader.construct_object(key_node, deep=True)
        if not isinstance(raw_key, str | int | float | bool) and raw_key is not None:
            raise yaml.constructor.ConstructorError(None, None, "a key must be plain text", key_node.start_mark)
        key = str(raw_key)
        if key in result:
            loader.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_list(loader: _Loader, node: yaml.SequenceNode) -> YamlList:
    result = YamlList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_date(loader: _Loader, node: yaml.ScalarNode) -> object:
    """Dates such as 2025-02-30 look like dates to YAML but are not: say where, not a traceback."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark
        ) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)


class Checker:
    """Collects ``file:line: message`` errors while reading raw YAML values."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.file = ""

    def error(self, line: int, message: str) -> None:
        self.errors.append(f"{self.file}:{line}: {message}")

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"{self.file}:{line}: {message}")

    def fields(self, item: Any, line: int, what: str, required: set[str], optional: set[str]) -> YamlMap | None:
        if not isinstance(item, YamlMap):
            self.error(line, f"{what}: expected a mapping of fields, got {kind_of(item)}")
            return None
        for key in item:
            if key not in required | optional:
                allowed = ", ".join(sorted(required | optional))
                self.error(item.key_lines[key], f"{what}: unknown key {key!r} (allowed: {allowed})")
        for key in sorted(required - item.keys()):
            self.error(item.line, f"{what}: missing field {key!r}")
        return item

    def text(self, item: YamlMap, key: str, what: str, max_chars: int | None = None) -> str:
        value = item.get(key)
        line = item.key_lines.get(key, item.line)
        if key not in item:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error(line, f"{what}: {key!r} must be text, got {kind_of(value)}")
            return ""
        value = value.strip()
        if not value:
            self.error(line, f"{what}: {key!r} is empty")
        elif max_chars is not None and len(value) > max_chars:
            self.error(line, f"{what}: {key!r} has {len(value)} characters, at most {max_chars} allowed")
        return value

    def texts(self, item: YamlMap, key: str, what: str, allow_empty: bool = False) -> tuple[str, ...]:
        value = item.get(key, YamlList())
        line = item.key_lines.get(key, item.line)
        if key not in item:
            return ()
        if not isinstance(value, YamlList):
            self.error(line, f"{what}: {key!r} must be a list, got {kind_of(value)}")
            return ()
        if not value and not allow_empty:
            self.error(line, f"{what}: {key!r} is empty")
        result = []
        for item_line, element in zip(value.item_lines, value, strict=True):
            if isinstance(element, (int, float)) and not isinstance(element, bool):
                element = str(element)
            if not isinstance(element, str) or not element.strip():
                self.error(item_line, f"{what}: every item of {key!r} must be non-empty text")
                continue
            result.append(element.strip())
        return tuple(result)

    def ident(self, item: YamlMap, what: str, seen: dict[str, str]) -> str:
        ident = self.text(item, "id", what)
        line = item.key_lines.get("id", item.line)
        if ident and not ID_PATTERN.match(ident):
            self.error(line, f"{what}: id {ident!r} must be lowercase letters, digits and dashes, at most 40")
        elif ident in seen:
            self.error(line, f"{what}: duplicate id {ident!r} (first defined at {seen[ident]})")
        elif ident:
            seen[ident] = f"{self.file}:{line}"
        return ident

    def items(self, value: Any, line: int, key: str) -> Iterable[tuple[int, Any]]:
        if not isinstance(value, YamlList):
            self.error(line, f"{key!r} must be a list, got {kind_of(value)}")
            return []
        if not value:
            self.error(line, f"{key!r} is empty")
        return zip(value.item_lines, value, strict=True)


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        YamlMap: "a mapping",
        YamlList: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def parse_file(path: Path, check: Checker) -> YamlMap | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        check.error(1, f"cannot read file: {exc}")
        return None
    loader = _Loader(text)
    loader.duplicate_keys = []
    try:
        document = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        check.error(line, f"YAML syntax error: {exc.problem or exc.context}")
        return None
    except yaml.YAMLError as exc:
        check.error(1, f"YAML error: {exc}")
        return None
    finally:
        loader.dispose()
    for line, key in loader.duplicate_keys:
        check.error(line, f"duplicate key {key!r}")
    if document is None:
        check.error(1, "file is empty")
        return None
    if not isinstance(document, YamlMap):
        check.error(1, f"expected a mapping of top-level keys, got {kind_of(document)}")
        return None
    return document
