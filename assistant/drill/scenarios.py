"""Loading scenarios and the rubric: validated like the knowledge base, errors name file, entry and field."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.config import get_settings
from assistant.errors import KBError, NotFound
from assistant.drill.schema import Rubric, Scenario


def _load(path: Path, model):
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return model.model_validate(data)
    except yaml.YAMLError as exc:
        raise KBError(str(path), None, None, f"not valid YAML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(p) for p in first["loc"]]
        raise KBError(str(path), loc[0] if len(loc) > 1 else None, ".".join(loc[1:]) or loc[0], first["msg"]) from exc


def _labels(kb_dir: Path) -> dict | None:
    path = kb_dir / "understanding" / "labels.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else None


def _scenario_acts(labels: dict | None) -> dict[str, set[str]] | None:
    if labels is None:
        return None
    return {scenario: set(names or {}) for scenario, names in (labels.get("acts") or {}).items()}


def _check_topics(path: Path, scenario: Scenario, topics: set[str], requests: set[str]) -> None:
    """Persona facts name personal-question topics (or a request answered with a fact: the amount) and needs name
    personal-question topics, all known to the understanding model; reactions to requests name requests."""
    for topic in scenario.persona.facts:
        if topic not in topics | requests:
            raise KBError(
                str(path),
                "persona",
                f"facts.{topic}",
                f"unknown topic '{topic}': use one of {sorted(topics | requests)} "
                "(understanding/labels.yaml, personal and requests)",
            )
    for request in scenario.reactions.requests:
        if request not in requests:
            raise KBError(
                str(path),
                "reactions",
                f"requests.{request}",
                f"unknown request '{request}': use one of {sorted(requests)} (understanding/labels.yaml)",
            )
    for need in scenario.needs:
        unknown = sorted(set(need.topics) - topics)
        if unknown:
            raise KBError(str(path), need.id, "topics", f"unknown topic(s) {unknown}: see understanding/labels.yaml")


def load_scenarios(kb_dir: Path, entry_ids: set[str] | None = None) -> dict[str, Scenario]:
    scenarios: dict[str, Scenario] = {}
    labels = _labels(kb_dir)
    known_acts = _scenario_acts(labels)
    for path in sorted((kb_dir / "scenarios").glob("*.yaml")):
        scenario = _load(path, Scenario)
        if scenario.id in scenarios:
            raise KBError(str(path), scenario.id, "id", "duplicate scenario id")
        if entry_ids is not None:
            references = [(c.id, c.standard) for c in scenario.checkpoints] + [
                (o.id, o.standard) for o in scenario.objections
            ]
            for owner, standard in references:
                if standard and standard not in entry_ids:
                    raise KBError(str(path), owner, "standard", f"unknown knowledge-base entry '{standard}'")
        if known_acts is not None:
            acts = known_acts.get(scenario.id, set())
            evidences = [(c.id, "evidence", e) for c in scenario.checkpoints for e in c.evidence] + [
                (o.id, "answered_by", e) for o in scenario.objections for e in o.answered_by
            ]
            for owner, field_name, evidence in evidences:
                unknown = sorted(set(evidence.acts) - acts)
                if unknown:
                    raise KBError(
                        str(path),
                        owner,
                        f"{field_name}.acts",
                        f"unknown act(s) {unknown}: define them under acts.{scenario.id} in understanding/labels.yaml",
                    )
        if labels is not None and labels.get("personal"):
            _check_topics(path, scenario, set(labels["personal"]), set(labels.get("requests") or {}))
        scenarios[scenario.id] = scenario
    return scenarios


def load_rubric(kb_dir: Path) -> Rubric:
    return _load(kb_dir / "rubric.yaml", Rubric)


@lru_cache(maxsize=4)
def _cached(kb_dir: str) -> tuple[dict[str, Scenario], Rubric]:
    from assistant.kb import load_kb

    directory = Path(kb_dir)
    entry_ids = {e.id for e in load_kb(directory).entries}
    return load_scenarios(directory, entry_ids), load_rubric(directory)


def all_scenarios() -> dict[str, Scenario]:
    return _cached(str(get_settings().kb_dir))[0]


def rubric() -> Rubric:
    return _cached(str(get_settings().kb_dir))[1]


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
