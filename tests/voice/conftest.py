"""Fixtures for speech: the fixture recordings and a signed-in client of the app with the voice blueprint."""

from __future__ import annotations

import pytest

from bench.figures import load_audio_fixtures


@pytest.fixture(scope="session")
def recordings() -> dict[str, tuple[bytes, str]]:
    """{file name: (WAV bytes, transcript)} from tests/fixtures/audio."""
    return {name: (data, text) for name, data, text in load_audio_fixtures()}


def ensure_voice_blueprint(app):
    """The app registers the voice blueprint itself; register it here for an app that does not (yet)."""
    if "voice" not in app.blueprints:
        from assistant.web.voice import voice

        app.register_blueprint(voice)
    return app


@pytest.fixture()
def voice_client(app, auth):
    ensure_voice_blueprint(app)
    auth.login("staff_a")
    return auth.client
