"""A live app (the real Flask app with CSRF and rate limits on) wired to the real Rasa and action servers, and
headless Chromium from Debian driven by Playwright. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("ASSISTANT_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"


@pytest.fixture(scope="session")
def live_server(rasa_stack, people):
    """The app served on a free loopback port by werkzeug in a thread; /api/chat goes to the test Rasa server."""
    from assistant.web import create_app

    saved = {k: os.environ.get(k) for k in rasa_stack.web_env()}
    os.environ.update(rasa_stack.web_env())
    try:
        with serve(create_app()) as url:
            yield url
    finally:  # later tests see the environment they started with
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


class Screens:
    """Saves a full-page screenshot per step (test artifacts for review)."""

    def __init__(self):
        SHOTS.mkdir(parents=True, exist_ok=True)

    def save(self, page, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def screens():
    return Screens()


@pytest.fixture()
def open_page(browser, live_server):
    """A page in a fresh browser context (its own cookies) signed in as the given user; phone-sized on request."""
    contexts = []

    def open_as(username: str, password: str = "correct-horse-1", phone: bool = False):
        viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{live_server}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("#login-form button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()
