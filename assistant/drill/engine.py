"""The customer in a role-play: a small state machine driven by what the staff member actually says.

Pure functions over a serialisable state: the same scenario, seed and staff lines always give the same conversation,
and a drill resumes from its stored state after a restart.
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

from assistant.drill.schema import Difficulty, Objection, Scenario
from assistant.drill.understanding import TurnAnalysis, any_evidence

MAX_STAFF_TURNS = 40
LEVELS = ("easy", "normal", "hard")
PITCH_MOVES = {"presentation", "benefit"}
DECISION_MOVES = {"closing", "referral"}


@dataclass
class DrillState:
    scenario: str
    difficulty: str
    seed: int
    patience: int
    turn: int = 0  # staff turns so far
    trust: int = 0
    greeted: bool = False
    revealed: list[str] = field(default_factory=list)  # need ids, in the order the customer told them
    raised: list[str] = field(default_factory=list)  # objection ids raised so far
    open_objection: str | None = None
    answered: list[str] = field(default_factory=list)
    dodges: int = 0
    accepted: bool = False
    done: bool = False
    outcome: str = "in_progress"  # accepted | walked_away | left | turn_limit

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "DrillState":
        return cls(**data)


def pick(lines: list[str], state: DrillState, situation: str) -> str:
    """A phrasing chosen by seed, turn and situation: varied across drills, identical on replay."""
    return random.Random(f"{state.seed}|{state.turn}|{situation}").choice(lines)


def planned_objections(scenario: Scenario, difficulty: str, level: Difficulty) -> list[Objection]:
    allowed = LEVELS[: LEVELS.index(difficulty) + 1]
    return [o for o in scenario.objections if o.min_difficulty in allowed][: level.objections]


def start(scenario: Scenario, difficulty: str, seed: int, level: Difficulty) -> tuple[DrillState, str]:
    state = DrillState(scenario=scenario.id, difficulty=difficulty, seed=seed, patience=level.patience)
    return state, pick(scenario.opening, state, "opening")


class _Turn:
    """One staff turn being answered: collects the customer's reply pieces and the events for the record."""

    def __init__(self, scenario: Scenario, state: DrillState, level: Difficulty, analysis: TurnAnalysis):
        self.scenario, self.state, self.level, self.analysis = scenario, state, level, analysis
        self.plan = planned_objections(scenario, state.difficulty, level)
        self.parts: list[str] = []
        self.events: list[str] = []

    def say(self, lines: list[str], situation: str) -> None:
        self.parts.append(pick(lines, self.state, situation))
        self.events.append(situation)

    def objection(self, objection_id: str) -> Objection:
        return next(o for o in self.scenario.objections if o.id == objection_id)

    def next_objection(self) -> Objection | None:
        return next((o for o in self.plan if o.id not in self.state.raised), None)

    def raise_next(self, moves: set[str] | None = None) -> bool:
        """The customer voices their next worry: when the staff's moves prompt it, or straight away (moves=None)."""
        upcoming = self.next_objection()
        if upcoming is None or (moves is not None and not moves.intersection(upcoming.raise_on)):
            return False
        self.state.raised.append(upcoming.id)
        self.state.open_objection = upcoming.id
        self.say(upcoming.lines, f"objection:{upcoming.id}")
        return True

    def ready(self) -> bool:
        s = self.state
        return (len(s.revealed) >= self.scenario.needs_to_accept and s.open_objection is None
                and self.next_objection() is None and s.trust >= self.level.trust_to_accept)

    def accept(self) -> None:
        self.state.accepted = True
        self.say(self.scenario.reactions.accept, "accept")


def respond(scenario: Scenario, state: DrillState, level: Difficulty, analysis: TurnAnalysis) -> tuple[str, list[str]]:
    """Advance the customer by one staff turn; returns the customer's reply and what happened."""
    if state.done:
        raise ValueError("drill already ended")
    state.turn += 1
    t = _Turn(scenario, state, level, analysis)
    moves = analysis.moves
    r = scenario.reactions

    if analysis.violations:
        state.trust -= 1
        state.patience -= 1
        t.say(r.violation, "violation")
    if "rude" in moves:
        state.patience -= 2
        t.say(r.rude, "rude")
    if "greeting" in moves and not state.greeted:
        state.greeted = True
        state.trust += 1
    if moves & {"apology", "empathy"}:
        state.trust += 1

    # A worry answered before the customer voices it is settled: they will not raise it any more. A bare needs
    # question answers nothing yet.
    only_asking = "needs_question" in moves and not moves & (PITCH_MOVES | {"objection_answer"})
    for upcoming in t.plan:
        if upcoming.id not in state.raised and not only_asking and any_evidence(upcoming.answered_by, analysis):
            state.raised.append(upcoming.id)
            state.answered.append(upcoming.id)
            state.trust += 1
            t.events.append(f"preempted:{upcoming.id}")

    insisting = settled_now = False
    if state.open_objection:
        current = t.objection(state.open_objection)
        if any_evidence(current.answered_by, analysis):
            state.answered.append(current.id)
            state.open_objection = None
            state.trust += 1
            t.say(current.accepted_lines, f"answered:{current.id}")
            settled_now = True
            if t.ready() and not state.accepted:
                t.accept()
            else:
                t.raise_next()  # one worry settled, the customer voices the next
        elif moves & (PITCH_MOVES | DECISION_MOVES | {"objection_answer"}) or not (
            analysis.is_question or "needs_question" in moves
        ) and moves - {"greeting", "farewell"}:
            # pitching on, or talking past the worry: the customer presses again. A genuine question is answered.
            insisting = True
            state.dodges += 1
            state.patience -= 1
            t.say(current.repeat_lines, f"dodged:{current.id}")

    if not insisting and not state.accepted:
        asked_needs = "needs_question" in moves
        if asked_needs or analysis.is_question:
            pending = [n for n in scenario.needs if n.id not in state.revealed]
            target = next((n for n in pending if any(w in analysis.text for w in n.reveal_on)), None)
            if target is None and asked_needs and level.reveal_on_vague and pending:
                target = pending[0]
            if target is not None:
                state.revealed.append(target.id)
                state.trust += 1
                t.say(target.lines, f"reveal:{target.id}")
            elif asked_needs and pending:
                t.say(r.probe_more, "probe_more")
        # a pitch is a presentation move, or telling (not asking) about the product the drill is about
        pitched = bool(moves & PITCH_MOVES) or bool(
            analysis.topics & set(scenario.products) and not analysis.is_question)
        if pitched:
            moves = moves | {"presentation"}
        if pitched and not state.revealed and scenario.needs_to_accept > 0:
            state.patience -= 1
            t.say(r.pitch_too_early, "pitch_too_early")
        elif state.open_objection is None and not settled_now and t.raise_next(moves):
            pass
        elif moves & DECISION_MOVES:
            if t.ready():
                t.accept()
            elif state.open_objection is None:
                t.say(r.closing_not_ready, "closing_not_ready")

    # A goodbye ends the drill; "谢谢您专程跑一趟" beside a welcome, or a farewell that still asks something, does not.
    leaving = "farewell" in moves and "greeting" not in moves and not analysis.is_question
    if leaving and not state.done:
        state.done = True
        if state.accepted:
            state.outcome = "accepted"
            t.say(r.farewell, "farewell")
        else:
            state.outcome = "left"
            t.say(r.walk_away, "leaves")
    elif state.accepted and not t.parts:
        t.say(r.after_accept, "after_accept")

    if not t.parts and not moves and not analysis.is_question:
        state.patience -= 1  # talk that does nothing for the customer wears their patience
    if not state.done and state.patience <= 0:
        state.done, state.outcome = True, "walked_away"
        t.say(r.walk_away, "walk_away")
    if not state.done and state.turn >= MAX_STAFF_TURNS:
        state.done, state.outcome = True, "turn_limit"
        t.say(r.walk_away, "turn_limit")
    if not t.parts:
        t.say(r.greeting if "greeting" in moves and state.turn == 1 else r.continue_, "continue")
    return " ".join(t.parts), t.events
