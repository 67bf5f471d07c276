"""Loading and validating scripts_kb/: all or nothing, errors name file, entry and field."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.errors import KBError
from assistant.kb.schema import TOPICS, Entry, TopicFile


@dataclass(frozen=True)
class KnowledgeBase:
    topics: dict[str, TopicFile]
    entries: list[Entry]
    fingerprint: str  # hash of every topic file's bytes: the index is rebuilt when it changes

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
        return topic.name if topic else TOPICS.get(product, product)


def topic_files(kb_dir: Path) -> list[Path]:
    return sorted((kb_dir / "topics").glob("*.yaml"))


def content_fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _entry_label(data: object, loc: tuple) -> tuple[str | None, str | None]:
    """Turn a pydantic error location into (entry id, field name)."""
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        entries = data.get("entries") if isinstance(data, dict) else None
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        label = entry_id or f"#{loc[1] + 1}"
        field = ".".join(str(part) for part in loc[2:]) or None
        return label, field
    return None, ".".join(str(part) for part in loc) or None


def load_topic(path: Path) -> TopicFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise KBError(str(path), None, None, f"not valid YAML/UTF-8: {exc}") from exc
    if not isinstance(data, dict):
        raise KBError(str(path), None, None, "the file must be a mapping with product, name, synonyms and entries")
    try:
        return TopicFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        entry, field = _entry_label(data, tuple(first["loc"]))
        raise KBError(str(path), entry, field, first["msg"]) from exc


def load_kb(kb_dir: Path) -> KnowledgeBase:
    """Load every topic file; raise KBError on the first problem so nothing half-loaded is served."""
    paths = topic_files(kb_dir)
    if not paths:
        raise KBError(str(kb_dir / "topics"), None, None, "no topic files found")
    topics: dict[str, TopicFile] = {}
    seen: dict[str, Path] = {}
    for path in paths:
        topic = load_topic(path)
        if topic.product in topics:
            raise KBError(str(path), None, "product", f"topic '{topic.product}' is already defined in another file")
        for entry in topic.entries:
            if entry.id in seen:
                raise KBError(str(path), entry.id, "id", f"duplicate id, first defined in {seen[entry.id]}")
            seen[entry.id] = path
        topics[topic.product] = topic
    entries = [entry for topic in topics.values() for entry in topic.entries]
    return KnowledgeBase(topics=topics, entries=entries, fingerprint=content_fingerprint(paths))
