"""Hybrid search over the knowledge base: dense (FAISS) and lexical (BM25) rankings fused, plus an in-scope decision."""

from __future__ import annotations

import json
import logging
import math
import threading
from dataclasses import dataclass, field

import numpy as np

from assistant.config import Settings, get_settings
from assistant.content import Content, get_content
from assistant.content.loader import KnowledgeBase, load_calibration, load_kb
from assistant.content.topics import Entry
from assistant.retrieval.embedders import Embedder, load_embedder
from assistant.retrieval.index import RetrievalIndex, build_index, fingerprint, load_index, save_index, topic_words
from assistant.retrieval.lexical import add_words, tokenize
from assistant.text import input_problem, normalize

log = logging.getLogger(__name__)

RRF_K = 10
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.8
TOPIC_BOOST = 0.06  # the query names a topic (synonym list): its entries move up
KIND_BOOST = 0.03  # the query's wording asks for a kind of entry (一句话 → one_liner, 怕亏 → objection)
UNIT_CANDIDATES = 96
LEXICAL_CANDIDATES = 100

# Cue words for the kind of entry a question wants; a hint on top of the semantic ranking, never a filter.
KIND_CUES: dict[str, tuple[str, ...]] = {
    "objection": (
        "怕",
        "担心",
        "不想",
        "不需要",
        "不要",
        "考虑",
        "太低",
        "太高",
        "没钱",
        "没闲钱",
        "没时间",
        "麻烦",
        "不会用",
        "不放心",
        "异议",
        "拒绝",
        "嫌",
        "别家",
        "别的银行",
        "亏",
        "不安全",
        "不信",
        "怎么回",
        "咋回",
        "顾虑",
    ),
    "one_liner": ("一句话", "一句", "开口", "简短"),
    "fab": ("fab", "介绍", "卖点", "特点", "优势", "好处", "话术"),
    "service_step": ("第一步", "七步", "步骤", "动作", "怎么说"),
    "process": ("流程", "步骤", "怎么处理", "怎么做", "程序", "开什么"),
    "case": ("案例", "例子"),
}


@dataclass
class Hit:
    entry: Entry
    score: float
    dense: float
    lexical: float

    def to_dict(self) -> dict:
        e = self.entry
        return {
            "id": e.id,
            "product": e.product,
            "kind": e.kind,
            "title": e.title,
            "text": e.text,
            "score": round(self.score, 4),
        }


@dataclass
class SearchResult:
    query: str
    in_scope: bool
    hits: list[Hit]
    confidence: float
    suggestions: list[dict] = field(default_factory=list)  # closest topics to try when nothing fits

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "in_scope": self.in_scope,
            "hits": [h.to_dict() for h in self.hits],
            "confidence": round(self.confidence, 3),
            "suggestions": self.suggestions,
        }


class Calibrator:
    """Logistic model over retrieval features, fitted on scripts_kb/calibration.yaml when the index is built.

    Raw cosine from e5 sits in a narrow band (unrelated pairs score ~0.85), so a fixed threshold cannot separate
    in-scope questions from small talk; contrast and lexical evidence can.
    """

    FEATURES = ("dense_top", "dense_contrast", "lexical_top", "names_topic", "coverage")

    def __init__(self, coef: list[float], intercept: float, mean: list[float], scale: list[float]):
        self.coef, self.intercept = np.asarray(coef), float(intercept)
        self.mean, self.scale = np.asarray(mean), np.asarray(scale)

    def probability(self, features: np.ndarray) -> float:
        z = float(((features - self.mean) / self.scale) @ self.coef + self.intercept)
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict:
        return {
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "features": list(self.FEATURES),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Calibrator":
        return cls(data["coef"], data["intercept"], data["mean"], data["scale"])

    @classmethod
    def fit(cls, positives: np.ndarray, negatives: np.ndarray) -> "Calibrator":
        from sklearn.linear_model import LogisticRegression

        x = np.vstack([positives, negatives])
        y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
        model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit((x - mean) / scale, y)
        return cls(model.coef_[0].tolist(), float(model.intercept_[0]), mean.tolist(), scale.tolist())


FUZZY_MIN_CHARS = 3


def _masks(word: str) -> list[str]:
    """The word with one character (never the first) replaced by a wildcard: 大额存单 → 大?存单, 大额?单, 大额存?."""
    return [word[:i] + "\0" + word[i + 1 :] for i in range(1, len(word))]


class Searcher:
    def __init__(self, kb: KnowledgeBase, index: RetrievalIndex, embedder: Embedder, calibrator: Calibrator | None):
        self.kb, self.index, self.embedder, self.calibrator = kb, index, embedder, calibrator
        self._topic_words = sorted(
            ((w.lower(), pid) for pid, words in topic_words(kb).items() for w in words if len(w) >= 2),
            key=lambda pair: -len(pair[0]),
        )
        add_words(w for w, _ in self._topic_words)
        self._fuzzy: dict[str, str] = {}
        for word, pid in self._topic_words:
            if len(word) >= FUZZY_MIN_CHARS:
                for mask in _masks(word):
                    self._fuzzy.setdefault(mask, pid)
        self._fuzzy_lengths = sorted({len(w) for w, _ in self._topic_words if len(w) >= FUZZY_MIN_CHARS})
        self._entry_kinds = np.array([e.kind for e in kb.entries])
        self._entry_products = np.array([e.product for e in kb.entries])

    # -- features and ranking -------------------------------------------------------------------------------
    def named_topics(self, text: str) -> set[str]:
        """Topics whose name or synonym appears in the text, allowing one wrong character (an IME slip: 大额纯单)."""
        lowered = text.lower()
        named = {pid for word, pid in self._topic_words if word in lowered}
        for n in self._fuzzy_lengths:
            for start in range(len(lowered) - n + 1):
                for mask in _masks(lowered[start : start + n]):
                    pid = self._fuzzy.get(mask)
                    if pid is not None:
                        named.add(pid)
        return named

    def _rank(self, query: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Fused score, dense score and lexical score per entry, plus the query's feature vector."""
        n_entries = len(self.kb.entries)
        vector = self.embedder.encode_queries([query])
        k = min(UNIT_CANDIDATES, self.index.dense.ntotal)
        unit_scores, unit_ids = self.index.dense.search(vector, k)
        dense = np.full(n_entries, -1.0, dtype=np.float32)
        for score, uid in zip(unit_scores[0], unit_ids[0], strict=False):
            if uid >= 0:
                entry = self.index.units[uid].entry
                dense[entry] = max(dense[entry], score)
        tokens = tokenize(query)
        lexical = self.index.lexical.get_scores(tokens) if tokens else np.zeros(n_entries, dtype=np.float32)

        fused = np.zeros(n_entries, dtype=np.float64)
        # Reciprocal-rank fusion over each ranking's own candidates: O(n) per query, no full sort of the corpus.
        for scores, weight, floor in ((dense, DENSE_WEIGHT, -1.0), (lexical, LEXICAL_WEIGHT, 0.0)):
            count = min(LEXICAL_CANDIDATES, n_entries)
            candidates = np.argpartition(-scores, count - 1)[:count] if count < n_entries else np.arange(n_entries)
            candidates = candidates[scores[candidates] > floor]
            ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
            fused[ordered] += weight / (RRF_K + np.arange(1, len(ordered) + 1))
        retrieved = fused > 0  # boosts reorder what either ranking found; they never bring in an unrelated entry
        named = self.named_topics(query)
        if named:
            fused += TOPIC_BOOST * (retrieved & np.isin(self._entry_products, list(named)))
        lowered = query.lower()
        for kind, cues in KIND_CUES.items():
            if any(cue in lowered for cue in cues):
                fused += KIND_BOOST * (retrieved & (self._entry_kinds == kind))

        valid = unit_scores[0][unit_ids[0] >= 0]
        background = float(np.mean(valid[len(valid) // 2 :])) if len(valid) > 1 else 0.0
        vocab = self.index.lexical.vocab_dict
        coverage = sum(t in vocab for t in tokens) / len(tokens) if tokens else 0.0
        features = np.array(
            [
                float(valid[0]) if len(valid) else 0.0,
                float(valid[0]) - background if len(valid) else 0.0,
                math.log1p(float(lexical.max())) if n_entries else 0.0,
                1.0 if named else 0.0,
                coverage,
            ]
        )
        return fused, dense, lexical, features

    def features(self, query: str) -> np.ndarray:
        return self._rank(normalize(query))[3]

    # -- public -------------------------------------------------------------------------------------------
    def search(self, query: str, top: int = 5) -> SearchResult:
        text = normalize(query)
        top = max(1, min(int(top), 50))
        if input_problem(text, max_chars=10_000):
            return SearchResult(query=query, in_scope=False, hits=[], confidence=0.0, suggestions=self._suggest([]))
        fused, dense, lexical, features = self._rank(text)
        best = np.flatnonzero(fused > 0)
        order = best[np.argsort(-fused[best], kind="stable")][:top]
        if len(order) < top:  # nothing scored (no tokens, no vectors): fall back to plain order
            order = np.r_[order, np.setdiff1d(np.arange(len(fused)), order)[: top - len(order)]]
        hits = [Hit(self.kb.entries[i], float(fused[i]), float(dense[i]), float(lexical[i])) for i in order]
        confidence = self.calibrator.probability(features) if self.calibrator else 1.0
        in_scope = confidence >= 0.5
        return SearchResult(
            query=query,
            in_scope=in_scope,
            hits=hits,
            confidence=confidence,
            suggestions=[] if in_scope else self._suggest(hits),
        )

    def _suggest(self, hits: list[Hit]) -> list[dict]:
        products: list[str] = []
        for hit in hits:
            if hit.entry.product not in products:
                products.append(hit.entry.product)
        for fallback in ("fund_sip", "deposit", "service_standard"):
            if len(products) >= 3:
                break
            if fallback not in products:
                products.append(fallback)
        return [{"product": p, "name": self.kb.topic_name(p)} for p in products[:3]]

    def topic_kit(self, product: str) -> dict[str, list[Entry]]:
        """One topic's entries grouped by kind, so a FAB, its one-liners and objection answers come together."""
        kit: dict[str, list[Entry]] = {}
        for entry in self.kb.topics[product].entries:
            kit.setdefault(entry.kind, []).append(entry)
        return kit


# -- building and caching -------------------------------------------------------------------------------------
def open_searcher(
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    rebuild: bool = False,
    content: Content | None = None,
) -> Searcher:
    """The stored index for the content's topics, built (and calibrated) when content or model changed. Without
    `content`, the topics and calibration questions are read from settings.kb_dir (building the index, tests)."""
    settings = settings or get_settings()
    if content is not None:
        kb, (positives, negatives, raw) = content.kb, content.calibration
    else:
        kb, (positives, negatives, raw) = load_kb(settings.kb_dir), load_calibration(settings.kb_dir)
    embedder = embedder or load_embedder(settings.embedder)

    expected = fingerprint(kb, embedder.name, raw)
    target = settings.index_dir / embedder.name.replace(":", "_").replace("/", "_")
    index = None if rebuild else load_index(target, expected)
    if index is None:
        index = build_index(kb, embedder, raw)
        searcher = Searcher(kb, index, embedder, None)
        if positives and negatives:
            calibrator = Calibrator.fit(
                np.array([searcher.features(q) for q in positives]),
                np.array([searcher.features(q) for q in negatives]),
            )
            index.meta["calibrator"] = calibrator.to_dict()
        try:
            save_index(index, target)
        except OSError as exc:  # a read-only or full disk: serve the index built in memory, rebuild next start
            log.error("could not store the rebuilt index at %s (%s); serving it from memory", target, exc)
        log.info("built retrieval index %s: %s", index.fingerprint, json.dumps(index.meta, ensure_ascii=False)[:300])
    calibrator = Calibrator.from_dict(index.meta["calibrator"]) if "calibrator" in index.meta else None
    return Searcher(kb, index, embedder, calibrator)


class _SearcherCache:
    """One searcher per process, rebuilt when the content's topics or calibration questions change (the content
    store decides what content serves: a broken edit keeps the previous content, and so the previous index)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._key: tuple | None = None

    def get(self) -> Searcher:
        content = get_content()
        with self._lock:
            if self._searcher is None or content.retrieval_key != self._key:
                embedder = self._searcher.embedder if self._searcher else None
                self._searcher = open_searcher(get_settings(), embedder=embedder, content=content)
                self._key = content.retrieval_key
            return self._searcher


_cache = _SearcherCache()


def get_searcher() -> Searcher:
    return _cache.get()
