"""Retrieval benchmark: quality on a held-out question set and latency as the knowledge base grows.

Run with `bin/assistant bench retrieval`. Figures are printed, never asserted: they go into the README.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import yaml

from assistant.config import ROOT, get_settings
from assistant.retrieval.searcher import Searcher, open_searcher

EVAL_FILE = ROOT / "tests" / "data" / "retrieval_eval.yaml"
RESEARCH_MODEL = ROOT / "var" / "research" / "embedding" / "m3e-small"


def load_eval(path: Path = EVAL_FILE) -> tuple[list[dict], list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data["in_scope"], [str(q) for q in data["out_of_scope"]]


def is_hit(hit, expected: dict) -> bool:
    return hit.entry.product == expected["product"] and expected.get("kind") in (None, hit.entry.kind)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def evaluate(searcher: Searcher, in_scope: list[dict], out_of_scope: list[str], lexical_only: bool = False) -> dict:
    reciprocal, hit1, hit3, latencies, accepted = [], 0, 0, [], 0
    for item in in_scope:
        started = time.perf_counter()
        if lexical_only:
            hits = lexical_ranking(searcher, item["q"])
            in_scope_flag = None
        else:
            result = searcher.search(item["q"], top=10)
            hits, in_scope_flag = result.hits, result.in_scope
        latencies.append((time.perf_counter() - started) * 1000)
        ranks = [n for n, hit in enumerate(hits, 1) if is_hit(hit, item)]
        first = ranks[0] if ranks else None
        hit1 += first == 1
        hit3 += first is not None and first <= 3
        reciprocal.append(1.0 / first if first else 0.0)
        accepted += bool(in_scope_flag)
    rejected = 0
    if not lexical_only:
        for question in out_of_scope:
            started = time.perf_counter()
            rejected += not searcher.search(question, top=10).in_scope
            latencies.append((time.perf_counter() - started) * 1000)
    n = len(in_scope)
    return {
        "hit@1": hit1 / n, "hit@3": hit3 / n, "mrr": statistics.fmean(reciprocal),
        "in_scope_recall": None if lexical_only else accepted / n,
        "out_of_scope_acc": None if lexical_only else rejected / len(out_of_scope),
        "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
    }


def lexical_ranking(searcher: Searcher, question: str):
    from assistant.retrieval.lexical import tokenize
    from assistant.retrieval.searcher import Hit
    from assistant.text import normalize

    scores = searcher.index.lexical.get_scores(tokenize(normalize(question)))
    order = np.argsort(-scores, kind="stable")[:10]
    return [Hit(searcher.kb.entries[i], float(scores[i]), 0.0, float(scores[i])) for i in order]


def _row(name: str, m: dict) -> str:
    def fmt(v):
        return "  —  " if v is None else f"{v:.3f}"

    return (f"| {name} | {fmt(m['hit@1'])} | {fmt(m['hit@3'])} | {fmt(m['mrr'])} | {fmt(m['in_scope_recall'])} "
            f"| {fmt(m['out_of_scope_acc'])} | {m['p50_ms']:.1f} | {m['p95_ms']:.1f} |")


def scaled_searcher(base: Searcher, n_entries: int, rng: np.random.Generator) -> Searcher:
    """A synthetic knowledge base of n_entries: copies of the real entries with jittered vectors and the same text."""
    import bm25s

    from assistant.kb.loader import KnowledgeBase
    from assistant.retrieval.index import RetrievalIndex, Unit, lexical_document, make_faiss_index

    kb = base.kb
    copies = -(-n_entries // len(kb.entries))
    entries, units, vectors = [], [], []
    real = base.index.dense.reconstruct_n(0, base.index.dense.ntotal)
    docs = [lexical_document(kb, i) for i in range(len(kb.entries))]
    lexical_docs = []
    for c in range(copies):
        for i, entry in enumerate(kb.entries):
            if len(entries) >= n_entries:
                break
            entries.append(entry if c == 0 else entry.model_copy(update={"id": f"{entry.id}-copy{c}"}))
            lexical_docs.append(docs[i])
    offset = {}
    for uid, unit in enumerate(base.index.units):
        offset.setdefault(unit.entry, []).append(uid)
    for new_index, entry in enumerate(entries):
        source = new_index % len(kb.entries)
        for uid in offset[source]:
            units.append(Unit(new_index, base.index.units[uid].text, base.index.units[uid].is_query))
            vector = real[uid] + (rng.normal(0, 0.02, real.shape[1]) if new_index >= len(kb.entries) else 0)
            vectors.append(vector / np.linalg.norm(vector))
    lexical = bm25s.BM25()
    lexical.index(lexical_docs, show_progress=False)
    topics = {pid: t for pid, t in kb.topics.items()}
    big_kb = KnowledgeBase(topics=topics, entries=entries, fingerprint="synthetic")
    index = RetrievalIndex([e.id for e in entries], units, make_faiss_index(np.asarray(vectors, dtype=np.float32)),
                           lexical, {"fingerprint": "synthetic"})
    return Searcher(big_kb, index, base.embedder, base.calibrator)


def run_retrieval_bench(st_model: str | None = None, sizes: str = "1000,10000,100000", quality: bool = True) -> int:
    settings = get_settings()
    in_scope, out_of_scope = load_eval()
    print(f"评测集 {EVAL_FILE.relative_to(ROOT)}: {len(in_scope)} in-scope, {len(out_of_scope)} out-of-scope questions "
          f"(never indexed)\n")
    default = open_searcher(settings)
    if quality:
        _quality_table(settings, default, in_scope, out_of_scope, st_model)
    _scale_table(default, in_scope, sizes)
    return 0


def _quality_table(settings, default: Searcher, in_scope: list[dict], out_of_scope: list[str], st_model: str | None):
    print("| ranking | hit@1 | hit@3 | MRR | in-scope recall | out-of-scope acc | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|")
    evaluate(default, in_scope[:5], out_of_scope[:5])  # warm-up
    print(_row(f"hybrid, {default.embedder.name} (default)", evaluate(default, in_scope, out_of_scope)), flush=True)
    print(_row("lexical only (BM25 over jieba)", evaluate(default, in_scope, out_of_scope, lexical_only=True)),
          flush=True)
    model_dir = st_model or (str(RESEARCH_MODEL) if RESEARCH_MODEL.is_dir() else None)
    if model_dir:
        from assistant.retrieval.embedders import SentenceTransformerEmbedder

        other = open_searcher(settings, embedder=SentenceTransformerEmbedder(model_dir))
        evaluate(other, in_scope[:5], out_of_scope[:5])
        print(_row(f"hybrid, {other.embedder.name} (sentence-transformers)", evaluate(other, in_scope, out_of_scope)),
              flush=True)
    else:
        print("| sentence-transformers | (skipped: no model directory; pass --st-model DIR) |")


def _scale_table(default: Searcher, in_scope: list[dict], sizes: str) -> None:
    if not sizes:
        return
    print("\n| entries | vectors | index | p50 ms | p95 ms |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(7)
    questions = [item["q"] for item in in_scope[:100]]
    import assistant.retrieval.index as index_module

    for size in [int(s) for s in sizes.split(",") if s]:
        for label, threshold in (("flat", 10**12), ("hnsw", 0)):
            if label == "hnsw" and size < 10000:
                continue
            index_module.HNSW_THRESHOLD = threshold
            big = scaled_searcher(default, size, rng)
            latencies = []
            for question in questions:
                started = time.perf_counter()
                big.search(question, top=5)
                latencies.append((time.perf_counter() - started) * 1000)
            print(f"| {size} | {big.index.dense.ntotal} | {label} | {percentile(latencies, 50):.1f} "
                  f"| {percentile(latencies, 95):.1f} |", flush=True)


GRADED_DIR = ROOT / "tests" / "data" / "graded"


def run_scoring_bench() -> int:
    """Agreement of the scorer with hand grades written before the scorer ran (tests/data/graded/)."""
    import json

    from scipy.stats import spearmanr

    from assistant.scoring import score_transcript

    rows = []
    for path in sorted(GRADED_DIR.glob("*.json")):
        transcript = json.loads(path.read_text(encoding="utf-8"))
        grade = transcript["grade"]
        report = score_transcript(transcript)
        violations = sum(f["status"] == "violation" for f in report["findings"])
        rows.append((path.stem, grade, report, violations))
    hand = [g["total"] for _, g, _, _ in rows]
    auto = [r["total"] for _, _, r, _ in rows]
    rho = spearmanr(hand, auto).statistic
    agree = sum(g["passed"] == r["passed"] for _, g, r, _ in rows) / len(rows)
    mae = sum(abs(h - a) for h, a in zip(hand, auto)) / len(rows)
    slips = [(n, v) for n, g, _, v in rows if g.get("compliance_slip")]
    clean = [(n, v) for n, g, _, v in rows if not g.get("compliance_slip")]
    print(f"评分一致性 on {len(rows)} hand-graded transcripts ({GRADED_DIR.relative_to(ROOT)})\n")
    print("| transcript | hand total | auto total | hand pass | auto pass | violations found |")
    print("|---|---|---|---|---|---|")
    for name, grade, report, violations in rows:
        print(f"| {name} | {grade['total']} | {report['total']} | {grade['passed']} | {report['passed']} | {violations} |")
    print(f"\nSpearman (totals): {rho:.3f}   pass/fail agreement: {agree:.3f}   mean absolute error: {mae:.1f}")
    print(f"compliance slips caught: {sum(v > 0 for _, v in slips)}/{len(slips)}   "
          f"false compliance alarms on the others: {sum(v > 0 for _, v in clean)}/{len(clean)}")
    return 0


DRILL_SCRIPTS = ROOT / "tests" / "data" / "drills"


def run_drill_bench(rounds: int = 3) -> int:
    """Customer-turn latency through the real Rasa server and action server, against the library alone (same turns)."""
    import os
    import shutil
    import tempfile
    import uuid

    from assistant.stack import RasaStack

    scripts = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["strong"] for p in sorted(DRILL_SCRIPTS.glob("*.yaml"))}
    workdir = Path(tempfile.mkdtemp(prefix="drill-bench-"))
    if (get_settings().index_dir).is_dir():
        shutil.copytree(get_settings().index_dir, workdir / "index")
    os.environ["ASSISTANT_VAR"] = str(workdir)  # the bench's drills never land in the real database

    from assistant.drill import service

    library, through_rasa = [], []
    for n in range(rounds):
        for scenario, lines in scripts.items():
            drill = service.start_drill(f"bench-{uuid.uuid4().hex}", scenario, seed=n)
            for line in lines:
                started = time.perf_counter()
                done = service.take_turn(drill["id"], line)["done"]
                library.append((time.perf_counter() - started) * 1000)
                if done:
                    break
    stack = RasaStack(workdir).start()
    try:
        for n in range(rounds):
            for scenario, lines in scripts.items():
                sender = f"bench-{uuid.uuid4().hex}"
                stack.say(sender, f"开始演练 {scenario}")
                for line in lines:
                    started = time.perf_counter()
                    replies = stack.say(sender, line)
                    through_rasa.append((time.perf_counter() - started) * 1000)
                    if any("演练评分" in (m.get("text") or "") for m in replies):
                        break
    finally:
        stack.close()
    print(f"customer-turn latency, {len(scripts)} scenarios x {rounds} rounds of scripted staff lines\n")
    print("| path | turns | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    print(f"| library only (engine + understanding + SQLite) | {len(library)} | {percentile(library, 50):.0f} | "
          f"{percentile(library, 95):.0f} |")
    print(f"| REST → Rasa → action server → library | {len(through_rasa)} | {percentile(through_rasa, 50):.0f} | "
          f"{percentile(through_rasa, 95):.0f} |")
    print(f"\nRasa's share (ratio of medians): {percentile(through_rasa, 50) / percentile(library, 50):.2f}x")
    return 0
