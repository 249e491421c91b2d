"""Chinese script: traditional characters read as simplified ones before a question is embedded or cut
into n-grams."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")  # Chinese characters (han), simplified or traditional


@functools.cache
def _to_simplified() -> Callable[[str], str]:
    import opencc

    converter = opencc.OpenCC("t2s")
    return converter.convert


def simplified(text: str) -> str:
    """Traditional Chinese characters as simplified ones (OpenCC): the embedding reads simplified
    Chinese better (on the tuning sets "這篇文章是誰寫的？" went to the wrong entry, "这篇文章是谁写的？" to the
    right one). Other text is left as it is."""
    if not HAN.search(text):
        return text
    return _to_simplified()(text)
