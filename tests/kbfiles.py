"""Editing a copy of the authored content: the tests that check how broken files are reported share these."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from assistant.config import ROOT

KB_DIR = ROOT / "scripts_kb"


def copy_kb(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(KB_DIR, target)
    return target


def edit_yaml(path: Path, change) -> Path:
    """Load the YAML file, let `change` mutate the data, write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def replace_text(path: Path, old: str, new: str) -> Path:
    """Replace the first `old` in the file's text by `new` (a field renamed, a line reworded)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path
