"""The labelled corpus of staff utterances: loading and validation with errors that name file, line and field.

Layout (scripts_kb/understanding/): `labels.yaml` (moves, violation kinds, acts per scenario, each with a definition),
`writers.yaml` (who wrote what), `corpus/<writer>/<scenario or general>.yaml`:

    writer: w03
    scenario: fund_sip_young_worker
    utterances:
      - {text: "……", moves: [presentation], acts: [fab_feature]}
      - {text: "……", moves: [], acts: [], violation: promise, span: "稳赚"}
      - {text: "……", moves: [risk_disclosure], acts: [], hard_negative: promise}

and two sets of tagged lines, each a writer's file of items with their labels (empty: none of them):
`personal/<writer>.yaml`, questions about the customer themselves (`topics: [name, age]`), and
`requests/<writer>.yaml`, what the staff asks the customer to do or decide (`labels: [sign]`):

    writer: p03
    items:
      - {text: "……", topics: [name, age]}
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

GENERAL = "general"


class CorpusError(ValueError):
    """A malformed corpus or label file; the message names the file, the line and the field."""


@dataclass(frozen=True)
class Labels:
    moves: dict[str, str]
    violations: dict[str, str]
    acts: dict[str, dict[str, str]]  # scenario id -> act -> definition
    personal: dict[str, str] = field(default_factory=dict)  # personal-question topic -> definition
    requests: dict[str, str] = field(default_factory=dict)  # what the staff asks the customer to do -> definition

    def scenario_acts(self, scenario: str) -> list[str]:
        return sorted(self.acts.get(scenario, {}))

    def act_labels(self) -> list[str]:
        """Every act, qualified by its scenario (`fund_sip_young_worker.fab_feature`)."""
        return [f"{s}.{a}" for s in sorted(self.acts) for a in sorted(self.acts[s])]


@dataclass(frozen=True)
class Utterance:
    text: str
    writer: str
    scenario: str  # a scenario id or "general"
    moves: frozenset[str] = frozenset()
    acts: frozenset[str] = frozenset()  # scenario-qualified act labels
    violation: str | None = None
    span: str | None = None
    hard_negative: str | None = None
    source: str = ""  # file:line


@dataclass(frozen=True)
class TaggedLine:
    """A staff line of a tagged set (a personal question, a request) with its labels."""

    text: str
    writer: str
    topics: frozenset[str]  # empty: a staff line that does none of the set's things
    source: str = ""


@dataclass(frozen=True)
class TaggedSet:
    """How one set of tagged lines is stored: its folder, the item field holding the labels, the labels' section
    in labels.yaml."""

    name: str  # "personal" | "requests": the folder, the Labels and Corpus attribute
    field: str  # "topics" | "labels"


TAGGED_SETS = (TaggedSet("personal", "topics"), TaggedSet("requests", "labels"))


@dataclass
class Corpus:
    labels: Labels
    writers: dict[str, dict]
    utterances: list[Utterance] = field(default_factory=list)
    fingerprint: str = ""
    personal: list[TaggedLine] = field(default_factory=list)
    requests: list[TaggedLine] = field(default_factory=list)

    def by_writer(self) -> dict[str, list[Utterance]]:
        out: dict[str, list[Utterance]] = {}
        for u in self.utterances:
            out.setdefault(u.writer, []).append(u)
        return out


class _LineLoader(yaml.SafeLoader):
    """Records the line of every mapping so errors can point at it."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _read(path: Path):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise CorpusError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot be read ({exc})") from exc


def _clean(mapping: dict) -> dict:
    return {k: v for k, v in mapping.items() if k != "__line__"}


def load_labels(path: Path) -> Labels:
    data = _read(path)
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: expected a mapping with moves, violations and acts")
    for key in ("moves", "violations", "acts"):
        if not isinstance(data.get(key), dict) or not data[key]:
            raise CorpusError(f"{path}: field '{key}' is missing or empty")
    acts = {s: _clean(a) for s, a in _clean(data["acts"]).items()}
    tagged = {}
    for kind in TAGGED_SETS:
        section = data.get(kind.name) or {}
        if not isinstance(section, dict):
            raise CorpusError(f"{path}: field '{kind.name}' must map label names to definitions")
        tagged[kind.name] = _clean(section)
    return Labels(moves=_clean(data["moves"]), violations=_clean(data["violations"]), acts=acts, **tagged)


def _string_list(value, where: str, name: str, known: set[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CorpusError(f"{where}: field '{name}' must be a list of names")
    unknown = sorted(set(value) - known)
    if unknown:
        raise CorpusError(f"{where}: field '{name}' has unknown label(s) {unknown}")
    return value


def _item(item, path: Path, kind: str, fields: set[str]) -> tuple[str, str]:
    """(where, text) of one corpus item, checked: a mapping, only known fields, a non-empty 'text'."""
    line = item.get("__line__", "?") if isinstance(item, dict) else "?"
    where = f"{path}:{line}"
    if not isinstance(item, dict):
        raise CorpusError(f"{where}: {kind} must be a mapping with at least 'text'")
    extra = set(item) - {"__line__", "text"} - fields
    if extra:
        raise CorpusError(f"{where}: unknown field(s) {sorted(extra)}")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: field 'text' is missing or empty")
    return where, text


def _utterance(item, path: Path, writer: str, scenario: str, labels: Labels) -> Utterance:
    where, text = _item(item, path, "an utterance", {"moves", "acts", "violation", "span", "hard_negative"})
    moves = _string_list(item.get("moves"), where, "moves", set(labels.moves))
    known_acts = set(labels.scenario_acts(scenario))
    acts = _string_list(item.get("acts"), where, "acts", known_acts)
    violation, span, hard = item.get("violation"), item.get("span"), item.get("hard_negative")
    for name, value in (("violation", violation), ("hard_negative", hard)):
        if value is not None and value not in labels.violations:
            raise CorpusError(f"{where}: field '{name}' is '{value}', not one of {sorted(labels.violations)}")
    if violation and hard:
        raise CorpusError(f"{where}: a line is either a violation or a hard negative, not both")
    if violation:
        if not isinstance(span, str) or not span.strip():
            raise CorpusError(f"{where}: field 'span' is required with a violation (the words that commit it)")
        if span not in text:
            raise CorpusError(f"{where}: field 'span' is not a part of 'text'")
    elif span is not None:
        raise CorpusError(f"{where}: field 'span' only goes with a violation")
    return Utterance(
        text=text.strip(),
        writer=writer,
        scenario=scenario,
        moves=frozenset(moves),
        acts=frozenset(f"{scenario}.{a}" for a in acts),
        violation=violation,
        span=span.strip() if span else None,
        hard_negative=hard,
        source=where,
    )


def _writer_file(
    path: Path, writers: dict, items_key: str, fields: str, owner: str, owner_is: str
) -> tuple[dict, str, list]:
    """(data, writer, items) of one writer's file, checked: a mapping, a known writer who owns the file (`owner`,
    described as `owner_is`), a non-empty list under `items_key`."""
    data = _read(path)
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: expected a mapping with {fields}")
    writer, items = data.get("writer"), data.get(items_key)
    if writer not in writers:
        raise CorpusError(f"{path}:{data.get('__line__', 1)}: field 'writer' is '{writer}', not in writers.yaml")
    if writer != owner:
        raise CorpusError(f"{path}: field 'writer' is '{writer}' but {owner_is} '{owner}'")
    if not isinstance(items, list) or not items:
        raise CorpusError(f"{path}: field '{items_key}' is missing or empty")
    return data, writer, items


def load_file(path: Path, labels: Labels, writers: dict) -> list[Utterance]:
    data, writer, items = _writer_file(
        path, writers, "utterances", "writer, scenario and utterances", path.parent.name, "the file is in the folder of"
    )
    scenario = data.get("scenario")
    if scenario != GENERAL and scenario not in labels.acts:
        raise CorpusError(f"{path}: field 'scenario' is '{scenario}', not a scenario in labels.yaml or '{GENERAL}'")
    return [_utterance(item, path, writer, scenario, labels) for item in items]


def load_tagged_file(path: Path, kind: TaggedSet, labels: Labels, writers: dict) -> list[TaggedLine]:
    _, writer, items = _writer_file(path, writers, "items", "writer and items", path.stem, "the file is named")
    out = []
    for item in items:
        where, text = _item(item, path, "an item", {kind.field})
        tags = _string_list(item.get(kind.field), where, kind.field, set(getattr(labels, kind.name)))
        out.append(TaggedLine(text.strip(), writer, frozenset(tags), where))
    return out


def corpus_files(root: Path) -> list[Path]:
    return sorted((root / "corpus").glob("*/*.yaml"))


def tagged_files(root: Path, kind: TaggedSet) -> list[Path]:
    return sorted((root / kind.name).glob("*.yaml"))


def load_corpus(root: Path) -> Corpus:
    """Every corpus file under `root` (scripts_kb/understanding), validated; raises CorpusError on the first problem."""
    labels = load_labels(root / "labels.yaml")
    writers = {k: _clean(v) if isinstance(v, dict) else v for k, v in _clean(_read(root / "writers.yaml")).items()}
    digest = hashlib.sha256()
    utterances: list[Utterance] = []
    for name in ("labels.yaml", "writers.yaml"):
        digest.update((root / name).read_bytes())
    for path in corpus_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        utterances.extend(load_file(path, labels, writers))
    if not utterances:
        raise CorpusError(f"{root / 'corpus'}: no corpus files found")
    tagged: dict[str, list[TaggedLine]] = {}
    for kind in TAGGED_SETS:
        tagged[kind.name] = []
        for path in tagged_files(root, kind):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
            tagged[kind.name].extend(load_tagged_file(path, kind, labels, writers))
    return Corpus(labels=labels, writers=writers, utterances=utterances, fingerprint=digest.hexdigest()[:16], **tagged)
