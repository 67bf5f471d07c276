"""Loading and validating scripts_kb/: all or nothing, errors name file, entry and field.

Every file a trainer edits is read here and nowhere else: the taxonomy, the topic files, the scenarios with the shared
service-step checkpoints they refer to, the rubric, the compliance notes and the understanding labels.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from assistant.content.scenario import DERIVED_REQUESTS, Checkpoint, Rubric, Scenario
from assistant.content.topics import Entry, Taxonomy, TopicFile
from assistant.errors import KBError

TAXONOMY_FILE = "taxonomy.yaml"
SHARED_CHECKPOINTS_FILE = "service_steps.yaml"
RUBRIC_FILE = "rubric.yaml"
COMPLIANCE_FILE = "compliance.yaml"
LABELS_FILE = "understanding/labels.yaml"


@dataclass(frozen=True)
class KnowledgeBase:
    topics: dict[str, TopicFile]
    entries: list[Entry]
    fingerprint: str  # hash of every topic file's bytes: the index is rebuilt when it changes
    taxonomy: Taxonomy

    def by_id(self, entry_id: str) -> Entry | None:
        return self._index().get(entry_id)

    def _index(self) -> dict[str, Entry]:
        cache = self.__dict__.get("_by_id")
        if cache is None:
            cache = {e.id: e for e in self.entries}
            object.__setattr__(self, "_by_id", cache)
        return cache

    def topic_name(self, product: str) -> str:
        topic = self.topics.get(product)
        return topic.name if topic else self.taxonomy.names.get(product, product)


# -- reading one file -----------------------------------------------------------------------------------------
def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KBError(str(path), None, None, "file not found") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise KBError(str(path), None, None, f"not valid YAML/UTF-8: {exc}") from exc


def _where(data: object, loc: tuple) -> tuple[str | None, str | None]:
    """Turn a pydantic error location into (entry, field): the id of the list item it is in when it has one."""
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data, dict):
        items = data.get(str(loc[0]))
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        label = item.get("id") if isinstance(item, dict) else None
        field = ".".join(str(part) for part in loc[2:]) or None
        return str(label or f"{loc[0]}#{loc[1] + 1}"), field
    if len(loc) > 1:
        return str(loc[0]), ".".join(str(part) for part in loc[1:])
    return None, ".".join(str(part) for part in loc) or None


def validate(path: Path, data: object, model: type[BaseModel], context: dict | None = None) -> Any:
    if not isinstance(data, dict):
        raise KBError(str(path), None, None, "the file must be a mapping of fields (see scripts_kb/README.md)")
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        first = exc.errors()[0]
        entry, field = _where(data, tuple(first["loc"]))
        raise KBError(str(path), entry, field, first["msg"]) from exc


def content_fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# -- topics ---------------------------------------------------------------------------------------------------
def topic_files(kb_dir: Path) -> list[Path]:
    return sorted((kb_dir / "topics").glob("*.yaml"))


def load_taxonomy(kb_dir: Path) -> Taxonomy:
    path = kb_dir / TAXONOMY_FILE
    return validate(path, read_yaml(path), Taxonomy)


def load_topic(path: Path, taxonomy: Taxonomy) -> TopicFile:
    return validate(path, read_yaml(path), TopicFile, {"taxonomy": taxonomy})


def load_kb(kb_dir: Path, taxonomy: Taxonomy | None = None) -> KnowledgeBase:
    """Load every topic file; raise KBError on the first problem so nothing half-loaded is served."""
    taxonomy = taxonomy or load_taxonomy(kb_dir)
    paths = topic_files(kb_dir)
    if not paths:
        raise KBError(str(kb_dir / "topics"), None, None, "no topic files found")
    topics: dict[str, TopicFile] = {}
    seen: dict[str, Path] = {}
    for path in paths:
        topic = load_topic(path, taxonomy)
        if topic.product in topics:
            raise KBError(str(path), None, "product", f"topic '{topic.product}' is already defined in another file")
        for entry in topic.entries:
            if entry.id in seen:
                raise KBError(str(path), entry.id, "id", f"duplicate id, first defined in {seen[entry.id]}")
            seen[entry.id] = path
        topics[topic.product] = topic
    entries = [entry for topic in topics.values() for entry in topic.entries]
    return KnowledgeBase(
        topics=topics,
        entries=entries,
        fingerprint=content_fingerprint([kb_dir / TAXONOMY_FILE, *paths]),
        taxonomy=taxonomy,
    )


# -- scenarios, their shared checkpoints, the rubric ----------------------------------------------------------
def load_labels(kb_dir: Path) -> dict:
    path = kb_dir / LABELS_FILE
    labels = read_yaml(path) or {}
    if not isinstance(labels, dict):
        raise KBError(str(path), None, None, "the file must be a mapping: moves, checkpoints, compliance, acts...")
    return labels


def load_shared_checkpoints(kb_dir: Path) -> dict[str, dict]:
    """scripts_kb/service_steps.yaml: checkpoints every counter scenario shares (greeting, wait time, hand-back,
    evaluation, farewell...), defined once; a scenario lists `- use: <id>` and may reword text and praise for its
    customer. Validated here as whole checkpoints, so an error names this file."""
    path = kb_dir / SHARED_CHECKPOINTS_FILE
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("checkpoints"), dict):
        raise KBError(str(path), None, "checkpoints", "expected a mapping: checkpoints: {id: {dimension, text, ...}}")
    shared: dict[str, dict] = {}
    for checkpoint_id, spec in data["checkpoints"].items():
        raw = {"id": checkpoint_id, **(spec or {})}
        validate(path, {"checkpoints": [raw]}, _SharedFile)
        shared[checkpoint_id] = raw
    return shared


class _SharedFile(BaseModel):
    checkpoints: list[Checkpoint]


def _resolve_checkpoints(path: Path, data: dict, shared: dict[str, dict]) -> dict:
    """Replace each `use: <id>` with the shared checkpoint, the scenario's own fields on top."""
    checkpoints = data.get("checkpoints")
    if not isinstance(checkpoints, list):
        return data
    resolved = []
    for n, item in enumerate(checkpoints):
        if isinstance(item, dict) and "use" in item:
            own = dict(item)
            name = own.pop("use")
            if name not in shared:
                raise KBError(
                    str(path),
                    str(own.get("id") or f"checkpoints#{n + 1}"),
                    "use",
                    f"unknown shared checkpoint '{name}': use one of {sorted(shared)} ({SHARED_CHECKPOINTS_FILE})",
                )
            item = {**copy.deepcopy(shared[name]), **own}
        resolved.append(item)
    return {**data, "checkpoints": resolved}


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
    requests = requests | set(DERIVED_REQUESTS)
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


def _check_references(path: Path, scenario: Scenario, entry_ids: set[str], kb: KnowledgeBase | None) -> None:
    references = [(c.id, c.standard) for c in scenario.checkpoints] + [(o.id, o.standard) for o in scenario.objections]
    for owner, standard in references:
        if standard and standard not in entry_ids:
            raise KBError(str(path), owner, "standard", f"unknown knowledge-base entry '{standard}'")
    if kb is not None:
        for objection in scenario.objections:
            strange = [p for p in objection.topics if p not in kb.taxonomy.names]
            if strange:
                raise KBError(str(path), objection.id, "topics", f"unknown topic(s) {strange} (taxonomy.yaml)")
        unknown = [p for p in scenario.products if p not in kb.taxonomy.names]
        if unknown:
            raise KBError(str(path), None, "products", f"unknown topic(s) {unknown} (taxonomy.yaml)")


def _check_acts(path: Path, scenario: Scenario, acts: set[str]) -> None:
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


def load_scenarios(
    kb_dir: Path, entry_ids: set[str] | None = None, labels: dict | None = None, kb: KnowledgeBase | None = None
) -> dict[str, Scenario]:
    """Every scenario, checked against the knowledge base (standard wording) and the understanding labels (acts,
    personal-question topics, requests) when they are given."""
    if labels is None and (kb_dir / LABELS_FILE).exists():
        labels = load_labels(kb_dir)
    if entry_ids is None and kb is not None:
        entry_ids = {e.id for e in kb.entries}
    shared = load_shared_checkpoints(kb_dir)
    scenarios: dict[str, Scenario] = {}
    for path in sorted((kb_dir / "scenarios").glob("*.yaml")):
        data = read_yaml(path)
        if isinstance(data, dict):
            data = _resolve_checkpoints(path, data, shared)
        scenario = validate(path, data, Scenario)
        if scenario.id in scenarios:
            raise KBError(str(path), scenario.id, "id", "duplicate scenario id")
        if entry_ids is not None:
            _check_references(path, scenario, entry_ids, kb)
        if labels is not None:
            acts = {name: set(names or {}) for name, names in (labels.get("acts") or {}).items()}
            _check_acts(path, scenario, acts.get(scenario.id, set()))
            if labels.get("personal"):
                _check_topics(path, scenario, set(labels["personal"]), set(labels.get("requests") or {}))
        scenarios[scenario.id] = scenario
    if not scenarios:
        raise KBError(str(kb_dir / "scenarios"), None, None, "no scenario files found")
    return scenarios


def load_rubric(kb_dir: Path) -> Rubric:
    path = kb_dir / RUBRIC_FILE
    return validate(path, read_yaml(path), Rubric)


def load_compliance_notes(kb_dir: Path) -> dict[str, str]:
    """compliance.yaml: the note a finding of each violation kind carries."""
    path = kb_dir / COMPLIANCE_FILE
    data = read_yaml(path)
    kinds = data.get("kinds") if isinstance(data, dict) else None
    if not isinstance(kinds, dict):
        raise KBError(str(path), None, "kinds", "expected a mapping: kinds: {kind: {note: ...}}")
    notes = {}
    for kind, spec in kinds.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("note"), str) or not spec["note"].strip():
            raise KBError(str(path), str(kind), "note", "every compliance kind needs a note (the finding's text)")
        notes[str(kind)] = spec["note"]
    return notes


def load_calibration(kb_dir: Path) -> tuple[list[str], list[str], bytes]:
    """calibration.yaml: questions in and out of scope, which fit the retrieval's confidence when the index is built."""
    path = kb_dir / "calibration.yaml"
    if not path.exists():
        return [], [], b""
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw) or {}
        positives = [item["q"] if isinstance(item, dict) else str(item) for item in data.get("in_scope", [])]
        negatives = [str(item) for item in data.get("out_of_scope", [])]
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise KBError(str(path), None, "in_scope/out_of_scope", f"cannot read calibration questions: {exc}") from exc
    return positives, negatives, raw
