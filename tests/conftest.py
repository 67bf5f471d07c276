"""Fixtures: an isolated var/ per session, the real knowledge base and index, the Flask app, and the real Rasa stack."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bench.servers import PostgresServer, RasaStack, start_or_skip

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def isolated_var(tmp_path_factory):
    """Tests never touch the developer's var/: their own database, secret key and (copied) index."""
    var = tmp_path_factory.mktemp("var")
    built = ROOT / "var" / "index"
    if built.is_dir():  # reuse the index `make test` just built instead of rebuilding it per session
        shutil.copytree(built, var / "index")
    if (ROOT / "var" / "nlu").is_dir():  # and the understanding model (minutes to train on a fresh machine)
        shutil.copytree(ROOT / "var" / "nlu", var / "nlu")
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


PASSWORD = "correct-horse-1"


@pytest.fixture()
def app(isolated_var):
    """The app as deployed, minus CSRF and rate limits (tests that check those create their own app)."""
    from assistant.web import create_app

    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def people(isolated_var):
    """Two branches, each with a coach and staff, and an admin: {username: Account}."""
    from assistant.services import accounts

    specs = [
        ("admin", "admin", None, "系统管理员"),
        ("coach_a", "coach", "城东支行", "王教练"),
        ("staff_a", "staff", "城东支行", "李柜员"),
        ("staff_a2", "staff", "城东支行", "赵大堂"),
        ("staff_a3", "staff", "城东支行", "钱理财"),
        ("coach_b", "coach", "城西支行", "陈教练"),
        ("staff_b", "staff", "城西支行", "周柜员"),
    ]
    return {name: accounts.create_user(name, PASSWORD, role, branch, display) for name, role, branch, display in specs}


class Auth:
    """Signs a test client in and out through the real login form (Flask tutorial style)."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture()
def auth(client, people):
    return Auth(client)


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory, isolated_var, searcher):
    stack = RasaStack(tmp_path_factory.mktemp("rasa"))
    try:
        yield stack.start()
    finally:
        stack.close()


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server from Debian's package, started for the session on a free loopback port."""
    with start_or_skip(PostgresServer) as server:
        yield server.create_database("assistant")


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the whole run: its sync API refuses to start while another one is running."""
    from tests.browser import CHROMIUM, NO_CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver
