"""Features of a staff line: character n-grams (robust to typos, missing punctuation, dialect) and a sentence embedding.

Punctuation is dropped before the n-grams, so "您好,请坐。" and a speech-to-text "您好请坐" look alike to the model.
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse

from assistant.text import normalize

_PUNCT = re.compile(r"[^\w\u4e00-\u9fff]+")
_CLAUSE_SPLIT = re.compile(r"[。!?;!?;\n,,、…~～]+|\s{1,}")
EMBED_CHARS = 64  # the embedder sees at most this much of a turn: its cost grows with length (64: ~85 ms, 160: ~240 ms on 2 cores); the n-grams see it all
EMBED_WEIGHT = 2.0  # scale of the embedding block next to the tf-idf block (both L2-normalised rows)


def squash(text: str) -> str:
    """Normalised text without punctuation, for the character n-grams."""
    return _PUNCT.sub(" ", normalize(text)).strip().lower()


def split_clauses(text: str) -> list[str]:
    """Clauses of a turn; a turn without punctuation (speech-to-text) is cut at spaces, else kept whole."""
    parts = [p.strip() for p in _CLAUSE_SPLIT.split(normalize(text)) if p and p.strip()]
    return [p for p in parts if _PUNCT.sub("", p)] or [normalize(text)]


_SENTENCE_END = re.compile(r"(?<=[。!?;!?;…])")
_COMMA_END = re.compile(r"(?<=[,,::])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a turn (after 。!?;), for finding one act inside a long turn."""
    return [p.strip() for p in _SENTENCE_END.split(normalize(text)) if len(_PUNCT.sub("", p)) >= 2]


def clause_windows(sentence: str) -> list[str]:
    """Two neighbouring clauses at a time of a sentence of three or more (cut after ,:), for an act told in one
    clause of a long comma-joined sentence: "……办了卡的话卡也在里头,收好,密码谁问都别说" holds a safety reminder
    that the whole sentence, mostly about documents, does not show."""
    parts = [p for p in _COMMA_END.split(sentence) if _PUNCT.sub("", p)]
    if len(parts) < 3:
        return []
    return [(parts[i] + parts[i + 1]).strip() for i in range(len(parts) - 1)]


def char_vectorizer(max_n: int = 3):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, max_n), min_df=2, sublinear_tf=True, preprocessor=squash, dtype=np.float32
    )


def combine(char_rows, embeddings: np.ndarray | None):
    if embeddings is None:
        return sparse.csr_matrix(char_rows)
    return sparse.hstack([char_rows, sparse.csr_matrix(embeddings * EMBED_WEIGHT)], format="csr")


def embed_text(text: str) -> str:
    return normalize(text)[:EMBED_CHARS]
