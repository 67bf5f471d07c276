"""Looking up scenarios and the rubric in the loaded content (assistant.content), by id, alias or topic."""

from __future__ import annotations

from assistant.content import get_content
from assistant.content.scenario import Rubric, Scenario
from assistant.errors import NotFound


def all_scenarios() -> dict[str, Scenario]:
    return get_content().scenarios


def rubric() -> Rubric:
    return get_content().rubric


def scenario_list() -> list[dict]:
    """CONTRACTS section 2: `scenarios --json`."""
    return [
        {
            "id": s.id,
            "title": s.title,
            "role": s.role,
            "persona": s.persona.summary,
            "difficulties": list(rubric().difficulties),
        }
        for s in all_scenarios().values()
    ]


def persona_voices() -> dict[str, dict]:
    """Scenario id -> {gender, pitch, rate} of its customer: the chat page hands it to voice.js, so the trainer sets
    how a customer sounds in the scenario file, next to how it talks."""
    return {s.id: s.persona.voice.model_dump() for s in all_scenarios().values()}


def get_scenario(scenario_id: str) -> Scenario:
    scenario = all_scenarios().get(scenario_id)
    if scenario is None:
        known = "、".join(f"{s.id}({s.title})" for s in all_scenarios().values())
        raise NotFound(
            f"unknown scenario {scenario_id!r}",
            f"没有找到演练场景“{scenario_id}”。可选场景:{known}。",
            "unknown_scenario",
        )
    return scenario


def find_scenario(name: str | None) -> Scenario | None:
    """A scenario by id, by one of its aliases, or by a knowledge-base topic it is about (from the bot's entities)."""
    if not name:
        return None
    scenarios = all_scenarios()
    if name in scenarios:
        return scenarios[name]
    for scenario in scenarios.values():
        if name in scenario.aliases or any(alias in name for alias in scenario.aliases):
            return scenario
    for scenario in scenarios.values():
        if name in scenario.products:
            return scenario
    return None
