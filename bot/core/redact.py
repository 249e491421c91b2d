"""A database URL's password: found, so that logs never show it, and replaced, for the lines that name the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

__all__ = ["redact_url", "url_secrets"]


def url_secrets(url: str) -> list[str]:
    """The password in a database URL, as written and decoded (a ``password=`` parameter too): what logs
    and errors must never show."""
    parts = urlsplit(url)
    found = [parts.password or ""] + [value for name, value in parse_qsl(parts.query) if name == "password"]
    return sorted({form for text in found for form in (text, unquote(text)) if form}, key=len, reverse=True)


def redact_url(url: str) -> str:
    """The URL with its password replaced, fit for a log line."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if ":" in userinfo:
        userinfo = userinfo.split(":", 1)[0] + ":***"
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urlunsplit(parts._replace(netloc=f"{userinfo}{at}{host}", query=query))
