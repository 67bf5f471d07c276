"""What the assistant makes of one staff line in a scenario, for trainers checking their content
(`bin/assistant kb try SCENARIO "一句员工的话"`): the one analysis the engine, the scorer and the coach's page read,
the checkpoints it would be credited with, any compliance finding, and how the drill customer reacts to it as the
first line of a drill."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.drill import engine
from assistant.drill.scenarios import get_scenario, rubric
from assistant.drill.understanding import TurnAnalysis, get_understanding
from assistant.scoring.scorer import checkpoint_met
from assistant.vocabulary import DEFAULT_LEVEL, Level


@dataclass
class LineExplained:
    scenario: str
    analysis: TurnAnalysis
    checkpoints: list[tuple[str, str]] = field(default_factory=list)  # (checkpoint id, what it asks for)
    customer_reply: str = ""
    customer_acts: list[str] = field(default_factory=list)


def explain_line(scenario_id: str, text: str, difficulty: Level = DEFAULT_LEVEL, seed: int = 1) -> LineExplained:
    """Raises KeyError for an unknown scenario, InputError for an unusable line (as a drill turn would)."""
    scenario = get_scenario(scenario_id)
    analysis = get_understanding().analyse(text, scenario.id)
    level = rubric().difficulties[difficulty]
    state, _opening = engine.start(scenario, difficulty, seed, level)
    reply, acts = engine.respond(scenario, state, level, analysis)
    return LineExplained(
        scenario=scenario.id,
        analysis=analysis,
        checkpoints=[(c.id, c.text) for c in scenario.checkpoints if checkpoint_met(c, analysis)],
        customer_reply=reply,
        customer_acts=acts,
    )
