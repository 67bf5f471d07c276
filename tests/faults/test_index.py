"""The retrieval index missing, truncated or impossible to store: rebuilt from scripts_kb/, never served broken.

A corrupt dense.faiss and a broken KB edit (the old index keeps serving) are covered in tests/unit/test_retrieval.py.
"""

from __future__ import annotations

import json
import logging
import shutil

import pytest

from assistant.config import ROOT, Settings
from assistant.retrieval.index import load_index
from assistant.retrieval.searcher import open_searcher


@pytest.fixture(scope="module")
def built(tmp_path_factory, searcher):
    """A knowledge base of two small topics and its index, built once: each test damages a copy."""
    root = tmp_path_factory.mktemp("small-kb")
    (root / "kb" / "topics").mkdir(parents=True)
    for name in ("loan", "meeting"):
        shutil.copy(ROOT / "scripts_kb" / "topics" / f"{name}.yaml", root / "kb" / "topics")
    shutil.copy(ROOT / "scripts_kb" / "taxonomy.yaml", root / "kb")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ASSISTANT_KB", str(root / "kb"))
        env.setenv("ASSISTANT_VAR", str(root / "var"))
        open_searcher(Settings(), embedder=searcher.embedder)
    return root


@pytest.fixture()
def two_topics(built, tmp_path, monkeypatch, searcher):
    """open_searcher over a fresh copy of the built index; the session's encoder."""
    shutil.copytree(built / "var", tmp_path / "var")
    monkeypatch.setenv("ASSISTANT_KB", str(built / "kb"))
    monkeypatch.setenv("ASSISTANT_VAR", str(tmp_path / "var"))
    return lambda: open_searcher(Settings(), embedder=searcher.embedder)


def stored_index():
    return next(Settings().index_dir.iterdir())


def answers_loan_questions(searcher) -> bool:
    return searcher.search("贷款利率怎么跟客户说", top=1).hits[0].entry.product == "loan"


def test_a_deleted_index_is_rebuilt_and_stored_again(two_topics):
    fingerprint = json.loads((stored_index() / "meta.json").read_text())["fingerprint"]
    shutil.rmtree(Settings().index_dir)
    again = two_topics()
    assert answers_loan_questions(again) and again.index.fingerprint == fingerprint
    assert load_index(stored_index(), fingerprint) is not None


def test_a_truncated_index_file_is_rebuilt_not_served(two_topics):
    target = stored_index() / "units.json"  # an unreadable part behind a complete meta.json (a copy cut short)
    fingerprint = json.loads((stored_index() / "meta.json").read_text())["fingerprint"]
    target.write_bytes(target.read_bytes()[:40])
    assert load_index(stored_index(), fingerprint) is None
    rebuilt = two_topics()
    assert answers_loan_questions(rebuilt)
    assert load_index(stored_index(), fingerprint) is not None  # and stored again, whole


def test_an_index_that_cannot_be_stored_is_served_from_memory(two_topics, tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the index directory should be")  # as a read-only or full disk would refuse
    monkeypatch.setenv("ASSISTANT_INDEX", str(blocker / "index"))
    with caplog.at_level(logging.ERROR, logger="assistant.retrieval.searcher"):
        searcher = two_topics()
    assert answers_loan_questions(searcher)
    assert "serving it from memory" in caplog.text
