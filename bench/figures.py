"""Retrieval benchmark: quality on a held-out question set and latency as the knowledge base grows.

Run with `bin/assistant bench retrieval`. Figures are printed, never asserted: they go into docs/measurements.md.
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
        "hit@1": hit1 / n,
        "hit@3": hit3 / n,
        "mrr": statistics.fmean(reciprocal),
        "in_scope_recall": None if lexical_only else accepted / n,
        "out_of_scope_acc": None if lexical_only else rejected / len(out_of_scope),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
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

    return (
        f"| {name} | {fmt(m['hit@1'])} | {fmt(m['hit@3'])} | {fmt(m['mrr'])} | {fmt(m['in_scope_recall'])} "
        f"| {fmt(m['out_of_scope_acc'])} | {m['p50_ms']:.1f} | {m['p95_ms']:.1f} |"
    )


def scaled_searcher(base: Searcher, n_entries: int, rng: np.random.Generator) -> Searcher:
    """A synthetic knowledge base of n_entries: copies of the real entries with jittered vectors and the same text."""
    import bm25s

    from assistant.content.loader import KnowledgeBase
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
    for new_index, _entry in enumerate(entries):
        source = new_index % len(kb.entries)
        for uid in offset[source]:
            units.append(Unit(new_index, base.index.units[uid].text, base.index.units[uid].is_query))
            vector = real[uid] + (rng.normal(0, 0.02, real.shape[1]) if new_index >= len(kb.entries) else 0)
            vectors.append(vector / np.linalg.norm(vector))
    lexical = bm25s.BM25()
    lexical.index(lexical_docs, show_progress=False)
    topics = {pid: t for pid, t in kb.topics.items()}
    big_kb = KnowledgeBase(topics=topics, entries=entries, fingerprint="synthetic")
    index = RetrievalIndex(
        [e.id for e in entries],
        units,
        make_faiss_index(np.asarray(vectors, dtype=np.float32)),
        lexical,
        {"fingerprint": "synthetic"},
    )
    return Searcher(big_kb, index, base.embedder, base.calibrator)


def run_retrieval_bench(st_model: str | None = None, sizes: str = "1000,10000,100000", quality: bool = True) -> int:
    settings = get_settings()
    in_scope, out_of_scope = load_eval()
    print(
        f"评测集 {EVAL_FILE.relative_to(ROOT)}: {len(in_scope)} in-scope, {len(out_of_scope)} out-of-scope questions "
        f"(never indexed)\n"
    )
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
    print(
        _row("lexical only (BM25 over jieba)", evaluate(default, in_scope, out_of_scope, lexical_only=True)), flush=True
    )
    model_dir = st_model or (str(RESEARCH_MODEL) if RESEARCH_MODEL.is_dir() else None)
    if model_dir:
        from assistant.retrieval.embedders import SentenceTransformerEmbedder

        other = open_searcher(settings, embedder=SentenceTransformerEmbedder(model_dir))
        evaluate(other, in_scope[:5], out_of_scope[:5])
        print(
            _row(f"hybrid, {other.embedder.name} (sentence-transformers)", evaluate(other, in_scope, out_of_scope)),
            flush=True,
        )
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
            print(
                f"| {size} | {big.index.dense.ntotal} | {label} | {percentile(latencies, 50):.1f} "
                f"| {percentile(latencies, 95):.1f} |",
                flush=True,
            )


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
    mae = sum(abs(h - a) for h, a in zip(hand, auto, strict=False)) / len(rows)
    slips = [(n, v) for n, g, _, v in rows if g.get("compliance_slip")]
    clean = [(n, v) for n, g, _, v in rows if not g.get("compliance_slip")]
    print(f"评分一致性 on {len(rows)} hand-graded transcripts ({GRADED_DIR.relative_to(ROOT)})\n")
    print("| transcript | hand total | auto total | hand pass | auto pass | violations found |")
    print("|---|---|---|---|---|---|")
    for name, grade, report, violations in rows:
        print(
            f"| {name} | {grade['total']} | {report['total']} | {grade['passed']} | {report['passed']} | {violations} |"
        )
    print(f"\nSpearman (totals): {rho:.3f}   pass/fail agreement: {agree:.3f}   mean absolute error: {mae:.1f}")
    print(
        f"compliance slips caught: {sum(v > 0 for _, v in slips)}/{len(slips)}   "
        f"false compliance alarms on the others: {sum(v > 0 for _, v in clean)}/{len(clean)}"
    )
    return 0


DRILL_SCRIPTS = ROOT / "tests" / "data" / "drills"


def run_drill_bench(rounds: int = 3) -> int:
    """Customer-turn latency through the real Rasa server and action server, against the library alone (same turns)."""
    import os
    import shutil
    import tempfile
    import uuid

    from bench.servers import RasaStack

    scripts = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["strong"] for p in sorted(DRILL_SCRIPTS.glob("*.yaml"))
    }
    workdir = Path(tempfile.mkdtemp(prefix="drill-bench-"))
    if (get_settings().index_dir).is_dir():
        shutil.copytree(get_settings().index_dir, workdir / "index")
    os.environ["ASSISTANT_VAR"] = str(workdir)  # the bench's drills never land in the real database

    from assistant.services import drills

    library, through_rasa = [], []
    for n in range(rounds):
        for scenario, lines in scripts.items():
            drill = drills.start_drill(f"bench-{uuid.uuid4().hex}", scenario, seed=n)
            for line in lines:
                started = time.perf_counter()
                done = drills.take_turn(drill["id"], line).done
                library.append((time.perf_counter() - started) * 1000)
                if done:
                    break
    stack = RasaStack(workdir).start()
    try:
        for _round in range(rounds):
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
    print(
        f"| library only (engine + understanding + SQLite) | {len(library)} | {percentile(library, 50):.0f} | "
        f"{percentile(library, 95):.0f} |"
    )
    print(
        f"| REST → Rasa → action server → library | {len(through_rasa)} | {percentile(through_rasa, 50):.0f} | "
        f"{percentile(through_rasa, 95):.0f} |"
    )
    print(f"\nRasa's share (ratio of medians): {percentile(through_rasa, 50) / percentile(library, 50):.2f}x")
    return 0


AUDIO_DIR = ROOT / "tests" / "fixtures" / "audio"


def _comparable(text: str) -> str:
    """Normalised text without punctuation or spaces: what CER counts."""
    import re

    from assistant.text import normalize

    return re.sub(r"[^\w]|_", "", normalize(text))


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (ca != cb))
    return row[-1]


def char_error_rate(pairs: list[tuple[str, str]]) -> float:
    """Corpus CER over (reference, hypothesis) pairs: total edits over total reference characters."""
    refs = [(_comparable(r), _comparable(h)) for r, h in pairs]
    return sum(edit_distance(r, h) for r, h in refs) / max(1, sum(len(r) for r, _ in refs))


def load_audio_fixtures(directory: Path = AUDIO_DIR) -> list[tuple[str, bytes, str]]:
    rows = [
        line.split("\t") for line in (directory / "transcripts.tsv").read_text(encoding="utf-8").splitlines() if line
    ]
    return [(name, (directory / name).read_bytes(), text) for name, text in rows]


def wav_bytes(samples, rate: int = 16000) -> bytes:
    """Mono 16-bit WAV (standard library `wave`) from float samples in [-1, 1]."""
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return out.getvalue()


def phrase_clips(files: list[tuple[str, bytes, str]]) -> list[tuple[str, bytes]]:
    """Each utterance cut at its pauses (Silero VAD, 120 ms of silence) with 0.25 s either side: short lines
    like 您好 or 请收好, which is what much of a drill sounds like."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    from assistant.voice import asr

    clips = []
    for name, data, _ in files:
        audio = asr.decode(data)
        for span in get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=120, speech_pad_ms=0)):
            start, end = max(0, span["start"] - 4000), min(len(audio), span["end"] + 4000)
            clips.append((name, wav_bytes(audio[start:end])))
    return clips


def _time_utterances(model, files, configs, repeats: int, seconds: dict[str, float]):
    """(latencies, latencies of 4-6 s clips, first-run texts) per setting. Settings take turns on each clip, so a
    neighbour's load on this shared machine falls on all of them alike."""
    from assistant.voice import asr

    latencies: dict[str, list[float]] = {label: [] for label, _, _ in configs}
    mid: dict[str, list[float]] = {label: [] for label, _, _ in configs}
    texts: dict[str, list[str]] = {label: [] for label, _, _ in configs}
    for name, data, _ in files:
        for n in range(repeats):
            for label, min_frames, options in configs:
                model.min_frames = min_frames
                begun = time.perf_counter()
                text = asr.transcribe(data, model=model, **options)["text"]
                latencies[label].append(time.perf_counter() - begun)
                if 4 <= seconds[name] <= 6:
                    mid[label].append(latencies[label][-1])
                if n == 0:
                    texts[label].append(text)
    return latencies, mid, texts


def _time_phrases(model, phrases, configs):
    """(text heard per file, latency per phrase) per setting; a phrase heard as silence adds nothing."""
    from assistant.errors import InputError
    from assistant.voice import asr

    heard: dict[str, dict[str, str]] = {label: {} for label, _, _ in configs}
    phrase_times: dict[str, list[float]] = {label: [] for label, _, _ in configs}
    for name, data in phrases:
        for label, min_frames, options in configs:
            model.min_frames = min_frames
            begun = time.perf_counter()
            try:
                heard[label][name] = heard[label].get(name, "") + asr.transcribe(data, model=model, **options)["text"]
            except InputError:
                pass
            phrase_times[label].append(time.perf_counter() - begun)
    return heard, phrase_times


def run_asr_bench(repeats: int = 3, threads: int | None = None) -> int:
    """CER with and without the domain prompt, real-time factor, end-of-speech-to-text latency, load time, memory.

    Latency is timed from holding the whole utterance's bytes (what the server has when the button is released) to
    the text: decoding, VAD, recognition and normalising.
    """
    import os

    import psutil

    from assistant.errors import InputError
    from assistant.voice import asr

    process = psutil.Process()
    files = load_audio_fixtures()
    seconds = {name: asr.decode(data).size / asr.SAMPLE_RATE for name, data, _ in files}
    total = sum(seconds.values())
    threads = threads or asr.CPU_THREADS
    rss_before = process.memory_info().rss
    started = time.perf_counter()
    folder = asr.ensure_model()
    assembled = time.perf_counter()
    model = asr.load_model(threads=threads, folder=folder)
    loaded = time.perf_counter()
    rss_loaded = process.memory_info().rss
    prompt = asr.build_prompt()
    first = asr.transcribe(files[0][1], model=model)["seconds"]
    phrases = phrase_clips(files)
    print(
        f"{len(files)} utterances in {AUDIO_DIR.relative_to(ROOT)} ({total:.1f} s of speech, {repeats} timed runs "
        f"each) and the {len(phrases)} phrases they hold (one run each); {threads} CPU threads, "
        f"{psutil.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start\n"
    )
    print(
        f"model: assemble/check {assembled - started:.2f} s, load {loaded - assembled:.2f} s, first utterance "
        f"{first:.2f} s; process RSS {rss_before / 2**20:.0f} MB before load, {rss_loaded / 2**20:.0f} MB after"
    )
    print(f"prompt ({asr.prompt_tokens(prompt)} tokens): {prompt}\n")
    default = asr.MIN_WINDOW_FRAMES
    configs = [
        (f"default: window >= {default // 100} s, beam 1, VAD, prompt", default, {}),
        ("no prompt", default, {"use_prompt": False}),
        ("beam 5", default, {"beam_size": 5}),
        ("no VAD", default, {"vad": False}),
        ("window >= 15 s", 1500, {}),
        ("window = audio + 1 s", 0, {}),
        ("full 30 s window (as faster-whisper ships)", None, {}),
        ("full 30 s window, no prompt", None, {"use_prompt": False}),
    ]
    latencies, mid, texts = _time_utterances(model, files, configs, repeats, seconds)
    heard, phrase_times = _time_phrases(model, phrases, configs)
    print("| setting | CER | word-perfect | RTF | p50 s | p95 s | p50 s, 4-6 s clips | phrases: CER | p50 s | max s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, _, _ in configs:
        pairs = [(reference, text) for (_, _, reference), text in zip(files, texts[label], strict=False)]
        phrase_cer = char_error_rate([(reference, heard[label].get(name, "")) for name, _, reference in files])
        perfect = sum(_comparable(r) == _comparable(h) for r, h in pairs)
        print(
            f"| {label} | {char_error_rate(pairs):.3f} | {perfect}/{len(files)} | "
            f"{sum(latencies[label]) / repeats / total:.3f} | {percentile(latencies[label], 50):.2f} | "
            f"{percentile(latencies[label], 95):.2f} | {percentile(mid[label], 50):.2f} | {phrase_cer:.3f} | "
            f"{percentile(phrase_times[label], 50):.2f} | {max(phrase_times[label]):.2f} |"
        )
    model.min_frames = default
    tails = []  # a chunked mode transcribes while staff speak; after release it still waits for the last piece
    for _name, data, _ in files:
        tail = wav_bytes(asr.decode(data)[-int(1.5 * asr.SAMPLE_RATE) :])
        for _ in range(repeats):
            begun = time.perf_counter()
            try:
                asr.transcribe(tail, model=model)
            except InputError:  # a tail that is only a trailing pause: timed all the same
                pass
            tails.append(time.perf_counter() - begun)
    print(
        f"\nlast 1.5 s of each utterance alone (the least a chunked mode would still wait for after release): "
        f"p50 {percentile(tails, 50):.2f} s, p95 {percentile(tails, 95):.2f} s"
    )
    print(
        f"process RSS after the runs: {process.memory_info().rss / 2**20:.0f} MB, load average "
        f"{os.getloadavg()[0]:.1f} at the end\n"
    )
    print("| file | reference | default | no prompt |")
    print("|---|---|---|---|")
    for n, (name, _, reference) in enumerate(files):
        print(f"| {name} | {reference} | {texts[configs[0][0]][n]} | {texts['no prompt'][n]} |")
    return 0


def run_tagged_bench(name: str) -> int:
    """Leave-one-writer-out figures of a tagged set: the personal-question topics or the staff's requests (issue 14),
    with a threshold sweep."""
    from assistant.nlu import model as nlu_model
    from assistant.nlu.corpus import load_corpus
    from assistant.nlu.evaluate import macro_f1, pool_tagged, tagged_figures
    from assistant.retrieval import get_searcher

    settings = get_settings()
    corpus = load_corpus(settings.kb_dir / "understanding")
    embeddings = nlu_model.corpus_embeddings(corpus, get_searcher().embedder, settings.var_dir / "nlu")
    lines = getattr(corpus, name)
    writers = sorted({q.writer for q in lines})
    title = {"personal": "个人问题", "requests": "请客户配合/表态"}[name]
    print(f"{title}语料 {len(lines)} 句, {len(writers)} 位作者; 留一作者交叉验证 (leave one writer out)", flush=True)
    labels, truth, proba, row_writers = pool_tagged(corpus, name, embeddings, log=lambda m: print(m, flush=True))
    threshold = {"personal": nlu_model.PERSONAL_THRESHOLD, "requests": nlu_model.REQUEST_THRESHOLD}[name]
    f = tagged_figures(labels, truth, proba, threshold)
    print(
        f"\nthreshold {threshold}: macro F1 {macro_f1(f.labels):.3f}, exact labels {f.exact:.3f}, "
        f"false alarms on lines with no label {f.false_alarms:.3f}   {f.counts}"
    )
    print("\n| label | lines | precision | recall | F1 |\n|---|---|---|---|---|")
    for label, c in sorted(f.labels.items(), key=lambda kv: kv[1].f1):
        print(f"| {label} | {c.support} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} |")
    print("\n| left-out writer | macro F1 | false alarms |\n|---|---|---|")
    for writer in writers:
        rows = [i for i, w in enumerate(row_writers) if w == writer]
        w = tagged_figures(labels, truth[rows], proba[rows], threshold)
        print(f"| {writer} | {macro_f1(w.labels):.3f} | {w.false_alarms:.3f} |")
    print("\nthreshold sweep")
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        s = tagged_figures(labels, truth, proba, t)
        print(f"  {t}: macro F1 {macro_f1(s.labels):.3f}, exact {s.exact:.3f}, false alarms {s.false_alarms:.3f}")
    return 0


def _listed_at(revision: str, folder: str) -> list[str]:
    """The paths under a folder of the repository at a git revision (what the corpus held then)."""
    import subprocess

    listed = subprocess.run(["git", "ls-tree", "--name-only", revision, f"{folder}/"], capture_output=True, text=True)
    return listed.stdout.split()


def run_tagged_comparison(name: str, since: str) -> int:
    """Leave one writer out, twice over the same held-out lines: a model trained without the lines added to the set
    after git revision `since`, and one trained with them; figures on the earlier lines and on the added ones apart."""
    import subprocess

    from assistant.nlu import model as nlu_model
    from assistant.nlu.corpus import load_corpus
    from assistant.nlu.evaluate import macro_f1, tagged_figures, tagged_offset, train_tagged
    from assistant.retrieval import get_searcher

    settings = get_settings()
    corpus = load_corpus(settings.kb_dir / "understanding")
    folder = f"scripts_kb/understanding/{name}"
    earlier: set[str] = set()
    for path in _listed_at(since, folder):
        shown = subprocess.run(["git", "show", f"{since}:{path}"], capture_output=True, text=True, check=True)
        earlier |= {item["text"] for item in (yaml.safe_load(shown.stdout) or {}).get("items", [])}
    embeddings = nlu_model.corpus_embeddings(corpus, get_searcher().embedder, settings.var_dir / "nlu")
    lines, offset = getattr(corpus, name), tagged_offset(corpus, name)
    labels = sorted(getattr(corpus.labels, name))
    added = [q.text not in earlier for q in lines]
    print(f"{name}: {len(lines)} lines, {sum(added)} added since {since}; leave one writer out, trained without / with")
    pooled: dict[tuple[str, bool], tuple[list, list]] = {}
    for writer in sorted({q.writer for q in lines}):
        test = [j for j, q in enumerate(lines) if q.writer == writer]
        others = [j for j, q in enumerate(lines) if q.writer != writer]
        for trained in ("without", "with"):
            rows = [j for j in others if trained == "with" or not added[j]]
            model = train_tagged(corpus, name, embeddings, rows)
            assert model is not None
            proba = model.turn_proba([lines[j].text for j in test], embeddings[[offset + j for j in test]])
            truth = np.array([[label in lines[j].topics for label in labels] for j in test])
            for new in (False, True):
                keep = [k for k, j in enumerate(test) if added[j] == new]
                got = pooled.setdefault((trained, new), ([], []))
                got[0].append(truth[keep])
                got[1].append(proba[keep])
    threshold = {"personal": nlu_model.PERSONAL_THRESHOLD, "requests": nlu_model.REQUEST_THRESHOLD}[name]
    print("\n| held-out lines | trained | macro F1 | false alarms (no label) | exact |\n|---|---|---|---|---|")
    for (trained, new), (truth_parts, proba_parts) in sorted(
        pooled.items(), key=lambda kv: (kv[0][1], kv[0][0] == "with")
    ):
        f = tagged_figures(labels, np.vstack(truth_parts), np.vstack(proba_parts), threshold)
        print(
            f"| {'added' if new else 'earlier'} | {trained} | {macro_f1(f.labels):.3f} | {f.false_alarms:.3f} | "
            f"{f.exact:.3f} |"
        )
    return 0


def run_understanding_bench(
    sweep: bool = False, speed_only: bool = False, composed_only: bool = False, compliance_only: bool = False
) -> int:
    """Leave-one-writer-out figures of the understanding classifiers (issue 13), the scenario acts on composed turns,
    then the speed of a turn's analysis."""
    from assistant.drill.understanding import get_understanding
    from assistant.nlu import model as nlu_model
    from assistant.nlu.corpus import load_corpus
    from assistant.nlu.evaluate import figures, macro_f1, pool
    from assistant.retrieval import get_searcher

    settings = get_settings()
    understanding = get_understanding()  # trains (or loads) the product's model; its thresholds are the ones reported
    model = understanding.model
    thresholds = (model.moves.threshold, model.acts.threshold, model.compliance.threshold)
    if composed_only or not speed_only:
        corpus = load_corpus(settings.kb_dir / "understanding")
        cache = nlu_model.embedding_cache(get_searcher().embedder, settings.var_dir / "nlu")
        embeddings = cache.encode([u.text for u in corpus.utterances])
    if composed_only:
        _composed_turns(corpus, embeddings, cache)
        return 0
    if compliance_only:
        _compliance_only(corpus, embeddings, cache, thresholds[2])
        return 0
    if not speed_only:
        writers = sorted({u.writer for u in corpus.utterances})
        print(
            f"语料 {len(corpus.utterances)} 句, {len(writers)} 位作者; 留一作者交叉验证 (leave one writer out)",
            flush=True,
        )
        started = time.perf_counter()
        pooled = pool(corpus, embeddings, writers, log=lambda m: print(m, flush=True), encode=cache.encode)
        print(f"  ({time.perf_counter() - started:.0f} s)\n")
        f = figures(pooled, *thresholds)
        print(f"thresholds: moves {thresholds[0]}, acts {thresholds[1]}, compliance {thresholds[2]}")
        print(f"moves: macro F1 {macro_f1(f.moves):.3f}   checkpoints (scenario acts): macro F1 {macro_f1(f.acts):.3f}")
        print(
            f"compliance: violation recall {f.violation_recall:.3f} (right kind {f.kind_accuracy:.3f}), "
            f"false alarms on hard negatives {f.hard_negative_false_alarms:.3f}, on all clean lines "
            f"{f.clean_false_alarms:.3f}   {f.counts}"
        )
        print(
            f"compliance, each line beside a clean line of its writer (two sentences): violation recall "
            f"{f.composed_violation_recall:.3f}, false alarms on hard negatives {f.composed_hard_negative_false_alarms:.3f}\n"
        )
        print("| move | lines | precision | recall | F1 |\n|---|---|---|---|---|")
        for label, c in sorted(f.moves.items(), key=lambda kv: kv[1].f1):
            print(f"| {label} | {c.support} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} |")
        print("\n| checkpoint act | lines | precision | recall | F1 |\n|---|---|---|---|---|")
        for label, c in sorted(f.acts.items(), key=lambda kv: kv[1].f1):
            print(f"| {label} | {c.support} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} |")
        print(
            "\n| left-out writer | moves F1 | acts F1 | violation recall | hard-negative false alarms |\n|---|---|---|---|---|"
        )
        for writer in writers:
            w = figures(pooled, *thresholds, writer=writer)
            print(
                f"| {writer} | {macro_f1(w.moves):.3f} | {macro_f1(w.acts):.3f} | {w.violation_recall:.3f} | "
                f"{w.hard_negative_false_alarms:.3f} |"
            )
        if sweep:
            print("\nthreshold sweep (same pooled probabilities)")
            for t in (0.3, 0.4, 0.5, 0.6, 0.7):
                s = figures(pooled, t, t, thresholds[2])
                print(f"  moves/acts at {t}: moves F1 {macro_f1(s.moves):.3f}, acts F1 {macro_f1(s.acts):.3f}")
            for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
                s = figures(pooled, *thresholds[:2], t)
                print(
                    f"  compliance at {t}: recall {s.violation_recall:.3f}, hard-negative false alarms "
                    f"{s.hard_negative_false_alarms:.3f}, clean false alarms {s.clean_false_alarms:.3f}; beside a "
                    f"clean line: recall {s.composed_violation_recall:.3f}, hard-negative false alarms "
                    f"{s.composed_hard_negative_false_alarms:.3f}"
                )
        _composed_turns(corpus, embeddings, cache)
    _understanding_speed(understanding)
    return 0


def _compliance_only(corpus, embeddings, cache, threshold: float) -> None:
    """The compliance rows of the leave-one-writer-out table, with only the compliance model trained per fold (a few
    minutes, where the whole table takes most of an hour)."""
    from assistant.nlu.evaluate import compliance_groups, pool_compliance, share_at

    started = time.perf_counter()
    single, beside = pool_compliance(corpus, embeddings, cache.encode, log=lambda m: print(m, flush=True))
    print(
        f"  ({time.perf_counter() - started:.0f} s)\n\n| threshold | slips caught | hard-negative false alarms | clean "
        "false alarms | beside a clean line: caught | false alarms |\n|---|---|---|---|---|---|"
    )
    alone, next_to_clean = compliance_groups(single), compliance_groups(beside)
    for t in sorted({0.7, 0.8, 0.85, 0.9, threshold}):
        rows = [share_at(alone[kind], t) for kind in ("slip", "hard", "clean")]
        rows += [share_at(next_to_clean[kind], t) for kind in ("slip", "hard")]
        mark = " (product)" if t == threshold else ""
        print(f"| {t}{mark} | " + " | ".join(f"{r:.3f}" for r in rows) + " |")


def _composed_turns(corpus, embeddings, cache) -> None:
    """Scenario acts, left writer out, on single lines and on turns of two or three of the writer's lines joined by
    commas: with and without looking at clause windows (the product's setting is nlu.model.ACT_WINDOW_DISCOUNT)."""
    from assistant.nlu.evaluate import composed_turn_figures
    from assistant.nlu.model import ACT_WINDOW_DISCOUNT

    variants: dict[str, float | None] = {"no windows": None, "windows": 0.0}
    variants |= {f"windows, discount {d}": d for d in (0.1, 0.2)}
    started = time.perf_counter()
    result = composed_turn_figures(corpus, embeddings, cache.encode, variants)
    print(f"\nscenario acts, leave one writer out, macro F1 ({time.perf_counter() - started:.0f} s)")
    print("| clause windows | single lines | composed turns (2-3 lines, commas) |\n|---|---|---|")
    for name, (single, composed) in result.items():
        mark = " (product)" if variants[name] == ACT_WINDOW_DISCOUNT else ""
        print(f"| {name}{mark} | {single:.3f} | {composed:.3f} |")


def run_understanding_comparison(since: str) -> int:
    """The writers added after git revision `since`, each left out in turn and tested twice: by a model trained only
    on the earlier writers, and by one trained on every other writer, new ones included. The first is wording from
    writers no model had seen anyone like; the gap says what the new voices teach. (The earlier writers' own
    leave-one-out figures are the plain `bench understanding`.)"""
    from assistant.drill.understanding import get_understanding
    from assistant.nlu import model as nlu_model
    from assistant.nlu.corpus import load_corpus
    from assistant.nlu.evaluate import figures, macro_f1, pool
    from assistant.retrieval import get_searcher

    settings = get_settings()
    model = get_understanding().model
    thresholds = (model.moves.threshold, model.acts.threshold, model.compliance.threshold)
    corpus = load_corpus(settings.kb_dir / "understanding")
    earlier = {path.rsplit("/", 1)[-1] for path in _listed_at(since, "scripts_kb/understanding/corpus")}
    writers = sorted({u.writer for u in corpus.utterances})
    new = [w for w in writers if w not in earlier]
    if not new:
        print(f"no writer added since {since}")
        return 1
    print(f"语料 {len(corpus.utterances)} 句; new writers since {since}: {new}")
    embeddings = nlu_model.embedding_cache(get_searcher().embedder, settings.var_dir / "nlu").encode(
        [u.text for u in corpus.utterances]
    )
    log = lambda m: print(m, flush=True)  # noqa: E731
    runs = (
        ("earlier writers only", pool(corpus, embeddings, new, log=log, trained_on=set(writers) - set(new))),
        ("every other writer", pool(corpus, embeddings, new, log=log)),
    )
    print("\n| new writers' lines, trained on | moves F1 | acts F1 | violation recall | hard-negative false alarms |")
    print("|---|---|---|---|---|")
    for trained, pooled in runs:
        f = figures(pooled, *thresholds)
        print(
            f"| {trained} | {macro_f1(f.moves):.3f} | {macro_f1(f.acts):.3f} | {f.violation_recall:.3f} | "
            f"{f.hard_negative_false_alarms:.3f} |"
        )
    for trained, pooled in runs:
        f = figures(pooled, *thresholds)
        print(f"\ntrained on {trained}:\n| move | lines | precision | recall | F1 |\n|---|---|---|---|---|")
        for label, c in sorted(f.moves.items(), key=lambda kv: kv[1].f1):
            print(f"| {label} | {c.support} | {c.precision:.2f} | {c.recall:.2f} | {c.f1:.2f} |")
    return 0


def _understanding_speed(understanding) -> None:
    """Wall time to analyse one staff turn and to score a 15-turn conversation, on this machine."""
    import json

    from assistant.nlu.features import embed_text
    from assistant.scoring import score_transcript

    transcripts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GRADED_DIR.glob("*.json"))]
    turns = [(t["scenario"], turn["text"]) for t in transcripts for turn in t["turns"] if turn["speaker"] == "staff"]
    understanding.analyse("预热", turns[0][0])
    # the baseline, in the same run: the encoder alone on each turn's first characters (this machine's speed today)
    encoder = []
    for _, text in turns:
        started = time.perf_counter()
        understanding.embedder.encode_queries([embed_text(text)])
        encoder.append((time.perf_counter() - started) * 1000)
    times = []
    for scenario, text in turns:
        started = time.perf_counter()
        understanding.analyse(text, scenario)
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"\n分析一句员工的话: {len(times)} turns, p50 {percentile(times, 50):.0f} ms, p95 {percentile(times, 95):.0f} ms, "
        f"max {max(times):.0f} ms; the encoder alone (baseline, same run) p50 {percentile(encoder, 50):.0f} ms, "
        f"p95 {percentile(encoder, 95):.0f} ms: analysis / encoder at p95 {percentile(times, 95) / percentile(encoder, 95):.2f}"
    )
    fifteen = [t for t in transcripts if len(t["turns"]) >= 15] or transcripts
    seconds = []
    for t in fifteen:
        t = {**t, "turns": t["turns"][:15]}
        started = time.perf_counter()
        score_transcript(t)
        seconds.append(time.perf_counter() - started)
    print(
        f"为 15 轮对话评分: {len(seconds)} conversations, p50 {percentile(seconds, 50):.2f} s, max {max(seconds):.2f} s"
    )


CUSTOMER_REVIEW = ROOT / "bench" / "customer_review"  # drills/ (round 1) and drills_N/ (rounds played live later)
STRONG_STYLES = ("strong", "chatty")  # the review's strong staff, with and without personal questions


def play_offline(scenario_id: str, lines: list[str], seed: int = 3, difficulty: str = "normal") -> dict:
    """A drill played through the engine and the real understanding, without the database: the customer's replies,
    the events of each turn and the final state."""
    from assistant.drill import engine
    from assistant.drill.scenarios import get_scenario, rubric
    from assistant.drill.understanding import get_understanding

    scenario, level = get_scenario(scenario_id), rubric().difficulties[difficulty]
    state, opening = engine.start(scenario, difficulty, seed, level)
    replies, events = [opening], [["opening"]]
    for line in lines:
        if line.strip() == "结束演练" or state.done:
            break
        reply, turn_events = engine.respond(scenario, state, level, get_understanding().analyse(line, scenario_id))
        replies.append(reply)
        events.append(turn_events)
    return {"replies": replies, "events": events, "state": state}


def customer_figures(played: list[dict]) -> dict:
    """Filler share, verbatim repeats and unanswered own questions over played drills."""
    from assistant.drill.engine import NOTE_EVENTS
    from assistant.drill.realiser import FILLERS

    replies = fillers = repeats = questions = unanswered = 0
    for drill in played:
        seen: set[str] = set()
        for reply, turn_events in zip(drill["replies"][1:], drill["events"][1:], strict=False):
            replies += 1
            said = [e for e in turn_events if not e.startswith(NOTE_EVENTS)]
            fillers += bool(said) and all(e.split(":")[0] in FILLERS for e in said)
            for part in reply.split(" "):
                repeats += part in seen
                seen.add(part)
        questions += len(drill["state"].asked)
        unanswered += len(drill["state"].unanswered_questions)
    return {
        "replies": replies,
        "filler_share": fillers / replies if replies else 0.0,
        "repeats": repeats,
        "questions": questions,
        "unanswered": unanswered,
    }


def run_customer_bench() -> int:
    """The customer's automatic figures (issue 14) over the scripted drills of tests/data/drills and every round of
    the realism review's drills (bench/customer_review/drills*/<scenario>.<style>.<n>.txt), per scenario."""
    rows = []
    for path in sorted(DRILL_SCRIPTS.glob("*.yaml")):
        scripts = yaml.safe_load(path.read_text(encoding="utf-8"))
        for style in ("strong", "weak"):
            rows.append((path.stem, style, scripts[style]))
    for path in sorted(CUSTOMER_REVIEW.glob("drills*/*.txt")):
        scenario, style, _n = path.stem.split(".")
        rows.append((scenario, style, [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]))
    by_scenario: dict[str, list[tuple[str, dict]]] = {}
    for scenario, style, lines in rows:
        for seed in (1, 2, 3):
            for difficulty in ("normal", "hard"):
                by_scenario.setdefault(scenario, []).append((style, play_offline(scenario, lines, seed, difficulty)))
    print(
        "| scenario | drills | replies | fillers | verbatim repeats | own questions asked / unanswered | "
        "strong staff walked out on |\n|---|---|---|---|---|---|---|"
    )
    total = []
    for scenario, played in by_scenario.items():
        f = customer_figures([p for _, p in played])
        strong = [p for style, p in played if style in STRONG_STYLES]
        walked = sum(p["state"].outcome == "walked_away" for p in strong)
        total += played
        print(
            f"| {scenario} | {len(played)} | {f['replies']} | {f['filler_share']:.1%} | {f['repeats']} | "
            f"{f['questions']} / {f['unanswered']} | {walked} of {len(strong)} |"
        )
    f = customer_figures([p for _, p in total])
    strong = [p for style, p in total if style in STRONG_STYLES]
    print(
        f"\nall: {len(total)} drills (seeds 1-3, normal and hard), {f['replies']} replies, fillers "
        f"{f['filler_share']:.1%}, verbatim repeats {f['repeats']}, own questions {f['questions']} "
        f"(unanswered {f['unanswered']}), strong staff walked out on "
        f"{sum(p['state'].outcome == 'walked_away' for p in strong)} of {len(strong)}"
    )
    return 0
