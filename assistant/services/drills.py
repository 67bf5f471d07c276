"""Drills as the channels use them: start, take a staff turn, finish with a score report.

Every turn is committed with the customer's reply and the new state in one transaction, so a crash loses nothing and
never leaves half a turn; the terminal, the web API and the Rasa action all call these functions.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from sqlalchemy import select

from assistant.db import Database, Drill, DrillTurn, retry_when_busy, utcnow
from assistant.drill import engine
from assistant.drill.scenarios import get_scenario, rubric
from assistant.drill.understanding import TurnAnalysis, get_understanding
from assistant.errors import InputError, NotFound
from assistant.scoring import score_transcript
from assistant.services import evening
from assistant.services.accounts import user_id_of
from assistant.text import check_message
from assistant.vocabulary import DEFAULT_LEVEL, DIMENSION_NAMES, DIMENSIONS

log = logging.getLogger(__name__)
MAX_TURN_CHARS = 1000
STOP_WORDS = ("结束演练",)


def _level(difficulty: str):
    levels = rubric().difficulties
    if difficulty not in levels:
        raise InputError(
            f"bad difficulty {difficulty!r}", "难度只能是 easy(简单)、normal(普通)或 hard(困难)。", "bad_difficulty"
        )
    return levels[difficulty]


def _turns(session, drill_id: int) -> list[DrillTurn]:
    return list(session.scalars(select(DrillTurn).where(DrillTurn.drill_id == drill_id).order_by(DrillTurn.position)))


def drill_view(drill: Drill, turns: list[DrillTurn]) -> dict:
    scenario = get_scenario(drill.scenario)
    return {
        "id": drill.id,
        "scenario": drill.scenario,
        "title": scenario.title,
        "difficulty": drill.difficulty,
        "seed": drill.seed,
        "status": drill.status,
        "outcome": drill.state.get("outcome"),
        "done": drill.status == "finished" or bool(drill.state.get("done")),
        "turns": [{"speaker": t.speaker, "text": t.text} for t in turns],
        "report": drill.report,
        "created_at": drill.created_at.isoformat(),
    }


def active_drill(owner: str) -> Drill | None:
    with Database.get().session() as session:
        return session.scalars(select(Drill).where(Drill.owner == owner, Drill.status == "active")).first()


@retry_when_busy
def start_drill(
    owner: str, scenario_id: str, seed: int | None = None, difficulty: str = DEFAULT_LEVEL, user_id: int | None = None
) -> dict:
    scenario = get_scenario(scenario_id)
    level = _level(difficulty)
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InputError(f"bad seed {seed!r}", "seed 必须是整数。", "bad_seed")
    with Database.get().session() as session:
        running = session.scalars(select(Drill).where(Drill.owner == owner, Drill.status == "active")).first()
        if running is not None:
            title = get_scenario(running.scenario).title
            raise InputError(
                f"owner {owner} already has drill {running.id}",
                f"您已经有一场正在进行的演练(“{title}”),一次只能进行一场。请先说“结束演练”。",
                "drill_running",
            )
        state, opening = engine.start(scenario, difficulty, seed, level)
        if user_id is None:
            user_id = user_id_of(owner)
        drill = Drill(
            owner=owner,
            user_id=user_id,
            scenario=scenario.id,
            difficulty=difficulty,
            seed=seed,
            status="active",
            state=state.to_dict(),
            session_id=evening.session_for_new_drill(session, user_id, scenario.id),
        )
        session.add(drill)
        session.flush()
        session.add(DrillTurn(drill_id=drill.id, position=0, speaker="customer", text=opening))
        session.flush()
        return drill_view(drill, _turns(session, drill.id))


def _load(session, drill_id: int, owner: str | None, lock: bool = False) -> Drill:
    # lock: the row stays locked until commit (PostgreSQL), so two replicas never write the same turn position.
    drill = session.get(Drill, drill_id, with_for_update=lock)
    if drill is None or (owner is not None and drill.owner != owner):
        raise NotFound(f"drill {drill_id} not found for {owner}", "没有找到这场演练。", "drill_not_found")
    return drill


@dataclass(frozen=True)
class TurnResult:
    """One turn's outcome for the adapters: what the customer said, and whether the drill is over (and how)."""

    customer: str
    done: bool
    outcome: str | None = None

    def to_dict(self) -> dict:
        """The HTTP API's JSON (POST /api/drills/<id>/turns)."""
        return {"customer": self.customer, "done": self.done, "outcome": self.outcome}


@retry_when_busy
def take_turn(drill_id: int, text: object, owner: str | None = None) -> TurnResult:
    """The staff member's line in, the customer's reply out; stored with the new state in one transaction."""
    staff_text = check_message(text, MAX_TURN_CHARS, "这句话")
    understanding = get_understanding()
    with Database.get().session() as session:
        drill = _load(session, drill_id, owner, lock=True)
        if drill.status != "active" or drill.state.get("done"):
            raise InputError(
                f"drill {drill_id} has ended", "这场演练已经结束了。可以说“开始演练”再来一场。", "drill_ended"
            )
        scenario = get_scenario(drill.scenario)
        state = engine.DrillState.from_dict(drill.state)
        analysis = understanding.analyse(staff_text, drill.scenario)
        reply, events = engine.respond(scenario, state, _level(drill.difficulty), analysis)
        position = len(_turns(session, drill.id))
        session.add(
            DrillTurn(
                drill_id=drill.id,
                position=position,
                speaker="staff",
                text=staff_text,
                analysis={**analysis.to_dict(), "events": events},
            )
        )
        session.add(DrillTurn(drill_id=drill.id, position=position + 1, speaker="customer", text=reply))
        drill.state = state.to_dict()
        return TurnResult(reply, state.done, state.outcome)


@retry_when_busy
def finish_drill(drill_id: int, owner: str | None = None) -> dict:
    """Score the drill (once) and close it; finishing again returns the same report."""

    with Database.get().session() as session:
        drill = _load(session, drill_id, owner, lock=True)
        if drill.report is not None:
            return drill.report
        turns = _turns(session, drill.id)
        state = engine.DrillState.from_dict(drill.state)
        transcript = {"scenario": drill.scenario, "turns": [{"speaker": t.speaker, "text": t.text} for t in turns]}
        if not any(t.speaker == "staff" for t in turns):
            report = {
                "scenario": drill.scenario,
                "total": 0,
                "passed": False,
                "dimensions": dict.fromkeys(DIMENSIONS, 0),
                "findings": [],
                "feedback": {"praise": [], "improve": ["这场演练还没有开始对话,没有可评分的内容。"]},
            }
        else:
            stored = {
                n: TurnAnalysis.from_dict(t.text, t.analysis)
                for n, t in enumerate(turns)
                if t.speaker == "staff" and t.analysis and "question_text" in t.analysis
            }
            report = score_transcript(transcript, analyses=stored, unanswered=state.unanswered_questions)
        report["outcome"] = state.outcome
        # the customer's own questions (issue 14): asked, and those left unanswered (noted under findings)
        report["customer_questions"] = {"asked": list(state.asked), "unanswered": state.unanswered_questions}
        report["drill_id"] = drill.id
        drill.report, drill.total, drill.passed = report, report["total"], report["passed"]
        drill.status, drill.finished_at = "finished", utcnow()
        return report


def get_drill(drill_id: int, owner: str | None = None) -> dict:
    with Database.get().session() as session:
        drill = _load(session, drill_id, owner)
        return drill_view(drill, _turns(session, drill.id))


def format_report(report: dict) -> str:
    """The score report as staff read it in chat and in the terminal."""
    verdict = "情景通关:通过 ✔" if report["passed"] else "情景通关:未通过"
    lines = [
        f"【演练评分】总分 {report['total']} 分 —— {verdict}",
        " ".join(f"{DIMENSION_NAMES[d]} {v}" for d, v in report["dimensions"].items()),
    ]
    violations = [f for f in report["findings"] if f["status"] == "violation"]
    if violations:
        lines.append("合规问题:" + ";".join(f["note"] for f in violations))
    if report["feedback"]["praise"]:
        lines.append("做得好(赞赏性指导):")
        lines += [f"· {p}" for p in report["feedback"]["praise"]]
    if report["feedback"]["improve"]:
        lines.append("可以改进(建设性指导):")
        lines += [f"· {p}" for p in report["feedback"]["improve"]]
    return "\n".join(lines)
