"""One Content object for everything a trainer edits, one cache of it per process, and one reload().

The running app watches scripts_kb/ (names, sizes, modification times; every CHECK_EVERY seconds) and swaps in the
new content when it loads cleanly; a broken edit keeps the previous content serving and is kept as `last_error`,
naming file and field. What is built from content (the retrieval index, the understanding models) follows the
parts it is built from, so the admin's reload and an edit on disk refresh topics, scenarios, rubric, compliance notes
and labels alike.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.config import get_settings
from assistant.content.loader import (
    KnowledgeBase,
    load_calibration,
    load_compliance_notes,
    load_kb,
    load_labels,
    load_rubric,
    load_scenarios,
    load_taxonomy,
)
from assistant.content.scenario import Rubric, Scenario
from assistant.content.topics import Taxonomy
from assistant.errors import KBError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Content:
    directory: Path
    taxonomy: Taxonomy
    kb: KnowledgeBase
    scenarios: dict[str, Scenario]
    rubric: Rubric
    compliance_notes: dict[str, str]
    labels: dict  # understanding/labels.yaml: moves, checkpoints, compliance kinds, acts, personal, requests
    calibration: tuple[list[str], list[str], bytes]  # questions in and out of scope, and the file's bytes
    corpus_fingerprint: str  # the understanding corpus files: the models are retrained when it changes
    signature: tuple  # what was on disk when it was loaded

    @property
    def retrieval_key(self) -> tuple[str, bytes]:
        """What the retrieval index is built from."""
        return self.kb.fingerprint, self.calibration[2]

    @property
    def understanding_key(self) -> tuple[str, str, tuple]:
        """What the understanding of a turn is built from."""
        return str(self.directory), self.corpus_fingerprint, tuple(sorted(self.compliance_notes.items()))


def content_files(kb_dir: Path) -> list[Path]:
    """Every file a reload covers."""
    return sorted(p for p in kb_dir.rglob("*.yaml") if p.is_file())


def signature(kb_dir: Path) -> tuple:
    """Cheap change detector: names, sizes and modification times of the content files."""
    out = []
    for path in content_files(kb_dir):
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((str(path.relative_to(kb_dir)), stat.st_size, stat.st_mtime_ns))
    return tuple(out)


def corpus_fingerprint(kb_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((kb_dir / "understanding").rglob("*.yaml")):
        digest.update(str(path.relative_to(kb_dir)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def load_content(kb_dir: Path) -> Content:
    """Load and cross-check every content file; raise KBError on the first problem, so nothing half-loaded serves."""
    seen = signature(kb_dir)
    taxonomy = load_taxonomy(kb_dir)
    kb = load_kb(kb_dir, taxonomy)
    labels = load_labels(kb_dir)
    return Content(
        directory=kb_dir,
        taxonomy=taxonomy,
        kb=kb,
        scenarios=load_scenarios(kb_dir, labels=labels, kb=kb),
        rubric=load_rubric(kb_dir),
        compliance_notes=load_compliance_notes(kb_dir),
        labels=labels,
        calibration=load_calibration(kb_dir),
        corpus_fingerprint=corpus_fingerprint(kb_dir),
        signature=seen,
    )


class ContentStore:
    """The process's content: loaded on first use, swapped when the files change and load cleanly."""

    CHECK_EVERY = 2.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._content: Content | None = None
        self._checked = 0.0
        self._seen: tuple = ()  # the files last looked at, loaded or rejected: not parsed again until they change
        self.last_error: KBError | None = None

    def get(self) -> Content:
        kb_dir = get_settings().kb_dir
        with self._lock:
            content = self._content
            if content is None or content.directory != kb_dir:
                return self._load(kb_dir)
            if time.monotonic() - self._checked >= self.CHECK_EVERY:
                self._checked = time.monotonic()
                seen = signature(kb_dir)
                if seen != self._seen:
                    try:
                        self._load(kb_dir)
                        log.info("content changed: reloaded from %s", kb_dir)
                    except KBError as exc:
                        self._seen = seen
                        self.last_error = exc
                        log.error("content edit rejected, still serving the previous content: %s", exc)
            assert self._content is not None
            return self._content

    def reload(self) -> Content:
        """Re-read every content file now; a KBError (naming file and field) leaves the previous content serving."""
        with self._lock:
            try:
                return self._load(get_settings().kb_dir)
            except KBError as exc:
                self._seen = signature(get_settings().kb_dir)
                self.last_error = exc
                raise

    def _load(self, kb_dir: Path) -> Content:
        content = load_content(kb_dir)
        self._content, self._seen, self._checked, self.last_error = content, content.signature, time.monotonic(), None
        return content


_store = ContentStore()


def content_store() -> ContentStore:
    return _store


def get_content() -> Content:
    return _store.get()


def reload_content() -> Content:
    return _store.reload()
