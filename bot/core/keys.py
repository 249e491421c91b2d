"""The bot's secret: it signs button data and keys readers' hashes, and is never kept in the question log.

Set ``ARTICLE_BOT_SECRET`` where the disk does not survive a restart; otherwise one is generated on the
first start and kept, readable by its owner only, in a file beside the question log (not inside it, so
the log alone reveals no one). Each use derives its own key from it, so one use's key tells nothing
about another's.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from contextlib import suppress
from pathlib import Path

log = logging.getLogger(__name__)

SECRET_VAR = "ARTICLE_BOT_SECRET"
MIN_SECRET_CHARS = 16


def secret_file(db_path: Path) -> Path:
    """Where a generated secret is kept: beside the question log, with the same lifetime."""
    return db_path.with_name(db_path.name + ".key")


def load_secret(configured: str | None, db_path: Path) -> bytes:
    """The configured secret, else the one generated on the first start (a per-run one if none can be kept)."""
    if configured:
        return configured.encode()
    path = secret_file(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with suppress(FileExistsError):
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_hex(32))
        text = path.read_text().strip()
        if len(text) >= MIN_SECRET_CHARS:
            return text.encode()
        log.error("%s holds no usable secret; using one for this run only (delete the file to renew it)", path)
    except OSError as exc:
        log.error("Secret not kept (%s): %s; buttons and vote counts reset with each restart", path, exc)
    return secrets.token_hex(32).encode()


def derive(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose ("buttons", "readers", …), independent of the others."""
    return hmac.new(secret, purpose.encode(), hashlib.sha256).digest()
