"""Understanding one staff turn: which moves it makes and whether it breaks a compliance rule.

Library-side, so the terminal, the web API and the Rasa action give the same drill without a Rasa server.
Moves come from word rules first and, for paraphrases, from the embedder against each move's example sentences.
Compliance uses spaCy's PhraseMatcher on a blank zh pipeline segmented by jieba, with negation handled.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from assistant.config import get_settings
from assistant.drill.schema import Evidence
from assistant.text import normalize

# A clause is this close in meaning to a move's example (relative to the best unrelated example) to count as that move.
EXAMPLE_MARGIN = 0.035
EXAMPLE_FLOOR = 0.90
_CLAUSE_SPLIT = re.compile(r"(?<=[。!?;!?;\n,,])")  # split after the mark: a clause keeps its "?"
SERVICE_QUESTIONS = ("有什么可以帮您", "有什么可以帮你", "办理什么业务", "办什么业务", "需要办理什么")
NEGATION_CHARS = 10  # characters before a forbidden phrase, within its clause, that can negate it
# Reassurances that contain a negator but negate the worry, not the promise ("不用担心,肯定涨" is still a promise).
REASSURANCES = ("不用担心", "不要担心", "别担心", "不担心", "不用怕", "别怕", "不用犹豫",
                # words that contain a negator character but negate nothing
                "不过", "不错", "不少", "不断", "不仅", "不管", "不久", "不如", "无论", "非常", "没事")


@dataclass
class Violation:
    kind: str
    phrase: str
    note: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "phrase": self.phrase, "note": self.note}


@dataclass
class TurnAnalysis:
    text: str
    moves: set[str] = field(default_factory=set)
    violations: list[Violation] = field(default_factory=list)
    is_question: bool = False
    question_text: str = ""  # the clauses that ask something
    topics: set[str] = field(default_factory=set)  # knowledge-base topics the turn names (基金定投 → fund_sip)

    def to_dict(self) -> dict:
        return {"moves": sorted(self.moves), "violations": [v.to_dict() for v in self.violations],
                "is_question": self.is_question, "question_text": self.question_text, "topics": sorted(self.topics)}

    @classmethod
    def from_dict(cls, text: str, data: dict) -> "TurnAnalysis":
        """The analysis stored with a drill turn, so scoring sees what the customer reacted to, without redoing it."""
        return cls(text=text, moves=set(data["moves"]), violations=[Violation(**v) for v in data["violations"]],
                   is_question=data["is_question"], question_text=data["question_text"], topics=set(data["topics"]))


def clauses(text: str) -> list[str]:
    return [c.strip(" ,,。;;\n") for c in _CLAUSE_SPLIT.split(text) if c.strip(" ,,。;;\n")] 


QUESTION_MARKS = ("?", "?", "吗", "呢", "请问", "有没有", "是不是", "要不要", "能不能", "需不需要", "会不会")
# Question words that also appear in statements (几分钟就好了, 到期拿多少): they ask only when addressed to the customer.
WEAK_QUESTION_MARKS = ("多少", "什么", "哪", "怎么", "几", "多久", "多大")


def is_question_clause(clause: str) -> bool:
    if any(mark in clause for mark in QUESTION_MARKS):
        return True
    return any(mark in clause for mark in WEAK_QUESTION_MARKS) and ("您" in clause or "你" in clause)


def evidence_matches(evidence: Evidence, analysis: TurnAnalysis) -> bool:
    if evidence.moves and analysis.moves.intersection(evidence.moves):
        return True
    if evidence.all_of:
        text = analysis.question_text if evidence.in_question else analysis.text
        return all(any(word in text for word in group) for group in evidence.all_of)
    return False


def any_evidence(alternatives: list[Evidence], analysis: TurnAnalysis) -> bool:
    return any(evidence_matches(e, analysis) for e in alternatives)


class ComplianceChecker:
    def __init__(self, config: dict):
        import spacy
        from spacy.matcher import PhraseMatcher

        from assistant.retrieval.lexical import add_words

        self.negators = set(config["negators"])
        self.deposit_words = config["deposit_words"]
        self.risk_words = config["risk_product_words"]
        self.notes = {kind: spec["note"] for kind, spec in config["kinds"].items()}
        phrases = [p for spec in config["kinds"].values() for p in spec["phrases"]]
        add_words(phrases + list(self.negators))  # jieba keeps each phrase one token, in patterns and in text alike
        self.nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        self.matcher = PhraseMatcher(self.nlp.vocab)
        for kind, spec in config["kinds"].items():
            self.matcher.add(kind, [self.nlp.make_doc(p) for p in spec["phrases"]])
        self._lock = threading.Lock()

    def _negated(self, clause: str, start_char: int) -> bool:
        window = clause[max(0, start_char - NEGATION_CHARS) : start_char]
        for reassurance in REASSURANCES:
            window = window.replace(reassurance, "")
        return any(negator in window for negator in self.negators)

    def check(self, text: str) -> list[Violation]:
        found: list[Violation] = []
        for clause in clauses(text):
            with self._lock:  # jieba's user dictionary is shared state
                doc = self.nlp.make_doc(clause)
            for match_id, start, end in self.matcher(doc):
                kind = self.nlp.vocab.strings[match_id]
                if self._negated(clause, doc[start].idx):
                    continue
                if kind == "promise" and any(w in clause for w in self.deposit_words) and not any(
                    w in clause for w in self.risk_words
                ):
                    continue  # deposits are principal-protected: saying so is true, not a promise
                phrase = doc[start:end].text
                if not any(v.kind == kind and v.phrase == phrase for v in found):
                    found.append(Violation(kind, phrase, self.notes[kind]))
        return found


class MoveClassifier:
    def __init__(self, config: dict, embedder=None):
        self.words = {move: spec.get("words", []) for move, spec in config.items()}
        self.embedder = embedder
        self.example_moves: list[str] = []
        self.example_vectors = None
        if embedder is not None:
            examples = [(move, ex) for move, spec in config.items() for ex in spec.get("examples", [])]
            self.example_moves = [m for m, _ in examples]
            self.example_vectors = embedder.encode_queries([e for _, e in examples])

    def keyword_moves(self, text: str) -> set[str]:
        return {move for move, words in self.words.items() if any(w in text for w in words)}

    def classify(self, text: str) -> set[str]:
        moves = self.keyword_moves(text)
        if self.example_vectors is not None:
            # The encoder is most of a turn's CPU (~35 ms a clause), so only clauses no keyword decided are encoded.
            parts = [c for c in clauses(text) if len(c) >= 4 and not self.keyword_moves(c)]
            if parts:
                sims = self.embedder.encode_queries(parts) @ self.example_vectors.T
                for row in sims:
                    order = np.argsort(-row)
                    best = order[0]
                    runner = next((j for j in order[1:] if self.example_moves[j] != self.example_moves[best]), None)
                    margin = row[best] - (row[runner] if runner is not None else 0)
                    if row[best] >= EXAMPLE_FLOOR and margin >= EXAMPLE_MARGIN:
                        moves.add(self.example_moves[best])
        return moves


class Understanding:
    """Analyses staff turns; one per process, shared by the engine and the scorer."""

    def __init__(self, kb_dir: Path, embedder=None, named_topics=None):
        self.named_topics = named_topics or (lambda text: set())
        self.moves = MoveClassifier(yaml.safe_load((kb_dir / "drill" / "moves.yaml").read_text(encoding="utf-8")), embedder)
        self.compliance = ComplianceChecker(yaml.safe_load((kb_dir / "compliance.yaml").read_text(encoding="utf-8")))

    def analyse(self, text: str) -> TurnAnalysis:
        text = normalize(text)
        analysis = TurnAnalysis(text=text, moves=self.moves.classify(text), violations=self.compliance.check(text),
                                topics=self.named_topics(text))
        # 请问办理什么业务 is the greeting step (笑相问), not needs discovery
        if any(p in text for p in SERVICE_QUESTIONS):
            analysis.moves.add("greeting")
        questions = [c for c in clauses(text) if is_question_clause(c) and not any(p in c for p in SERVICE_QUESTIONS)]
        analysis.question_text = " ".join(questions)
        analysis.is_question = bool(questions)
        if not analysis.is_question:
            analysis.moves.discard("needs_question")  # telling is not asking
        elif "needs_question" not in analysis.moves and any(w in analysis.question_text for w in ("您", "你")) \
                and not analysis.moves & {"closing", "confirm_business"}:
            analysis.moves.add("needs_question")  # a question about the customer is a needs question
        return analysis


@lru_cache(maxsize=4)
def _understanding(kb_dir: str, use_embedder: bool) -> Understanding:
    embedder = named_topics = None
    if use_embedder:
        from assistant.retrieval import get_searcher

        searcher = get_searcher()
        embedder, named_topics = searcher.embedder, searcher.named_topics
    return Understanding(Path(kb_dir), embedder, named_topics)


def get_understanding() -> Understanding:
    return _understanding(str(get_settings().kb_dir), True)
