"""POST /api/asr: recordings in (webm/opus from the browser, or WAV), text out; bad uploads refused in Chinese."""

import pytest

from assistant.voice import asr
from tests.voice.audio import make_wav, post_audio, webm_from_wav


def error_of(response, status: int, code: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    return error["message"]


def test_needs_a_signed_in_user(app, recordings):
    from tests.voice.conftest import ensure_voice_blueprint

    response = post_audio(ensure_voice_blueprint(app).test_client(), recordings["greet.wav"][0], "greet.wav")
    assert response.status_code == 401


def test_empty_upload_is_refused(voice_client):
    assert "没有收到录音" in error_of(post_audio(voice_client, b""), 400, "audio_empty")
    missing = voice_client.post("/api/asr", data={"scenario": "fund_sip_young_worker"})
    assert "没有收到录音" in error_of(missing, 400, "audio_empty")


def test_over_sixty_seconds_is_refused(voice_client):
    message = error_of(post_audio(voice_client, make_wav(61), "long.wav"), 400, "audio_too_long")
    assert "60秒以内" in message and "61秒" in message


def test_text_file_is_not_audio(voice_client):
    message = error_of(post_audio(voice_client, "基金定投怎么介绍\n".encode() * 20, "notes.txt"), 400, "audio_invalid")
    assert "不是音频" in message


@pytest.mark.parametrize("cut", ["garbage", "truncated"])
def test_corrupt_recording_is_refused(voice_client, recordings, cut):
    data = bytes(range(256)) * 40 if cut == "garbage" else webm_from_wav(recordings["greet.wav"][0])[:300]
    assert "已经损坏" in error_of(post_audio(voice_client, data, "speech.webm"), 400, "audio_invalid")


def test_oversized_upload_is_refused_before_decoding(voice_client):
    response = post_audio(voice_client, b"\0" * (asr.MAX_UPLOAD_BYTES + 1), "huge.wav")
    assert "太大" in error_of(response, 413, "audio_too_large")


def test_size_limit_holds_before_the_csrf_check_reads_the_form(isolated_var):
    """The app allows bigger bodies than a recording may be: the CSRF check must not parse one under its limit."""
    from assistant.web import create_app
    from tests.voice.conftest import ensure_voice_blueprint

    app = ensure_voice_blueprint(create_app({"TESTING": True, "RATELIMIT_ENABLED": False}))
    assert app.config["MAX_CONTENT_LENGTH"] is None or app.config["MAX_CONTENT_LENGTH"] > asr.MAX_UPLOAD_BYTES + 1
    response = post_audio(app.test_client(), b"\0" * (asr.MAX_UPLOAD_BYTES + 1), "huge.wav")
    assert response.status_code == 413


def test_unknown_scenario_is_named(voice_client, recordings):
    response = post_audio(voice_client, recordings["greet.wav"][0], "greet.wav", scenario="no_such_drill")
    assert "没有找到演练场景" in error_of(response, 404, "unknown_scenario")


@pytest.mark.slow
def test_browser_webm_opus_recording_is_transcribed(voice_client, recordings):
    response = post_audio(voice_client, webm_from_wav(recordings["greet.wav"][0]), "speech.webm")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "欢迎光临" in response.get_json()["text"]


@pytest.mark.slow
def test_wav_with_the_drill_vocabulary(voice_client, recordings):
    response = post_audio(voice_client, recordings["fund_sip.wav"][0], "fund_sip.wav", scenario="fund_sip_young_worker")
    assert response.status_code == 200
    assert all(word in response.get_json()["text"] for word in ("基金定投", "每个月", "上班族"))
