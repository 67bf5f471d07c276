"""The retrieval index: dense vectors in FAISS plus BM25 over jieba tokens, stored beside a fingerprint.

Built into a temporary directory and renamed into place, so a crash mid-build never leaves a half index behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import bm25s
import faiss
import numpy as np

from assistant.content.loader import KnowledgeBase
from assistant.retrieval.embedders import Embedder
from assistant.retrieval.lexical import add_words, tokenize

log = logging.getLogger(__name__)

INDEX_FORMAT = 4
# Above this many vectors (about 8,500 entries) exact search costs more than HNSW; see the scale table of
# `bin/assistant bench retrieval` in docs/measurements.md.
HNSW_THRESHOLD = 40_000
PASSAGE_CHARS = 300


@dataclass
class Unit:
    """One embedded text: an entry's passage, one of its example questions, or its topic's names."""

    entry: int
    text: str
    is_query: bool


def topic_words(kb: KnowledgeBase) -> dict[str, list[str]]:
    return {pid: [topic.name, *topic.synonyms] for pid, topic in kb.topics.items()}


def build_units(kb: KnowledgeBase) -> list[Unit]:
    units: list[Unit] = []
    first_of_topic: set[str] = set()
    for i, entry in enumerate(kb.entries):
        units.append(Unit(i, f"{entry.title}。{entry.text}"[:PASSAGE_CHARS], False))
        units.extend(Unit(i, q, True) for q in entry.questions)
        if entry.product not in first_of_topic and entry.kind in ("fab", "process", "service_step"):
            topic = kb.topics[entry.product]
            units.append(Unit(i, "、".join([topic.name, *topic.synonyms]), True))
            first_of_topic.add(entry.product)
    return units


def lexical_document(kb: KnowledgeBase, index: int) -> list[str]:
    entry = kb.entries[index]
    topic = kb.topics[entry.product]
    parts = [entry.title, entry.text, *entry.questions, topic.name, *topic.synonyms]
    parts += [p for p in (entry.segment, entry.objection) if p]
    return tokenize(" ".join(parts))


def fingerprint(kb: KnowledgeBase, embedder_name: str, calibration: bytes) -> str:
    digest = hashlib.sha256(f"{INDEX_FORMAT}|{kb.fingerprint}|{embedder_name}|".encode() + calibration)
    return digest.hexdigest()[:16]


def make_faiss_index(vectors: np.ndarray) -> faiss.Index:
    dim = vectors.shape[1]
    if len(vectors) > HNSW_THRESHOLD:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 128
    else:
        index = faiss.IndexFlatIP(dim)
    index.add(vectors)
    return index


@dataclass
class RetrievalIndex:
    entry_ids: list[str]
    units: list[Unit]
    dense: faiss.Index
    lexical: bm25s.BM25
    meta: dict

    @property
    def fingerprint(self) -> str:
        return self.meta["fingerprint"]


def build_index(kb: KnowledgeBase, embedder: Embedder, calibration: bytes = b"") -> RetrievalIndex:
    started = time.perf_counter()
    add_words(w for words in topic_words(kb).values() for w in words)
    units = build_units(kb)
    vectors = np.zeros((len(units), embedder.dim), dtype=np.float32)
    queries = [i for i, u in enumerate(units) if u.is_query]
    passages = [i for i, u in enumerate(units) if not u.is_query]
    for rows, encode in ((queries, embedder.encode_queries), (passages, embedder.encode_passages)):
        for start in range(0, len(rows), 64):
            batch = rows[start : start + 64]
            vectors[batch] = encode([units[i].text for i in batch])
    lexical = bm25s.BM25()
    lexical.index([lexical_document(kb, i) for i in range(len(kb.entries))], show_progress=False)
    meta = {
        "fingerprint": fingerprint(kb, embedder.name, calibration),
        "kb_fingerprint": kb.fingerprint,
        "embedder": embedder.name,
        "entries": len(kb.entries),
        "units": len(units),
        "built_seconds": round(time.perf_counter() - started, 2),
    }
    return RetrievalIndex([e.id for e in kb.entries], units, make_faiss_index(vectors), lexical, meta)


def save_index(index: RetrievalIndex, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".index-", dir=target.parent))
    try:
        faiss.write_index(index.dense, str(staging / "dense.faiss"))
        index.lexical.save(str(staging / "bm25"), show_progress=False)
        units = [{"entry": u.entry, "text": u.text, "is_query": u.is_query} for u in index.units]
        (staging / "units.json").write_text(
            json.dumps({"entry_ids": index.entry_ids, "units": units}, ensure_ascii=False)
        )
        # meta.json last: its presence marks a complete index.
        (staging / "meta.json").write_text(json.dumps(index.meta, ensure_ascii=False, indent=1))
        old = target.with_name(target.name + ".old")
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_index(source: Path, expected_fingerprint: str) -> RetrievalIndex | None:
    """The stored index if it is complete, readable and built from the same content and model; else None."""
    try:
        meta = json.loads((source / "meta.json").read_text())
        if meta.get("fingerprint") != expected_fingerprint:
            return None
        stored = json.loads((source / "units.json").read_text())
        units = [Unit(u["entry"], u["text"], u["is_query"]) for u in stored["units"]]
        dense = faiss.read_index(str(source / "dense.faiss"))
        lexical = bm25s.BM25.load(str(source / "bm25"), show_progress=False)
        if dense.ntotal != len(units):
            raise ValueError(f"dense index has {dense.ntotal} vectors for {len(units)} units")
        return RetrievalIndex(stored["entry_ids"], units, dense, lexical, meta)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a corrupt index is rebuilt, never served
        log.warning("stored index at %s is unreadable (%s); rebuilding", source, exc)
        return None
