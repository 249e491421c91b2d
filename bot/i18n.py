"""The bot's own words around the article's, per reader language. They say nothing about the article:
the article's text is always quoted as it stands, in English."""

from __future__ import annotations

_TEXTS = {
    "en": {
        "frame": "",
        "caveat": "I can't find exactly that in the article. The nearest it says:",
        "not_found": "I couldn't find that in the article, so I won't guess.",
        "did_you_mean": "Did you mean one of these?",
        "figures": "The article's figures:",
        "headings": "Question by question:",
    },
    "zh": {
        "frame": "文章（英文）中写道：",
        "caveat": "文章中没有找到完全对应的内容。最接近的是（英文原文）：",
        "not_found": "抱歉，我在文章中没有找到相关内容，不做猜测。",
        "did_you_mean": "您是想问以下问题吗？",
        "figures": "文章中的数字（英文原文）：",
        "headings": "文章的各个问题（英文原文）：",
    },
}


def text(language: str, key: str) -> str:
    return _TEXTS.get(language, _TEXTS["en"])[key]
