"""Scoring a finished role-play against its scenario's checkpoints (CONTRACTS section 4).

Every finding names the turn and quotes it; the weights come from scripts_kb/rubric.yaml or the scenario, never from
code; feedback follows the branch's coaching forms: 赞赏性指导 (what went well and why it matters) and 建设性指导
(what to change, with the standard wording from the knowledge base).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.content import get_content
from assistant.content.scenario import Checkpoint, Scenario
from assistant.drill.scenarios import get_scenario, rubric
from assistant.drill.understanding import TurnAnalysis, evidence_matches, get_understanding
from assistant.errors import InputError
from assistant.vocabulary import DIMENSIONS, names_risk_product

MAX_TURNS = 300
MAX_TURN_CHARS = 3000
QUOTE_CHARS = 60
MAX_PRAISE = 3
MAX_IMPROVE = 4
ENCOURAGEMENT = "整体思路是对的,把上面几点练熟,下一次情景通关一定会更好!"


def validate_transcript(transcript: object) -> tuple[str, list[dict]]:
    """The scenario id and turns, or InputError naming the field and the turn that is wrong."""
    if not isinstance(transcript, dict):
        raise InputError(
            "transcript is not an object",
            "演练记录格式不对:应为包含 scenario 和 turns 的 JSON 对象。",
            "bad_transcript",
        )
    scenario = transcript.get("scenario")
    if not isinstance(scenario, str) or not scenario:
        raise InputError("missing scenario", "演练记录缺少 scenario 字段(场景编号)。", "bad_transcript")
    turns = transcript.get("turns")
    if not isinstance(turns, list):
        raise InputError("turns is not a list", "演练记录的 turns 字段应为列表。", "bad_transcript")
    if len(turns) > MAX_TURNS:
        raise InputError(f"{len(turns)} turns", f"演练记录太长({len(turns)}轮),最多 {MAX_TURNS} 轮。", "too_many_turns")
    for n, turn in enumerate(turns):
        if not isinstance(turn, dict) or not isinstance(turn.get("text"), str):
            raise InputError(f"turn {n} malformed", f"第 {n + 1} 轮格式不对:需要 speaker 和 text 字段。", "bad_turn")
        if turn.get("speaker") not in ("staff", "customer"):
            raise InputError(
                f"turn {n} speaker {turn.get('speaker')!r}",
                f"第 {n + 1} 轮的 speaker 只能是 staff(员工)或 customer(客户),而不是“{turn.get('speaker')}”。",
                "bad_speaker",
            )
        if len(turn["text"]) > MAX_TURN_CHARS:
            raise InputError(
                f"turn {n} too long", f"第 {n + 1} 轮太长了,每轮最多 {MAX_TURN_CHARS} 字。", "turn_too_long"
            )
    if not any(t["speaker"] == "staff" and t["text"].strip() for t in turns):
        raise InputError("no staff turns", "演练记录里没有员工的发言,无法评分。", "no_staff_turns")
    return scenario, turns


@dataclass
class _Hit:
    turn: int
    in_order: bool


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "……"


def checkpoint_met(checkpoint: Checkpoint, analysis: TurnAnalysis) -> bool:
    """Whether one analysed turn is evidence for the checkpoint (the scorer and `kb try` ask the same question)."""
    return any(evidence_matches(e, analysis) for e in checkpoint.evidence)


# what the staff does with a product it names for a disclosure to be owed: presents it, states its benefit, asks for
# the decision, or answers a worry about it (GRADING.md: "never touches a risk product needs no disclosure")
DISCLOSURE_DUE_MOVES = frozenset({"presentation", "benefit", "closing", "objection_answer"})


def touches_risk_product(turns: list[dict], analyses: dict[int, TurnAnalysis]) -> bool:
    """Whether the staff talked about a non-deposit investment product (then a risk disclosure is due): a staff turn
    that names one and pitches it (every staff turn has its analysis, `_staff_analyses`)."""
    return any(
        turn["speaker"] == "staff" and names_risk_product(turn["text"]) and analyses[index].moves & DISCLOSURE_DUE_MOVES
        for index, turn in enumerate(turns)
    )


def compliance_score(
    scenario: Scenario,
    turns: list[dict],
    hits: dict[str, "_Hit"],
    violations: int,
    rules,
    analyses: dict[int, TurnAnalysis],
) -> float:
    """GRADING.md: 0 with a violation; else 100, lowered (never below 100 - disclosure_penalty) only when a risk
    product came up and its disclosure checkpoints were missed or incomplete."""
    if violations:
        return 0.0
    disclosures = [c for c in scenario.checkpoints if c.dimension == "compliance"]
    if not disclosures or not touches_risk_product(turns, analyses):
        return 100.0
    total = sum(c.weight for c in disclosures)
    met = sum(
        c.weight * (1.0 if hits[c.id].in_order else rules.out_of_order_credit) for c in disclosures if c.id in hits
    )
    return 100.0 - rules.disclosure_penalty * (1 - met / total)


_ADDRESS = re.compile(
    r"[张王李刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜"
    r"戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文]"
    r"(?:姐|哥|叔|阿姨|大爷|大妈|奶奶|爷爷|先生|女士|老师|师傅|老板|总|阿姨)"
)


def fit_to_customer(wording: str, scenario: Scenario | None) -> str:
    """Standard wording addressed to this drill's customer: "张姐" in the knowledge base becomes "小周" for 小周."""
    if scenario is None:
        return wording
    return _ADDRESS.sub(scenario.persona.name, wording)


def standard_wording(entry_id: str | None, scenario: Scenario | None = None) -> str:
    """The entry looked up by id in the content's knowledge base (the one the retrieval index is built from), so
    scoring needs neither the encoder nor the index."""
    if not entry_id:
        return ""
    entry = get_content().kb.by_id(entry_id)
    if entry is None:
        return ""
    wording = fit_to_customer(" / ".join(entry.wording[:2]) if entry.wording else entry.text, scenario)
    return f"标准话术({entry.id}):{_quote(wording) if len(wording) > 120 else wording}"


UNANSWERED_COST = 5  # service points for each of the customer's own questions left unanswered


def score_transcript(
    transcript: object, analyses: dict[int, TurnAnalysis] | None = None, unanswered: list[str] | None = None
) -> dict:
    """`unanswered`: ids of the drill customer's own questions that got no answer (known only in a drill): each is
    noted in the report and costs service UNANSWERED_COST points."""
    scenario_id, turns = validate_transcript(transcript)
    scenario = get_scenario(scenario_id)
    rules = rubric()
    analyses = _staff_analyses(scenario, turns, analyses)
    hits = _checkpoint_hits(scenario, analyses)
    report = _Report(scenario, turns)
    for checkpoint in scenario.checkpoints:
        report.checkpoint(checkpoint, hits.get(checkpoint.id), rules.out_of_order_credit)
    violations = report.violations(analyses)
    left_open = report.unanswered([q for q in scenario.questions if q.id in (unanswered or [])])
    dimensions = {}
    for d in DIMENSIONS:
        if d == "compliance":
            value = compliance_score(scenario, turns, hits, violations, rules, analyses)
        else:  # what was done, on the coach's scale: a conversation with nothing done still earns the floor
            share = report.credit[d] / report.weight[d] if report.weight[d] else 1.0
            value = rules.dimension_floor + (100.0 - rules.dimension_floor) * share**rules.dimension_curve
            if d == "service":
                value -= UNANSWERED_COST * left_open
        dimensions[d] = round(max(0.0, min(100.0, value)))
    weights: dict[str, float] = {str(d): w for d, w in (scenario.weights or rules.weights).items()}
    total = round(sum(weights[d] * dimensions[d] for d in DIMENSIONS))
    improve_lines = [text for _, text in sorted(report.improve, key=lambda pair: -pair[0])[:MAX_IMPROVE]]
    if improve_lines:
        improve_lines.append(ENCOURAGEMENT)
    return {
        "scenario": scenario.id,
        "total": total,
        "passed": total >= rules.pass_total and violations == 0,
        "dimensions": dimensions,
        "findings": report.findings,
        "feedback": {"praise": report.praise, "improve": improve_lines},
    }


def _staff_analyses(
    scenario: Scenario, turns: list[dict], analyses: dict[int, TurnAnalysis] | None
) -> dict[int, TurnAnalysis]:
    """The analysis of every staff turn: the ones given (a drill's, as the customer reacted to them), else made (the
    model is loaded only then)."""
    out = dict(analyses or {})
    for index, turn in enumerate(turns):
        if turn["speaker"] == "staff" and index not in out:
            out[index] = get_understanding().analyse(turn["text"], scenario.id, personal=False)
    return out


def _checkpoint_hits(scenario: Scenario, analyses: dict[int, TurnAnalysis]) -> dict[str, _Hit]:
    """The turn credited with each checkpoint: the first in order, else the first at all."""
    hits: dict[str, _Hit] = {}
    for index in sorted(analyses):
        for checkpoint in scenario.checkpoints:
            previous = hits.get(checkpoint.id)
            if previous and previous.in_order:
                continue
            if checkpoint_met(checkpoint, analyses[index]):
                in_order = all(a in hits and hits[a].turn < index for a in checkpoint.after)
                if previous is None or in_order:
                    hits[checkpoint.id] = _Hit(index, in_order)
    return hits


class _Report:
    """The findings, the feedback and the credit per dimension, gathered checkpoint by checkpoint."""

    def __init__(self, scenario: Scenario, turns: list[dict]):
        self.scenario, self.turns = scenario, turns
        self.findings: list[dict] = []
        self.credit = {d: 0.0 for d in DIMENSIONS}
        self.weight = {d: 0.0 for d in DIMENSIONS}
        self.praise: list[str] = []
        self.improve: list[tuple[float, str]] = []  # (priority, line)

    def _finding(self, dimension: str, checkpoint: str, status: str, turn: int | None, note: str) -> None:
        self.findings.append(
            {"dimension": dimension, "checkpoint": checkpoint, "status": status, "evidence_turn": turn, "note": note}
        )

    def checkpoint(self, checkpoint, hit: _Hit | None, out_of_order_credit: float) -> None:
        self.weight[checkpoint.dimension] += checkpoint.weight
        if hit is None:
            self._finding(checkpoint.dimension, checkpoint.id, "miss", None, f"未做到:{checkpoint.text}")
            wording = standard_wording(checkpoint.standard, self.scenario)
            self.improve.append((checkpoint.weight, f"{checkpoint.text}。{wording}".rstrip("。")))
            return
        quote = _quote(self.turns[hit.turn]["text"])
        if hit.in_order:
            self.credit[checkpoint.dimension] += checkpoint.weight
            note = f"第 {hit.turn + 1} 轮做到:“{quote}”"
            if len(self.praise) < MAX_PRAISE:
                self.praise.append(
                    f"{checkpoint.text}(第 {hit.turn + 1} 轮:“{quote}”)。{checkpoint.praise}".rstrip("。") + "。"
                )
        else:
            self.credit[checkpoint.dimension] += checkpoint.weight * out_of_order_credit
            order = "、".join(c.text for c in self.scenario.checkpoints if c.id in checkpoint.after)
            note = f"第 {hit.turn + 1} 轮做到但顺序不对(应在“{order}”之后):“{quote}”"
            self.improve.append((checkpoint.weight * 0.5, f"注意顺序:{checkpoint.text}应在“{order}”之后。"))
        self._finding(checkpoint.dimension, checkpoint.id, "hit", hit.turn, note)

    def violations(self, analyses: dict[int, TurnAnalysis]) -> int:
        """Each slip, with its turn and phrase; returns how many."""
        count = 0
        for index in sorted(analyses):
            for violation in analyses[index].violations:
                count += 1
                quote = _quote(self.turns[index]["text"])
                note = f"第 {index + 1} 轮违规({violation.note}):“{quote}”,不得说“{violation.phrase}”"
                self._finding("compliance", f"compliance_{violation.kind}", "violation", index, note)
                self.improve.append(
                    (
                        100.0,
                        f"合规红线:{violation.note}。第 {index + 1} 轮说了“{violation.phrase}”,"
                        "非存款产品不得承诺保本保收益,不施压、不贬低同业,如实提示风险。",
                    )
                )
        return count

    def unanswered(self, questions: list) -> int:
        """The drill customer's own questions left unanswered; returns how many."""
        for question in questions:
            note = f"客户问了“{question.about}”,没有得到回答"
            self._finding("service", f"customer_question_{question.id}", "miss", None, note)
            self.improve.append(
                (2.0, f"客户主动问“{question.about}”时要正面回答,答不上来就说明会帮他问清楚,不要绕过去。")
            )
        return len(questions)
