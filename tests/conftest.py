"""Fixtures: an isolated var/ per session, the real knowledge base and index, the Flask app, and the real Rasa stack."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.stack import RasaStack

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def isolated_var(tmp_path_factory):
    """Tests never touch the developer's var/: their own database, secret key and (copied) index."""
    var = tmp_path_factory.mktemp("var")
    built = ROOT / "var" / "index"
    if built.is_dir():  # reuse the index `make test` just built instead of rebuilding it per session
        shutil.copytree(built, var / "index")
    os.environ["ASSISTANT_VAR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    yield var


@pytest.fixture(scope="session")
def searcher(isolated_var):
    from assistant.retrieval import get_searcher

    return get_searcher()


@pytest.fixture(scope="session")
def kb(searcher):
    return searcher.kb


@pytest.fixture()
def app(isolated_var):
    from assistant.web import create_app

    return create_app({"TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory, isolated_var, searcher):
    stack = RasaStack(tmp_path_factory.mktemp("rasa"))
    try:
        yield stack.start()
    finally:
        stack.close()
