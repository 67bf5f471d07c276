"""Honest figures for the understanding classifiers: leave one writer out.

For each writer, train on every other writer's lines and test on that writer's: every figure is on wording the model
never saw. Predictions are pooled over the folds, then scored per class.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.nlu.corpus import GENERAL, Corpus
from assistant.nlu.model import train


@dataclass
class ClassFigures:
    support: int
    precision: float
    recall: float
    f1: float


def per_class(truth: list[set[str]], predicted: list[set[str]], labels: list[str]) -> dict[str, ClassFigures]:
    out = {}
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted) if label in t and label in p)
        fp = sum(1 for t, p in zip(truth, predicted) if label not in t and label in p)
        fn = sum(1 for t, p in zip(truth, predicted) if label in t and label not in p)
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
class Report:
    writers: list[str]
    moves: dict[str, ClassFigures]
    acts: dict[str, ClassFigures]
    violation_recall: float
    kind_accuracy: float
    hard_negative_false_alarms: float
    clean_false_alarms: float
    per_writer: dict[str, dict[str, float]]
    counts: dict[str, int]


def leave_one_writer_out(corpus: Corpus, embeddings: np.ndarray | None, writers: list[str] | None = None) -> Report:
    utterances = corpus.utterances
    writers = writers or sorted(corpus.writers)
    index = {id(u): i for i, u in enumerate(utterances)}
    move_truth, move_pred, act_truth, act_pred = [], [], [], []
    violations = caught = right_kind = hard = hard_flagged = clean = clean_flagged = 0
    per_writer: dict[str, dict[str, float]] = {}
    for writer in writers:
        test = [u for u in utterances if u.writer == writer]
        train_set = [u for u in utterances if u.writer != writer]
        if not test or not train_set:
            continue
        rows_train = [index[id(u)] for u in train_set]
        rows_test = [index[id(u)] for u in test]
        emb_train = embeddings[rows_train] if embeddings is not None else None
        emb_test = embeddings[rows_test] if embeddings is not None else None
        model = train(train_set, corpus, emb_train)
        texts = [u.text for u in test]
        mp = model.moves.predict(texts, emb_test)
        scenario_rows = [i for i, u in enumerate(test) if u.scenario != GENERAL]
        allowed = [model.act_allowed(test[i].scenario) for i in scenario_rows]
        ap = model.acts.predict([texts[i] for i in scenario_rows],
                                emb_test[scenario_rows] if emb_test is not None else None, allowed)
        move_truth += [set(u.moves) for u in test]
        move_pred += mp
        act_truth += [set(test[i].acts) for i in scenario_rows]
        act_pred += ap
        w_v = w_c = w_h = w_hf = 0
        for i, u in enumerate(test):
            found = model.compliance.findings(u.text, emb_test[i] if emb_test is not None else None)
            if u.violation:
                violations += 1
                w_v += 1
                if found:
                    caught += 1
                    w_c += 1
                    right_kind += any(k == u.violation for k, _, _ in found)
            else:
                clean += 1
                clean_flagged += bool(found)
                if u.hard_negative:
                    hard += 1
                    w_h += 1
                    hard_flagged += bool(found)
                    w_hf += bool(found)
        per_writer[writer] = {
            "moves_macro_f1": macro_f1(per_class([set(u.moves) for u in test], mp, sorted(corpus.labels.moves))),
            "acts_macro_f1": macro_f1(per_class([set(test[i].acts) for i in scenario_rows], ap,
                                                corpus.labels.act_labels())),
            "violation_recall": w_c / w_v if w_v else float("nan"),
            "hard_negative_false_alarms": w_hf / w_h if w_h else float("nan"),
        }
    return Report(
        writers=writers,
        moves=per_class(move_truth, move_pred, sorted(corpus.labels.moves)),
        acts=per_class(act_truth, act_pred, corpus.labels.act_labels()),
        violation_recall=caught / violations if violations else float("nan"),
        kind_accuracy=right_kind / caught if caught else float("nan"),
        hard_negative_false_alarms=hard_flagged / hard if hard else float("nan"),
        clean_false_alarms=clean_flagged / clean if clean else float("nan"),
        per_writer=per_writer,
        counts={"utterances": len(utterances), "violations": violations, "hard_negatives": hard, "clean": clean},
    )
