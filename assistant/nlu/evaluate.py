"""Honest figures for the understanding classifiers: leave one writer out.

For each writer, train on every other writer's lines and test on that writer's: every figure is on wording the model
never saw. Probabilities are pooled over the folds, so the figures can be read at any decision threshold (the sweep
that chose the thresholds the product uses).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.nlu.corpus import GENERAL, Corpus, Utterance
from assistant.nlu.features import ACTION_REQUESTS, asking_now, embed_text
from assistant.nlu.model import (
    ACT_THRESHOLD,
    ACT_WINDOW_DISCOUNT,
    ClauseCompliance,
    ScenarioActs,
    tagged_offset,
    train,
    train_tagged,
)


@dataclass
class ClassFigures:
    support: int
    precision: float
    recall: float
    f1: float


def per_class(truth: np.ndarray, predicted: np.ndarray, labels: list[str]) -> dict[str, ClassFigures]:
    """truth and predicted are boolean (n, len(labels)) matrices."""
    out = {}
    for j, label in enumerate(labels):
        t, p = truth[:, j], predicted[:, j]
        tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
        if tp + fn == 0:
            continue
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = ClassFigures(tp + fn, precision, recall, f1)
    return out


def macro_f1(figures: dict[str, ClassFigures]) -> float:
    return float(np.mean([f.f1 for f in figures.values()])) if figures else 0.0


@dataclass
class Pooled:
    """Held-out probabilities of every line, from the fold that left its writer out."""

    move_labels: list[str]
    act_labels: list[str]
    move_truth: np.ndarray
    move_proba: np.ndarray
    act_truth: np.ndarray  # rows: lines of a scenario; columns: every act (others' acts are never predicted)
    act_proba: np.ndarray
    act_writers: list[str]
    compliance: list[tuple[Utterance, float, str]] = field(default_factory=list)  # (line, p(violation), kind)
    writers: list[str] = field(default_factory=list)
    # each line joined with another clean line of its writer into a two-sentence turn (`beside_a_clean_line`): (line,
    # p(violation) of the turn, writer)
    composed: list[tuple[Utterance, float, str]] = field(default_factory=list)


def pool(
    corpus: Corpus,
    embeddings: np.ndarray | None,
    writers: list[str] | None = None,
    log=lambda message: None,
    trained_on: set[str] | None = None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
) -> Pooled:
    """`writers`: those left out in turn (all by default); `trained_on`: the writers a fold may train on (all but the
    one left out by default), so new writers can be tested by a model that never saw any of them. `encode` (texts ->
    embeddings, as `embeddings` were made): also each line beside a clean line (`Pooled.composed`), which needs the
    embeddings of those turns."""
    utterances = corpus.utterances
    writers = writers or sorted({u.writer for u in utterances})
    models: dict[tuple[int, ...], Any] = {}
    move_labels, act_labels = sorted(corpus.labels.moves), corpus.labels.act_labels()
    act_col = {a: j for j, a in enumerate(act_labels)}
    mt, mp, at, ap, aw, comp, line_writers, composed = [], [], [], [], [], [], [], []
    for writer in writers:
        test_rows = [i for i, u in enumerate(utterances) if u.writer == writer]
        train_rows = [
            i for i, u in enumerate(utterances) if u.writer != writer and (trained_on is None or u.writer in trained_on)
        ]
        log(f"  leaving out {writer}: training on {len(train_rows)} lines, testing on {len(test_rows)}")
        key = tuple(train_rows)
        if key not in models:  # new writers tested apart share one model trained on the earlier ones
            models[key] = train(
                [utterances[i] for i in train_rows], corpus, embeddings[train_rows] if embeddings is not None else None
            )
        model = models[key]
        test = [utterances[i] for i in test_rows]
        emb = embeddings[test_rows] if embeddings is not None else None
        texts = [u.text for u in test]
        mp.append(model.moves.turn_proba(texts, emb))
        mt.append(np.array([[label in u.moves for label in move_labels] for u in test]))
        line_writers += [writer] * len(test)
        for k, u in enumerate(test):
            if u.scenario != GENERAL:
                sub = model.acts.by_scenario.get(u.scenario)
                row = np.zeros(len(act_labels), dtype=np.float32)
                if sub is not None:
                    probs = sub.turn_proba(
                        [u.text], emb[k : k + 1] if emb is not None else None, None, ACT_WINDOW_DISCOUNT
                    )[0]
                    for label, value in zip(sub.labels, probs, strict=False):
                        row[act_col[label]] = value
                ap.append(row)
                at.append(np.array([a in u.acts for a in act_labels]))
                aw.append(writer)
            scored = model.compliance.clause_probabilities(u.text, emb[k] if emb is not None else None)
            best = max(scored, key=lambda item: item[2]) if scored else ("", "", 0.0)
            comp.append((u, best[2], best[0]))
        if encode is not None or embeddings is None:
            composed += [(u, p, writer) for u, p in _scored_beside_a_clean_line(model.compliance, test, writer, encode)]
    return Pooled(
        move_labels,
        act_labels,
        np.vstack(mt),
        np.vstack(mp),
        np.array(at),
        np.array(ap),
        aw,
        comp,
        line_writers,
        composed,
    )


def pool_compliance(
    corpus: Corpus,
    embeddings: np.ndarray | None,
    encode: Callable[[list[str]], np.ndarray] | None,
    log=lambda message: None,
) -> tuple[list[tuple[Utterance, float]], list[tuple[Utterance, float]]]:
    """Leave one writer out for the compliance model alone: (line, p(violation)) for every line, and for every line
    beside a clean line of its writer (`beside_a_clean_line`), the same figures as `pool` gives."""
    utterances = corpus.utterances
    single: list[tuple[Utterance, float]] = []
    beside: list[tuple[Utterance, float]] = []
    for writer in sorted({u.writer for u in utterances}):
        train_rows = [i for i, u in enumerate(utterances) if u.writer != writer]
        test_rows = [i for i, u in enumerate(utterances) if u.writer == writer]
        log(f"  leaving out {writer}: training on {len(train_rows)} lines, testing on {len(test_rows)}")
        model = ClauseCompliance().fit(
            [utterances[i] for i in train_rows], embeddings[train_rows] if embeddings is not None else None
        )
        for i in test_rows:
            emb = embeddings[i] if embeddings is not None else None
            single.append((utterances[i], _turn_score(model, utterances[i].text, emb)))
        beside += _scored_beside_a_clean_line(model, [utterances[i] for i in test_rows], writer, encode)
    return single, beside


def _turn_score(compliance: ClauseCompliance, text: str, embedding: np.ndarray | None) -> float:
    """The turn's probability of a violation: its likeliest clause's."""
    return max((p for _, _, p in compliance.clause_probabilities(text, embedding)), default=0.0)


def _scored_beside_a_clean_line(
    compliance: ClauseCompliance,
    lines: list[Utterance],
    writer: str,
    encode: Callable[[list[str]], np.ndarray] | None,
) -> list[tuple[Utterance, float]]:
    """(line, the turn's probability of a violation) for each of `beside_a_clean_line`'s turns."""
    turns = beside_a_clean_line(lines, seed=writer)
    turn_emb = encode([embed_text(turn) for _, turn in turns]) if encode is not None else None
    return [
        (u, _turn_score(compliance, turn, turn_emb[n] if turn_emb is not None else None))
        for n, (u, turn) in enumerate(turns)
    ]


def beside_a_clean_line(lines: list[Utterance], seed: int | str = 7) -> list[tuple[Utterance, str]]:
    """(line, turn): each line joined, before or after, by a comma or a full stop, with another of these lines that
    makes no slip. Why: a slip is one sentence among others in a real turn ("这款是R2的,波动小。放心,跟存款一样稳"),
    and the corpus's lines come one at a time; a slip must be caught whatever sits beside it, a hard negative stay
    clean."""
    rng = random.Random(seed)
    clean = [u for u in lines if not u.violation]
    out = []
    for u in lines:
        partners = [c for c in clean if c is not u]
        if not partners:
            continue
        other = rng.choice(partners)
        first, second = (u, other) if rng.random() < 0.5 else (other, u)
        out.append((u, _LINE_END.sub("", first.text) + rng.choice((",", "。")) + second.text))
    return out


@dataclass
class Figures:
    moves: dict[str, ClassFigures]
    acts: dict[str, ClassFigures]
    violation_recall: float
    kind_accuracy: float
    hard_negative_false_alarms: float
    clean_false_alarms: float
    counts: dict[str, int]
    composed_violation_recall: float = float("nan")  # a slip beside a clean line (Pooled.composed)
    composed_hard_negative_false_alarms: float = float("nan")


def figures(
    pooled: Pooled, move_threshold: float, act_threshold: float, compliance_threshold: float, writer: str | None = None
) -> Figures:
    """The figures at the given thresholds, for every writer or one."""
    rows = [i for i, w in enumerate(pooled.writers) if writer in (None, w)]
    act_rows = [i for i, w in enumerate(pooled.act_writers) if writer in (None, w)]
    moves = per_class(pooled.move_truth[rows], pooled.move_proba[rows] >= move_threshold, pooled.move_labels)
    acts = per_class(pooled.act_truth[act_rows], pooled.act_proba[act_rows] >= act_threshold, pooled.act_labels)
    lines = [pooled.compliance[i] for i in rows]
    slips = [(u, p, k) for u, p, k in lines if u.violation]
    caught = [(u, p, k) for u, p, k in slips if p >= compliance_threshold]
    alone = compliance_groups([(u, p) for u, p, _ in lines])
    hard, clean = alone["hard"], alone["clean"]
    beside = compliance_groups([(u, p) for u, p, w in pooled.composed if writer in (None, w)])
    return Figures(
        moves=moves,
        acts=acts,
        violation_recall=len(caught) / len(slips) if slips else float("nan"),
        kind_accuracy=sum(k == u.violation for u, _, k in caught) / len(caught) if caught else float("nan"),
        hard_negative_false_alarms=share_at(hard, compliance_threshold),
        clean_false_alarms=share_at(clean, compliance_threshold),
        counts={"lines": len(rows), "violations": len(slips), "hard_negatives": len(hard), "clean": len(clean)},
        composed_violation_recall=share_at(beside["slip"], compliance_threshold),
        composed_hard_negative_false_alarms=share_at(beside["hard"], compliance_threshold),
    )


def compliance_groups(scored: list[tuple[Utterance, float]]) -> dict[str, list[float]]:
    """p(violation) of the slips, of the hard negatives and of every clean line: the groups the compliance figures are
    shares of (caught, false alarms)."""
    return {
        "slip": [p for u, p in scored if u.violation],
        "hard": [p for u, p in scored if u.hard_negative and not u.violation],
        "clean": [p for u, p in scored if not u.violation],
    }


def share_at(probabilities: list[float], threshold: float) -> float:
    """The share of these probabilities at or above the threshold (NaN for none)."""
    return sum(p >= threshold for p in probabilities) / len(probabilities) if probabilities else float("nan")


@dataclass
class TaggedFigures:
    labels: dict[str, ClassFigures]
    false_alarms: float  # held-out lines that carry none of the set's labels, given one anyway
    exact: float  # held-out labelled lines whose predicted labels are exactly the true ones
    counts: dict[str, int]


def pool_tagged(
    corpus: Corpus, name: str, embeddings: np.ndarray | None, log=lambda message: None
) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    """Leave one writer of a tagged set ("personal", "requests") out: (labels, truth, held-out probabilities,
    writer per row). `embeddings`: the whole corpus's (model.corpus_embeddings)."""

    labels = sorted(getattr(corpus.labels, name))
    lines = getattr(corpus, name)
    writers = sorted({q.writer for q in lines})
    offset = tagged_offset(corpus, name)
    truth, proba, row_writers = [], [], []
    for writer in writers:
        train_rows = [j for j, q in enumerate(lines) if q.writer != writer]
        test_rows = [j for j, q in enumerate(lines) if q.writer == writer]
        log(f"  leaving out {writer}: testing on {len(test_rows)} lines")
        model = train_tagged(corpus, name, embeddings, train_rows)
        assert model is not None  # the set has lines: the writers come from them
        emb = embeddings[[offset + j for j in test_rows]] if embeddings is not None else None
        texts = [lines[j].text for j in test_rows]
        p = model.turn_proba(texts, emb)
        if name == "requests":  # the requests to act as the drill reads them (Understanding.asked_of_customer)
            now = [asking_now(text) for text in texts]
            acting = [k for k, label in enumerate(labels) if label in ACTION_REQUESTS]
            p_now = model.turn_proba(now, emb)
            p_now[[not text for text in now]] = 0.0  # nothing asked now
            # it only takes away: at one threshold, the drill's reading (heard in the whole turn and in what it asks
            # now); the drill's rule for a second label is not modelled here, as for every tagged set (stop 35: a
            # single probability reading in the drill changed 8 of 252 replayed drills, most to a request nobody made)
            p[:, acting] = np.minimum(p[:, acting], p_now[:, acting])
        proba.append(p)
        truth.append(np.array([[t in lines[j].topics for t in labels] for j in test_rows]))
        row_writers += [writer] * len(test_rows)
    return labels, np.vstack(truth), np.vstack(proba), row_writers


def tagged_figures(labels: list[str], truth: np.ndarray, proba: np.ndarray, threshold: float) -> TaggedFigures:
    predicted = proba >= threshold
    tagged = truth.any(axis=1)
    return TaggedFigures(
        labels=per_class(truth, predicted, labels),
        false_alarms=float(predicted[~tagged].any(axis=1).mean()) if (~tagged).any() else float("nan"),
        exact=float((predicted[tagged] == truth[tagged]).all(axis=1).mean()) if tagged.any() else float("nan"),
        counts={"labelled": int(tagged.sum()), "none": int((~tagged).sum())},
    )


_LINE_END = re.compile(r"[。!?!?.…~～\s]+$")


def composed_turns(corpus: Corpus, seed: int = 7) -> list[tuple[str, str, str, list[Utterance]]]:
    """(writer, scenario, turn, its lines): each writer's compliant lines of a scenario, shuffled, joined two or three at a
    time with commas into one long sentence, as staff talk at the counter; its labels are those of its lines."""
    rng = random.Random(seed)
    by_writer: dict[tuple[str, str], list[Utterance]] = {}
    for u in corpus.utterances:
        if u.scenario != GENERAL and not u.violation:
            by_writer.setdefault((u.writer, u.scenario), []).append(u)
    out = []
    for (writer, scenario), lines in sorted(by_writer.items(), key=lambda item: item[0]):
        rng.shuffle(lines)
        k = 0
        while k + 2 <= len(lines):
            group = lines[k : k + (2 if rng.random() < 0.5 else 3)]
            k += len(group)
            turn = ",".join(_LINE_END.sub("", u.text) for u in group) + "。"
            out.append((writer, scenario, turn, group))
    return out


def composed_turn_figures(
    corpus: Corpus,
    embeddings: np.ndarray,
    encode: Callable[[list[str]], np.ndarray],
    variants: dict[str, float | None],
    log=lambda message: None,
) -> dict[str, tuple[float, float]]:
    """Leave one writer out for the scenario acts alone, on single lines and on `composed_turns`: {variant: (macro F1
    on single lines, on composed turns)}, a variant being a window discount (None: no clause windows). Why: the
    corpus's lines carry one act or two, but staff at work join several in one comma-joined sentence."""
    utterances = corpus.utterances
    turns = composed_turns(corpus)
    turn_embeddings = encode([embed_text(t[2]) for t in turns])
    labels = corpus.labels.act_labels()
    column = {a: j for j, a in enumerate(labels)}
    truth: dict[str, list] = {"single": [], "composed": []}
    proba: dict[str, dict[str, list]] = {v: {"single": [], "composed": []} for v in variants}
    for writer in sorted({u.writer for u in utterances}):
        train_rows = [i for i, u in enumerate(utterances) if u.writer != writer]
        acts = ScenarioActs.fit([utterances[i] for i in train_rows], corpus, embeddings[train_rows])
        held = {
            "single": [
                (u.scenario, u.text, set(u.acts), embeddings[i])
                for i, u in enumerate(utterances)
                if u.writer == writer and u.scenario != GENERAL
            ],
            "composed": [
                (t[1], t[2], set().union(*(u.acts for u in t[3])), turn_embeddings[n])
                for n, t in enumerate(turns)
                if t[0] == writer
            ],
        }
        for kind, items in held.items():
            for scenario, text, acts_done, embedding in items:
                truth[kind].append([label in acts_done for label in labels])
                model = acts.by_scenario[scenario]
                for name, discount in variants.items():
                    row = np.zeros(len(labels), dtype=np.float32)
                    row[[column[label] for label in model.labels]] = model.turn_proba(
                        [text], embedding[None, :], None, discount
                    )[0]
                    proba[name][kind].append(row)
        log(f"  leaving out {writer}: {len(held['single'])} lines, {len(held['composed'])} composed turns")
    figures = {}
    for name in variants:
        single, composed = (
            macro_f1(per_class(np.array(truth[kind]), np.array(proba[name][kind]) >= ACT_THRESHOLD, labels))
            for kind in ("single", "composed")
        )
        figures[name] = (single, composed)
    return figures
