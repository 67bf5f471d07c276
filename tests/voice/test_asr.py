"""Speech to text in the library: the model is assembled and checked, the prompt fits, the real model hears words."""

import numpy as np
import pytest

from assistant.errors import InputError, NotFound, ServiceUnavailable
from assistant.text import normalize
from assistant.voice import asr
from tests.voice.audio import make_wav


@pytest.mark.slow
def test_model_folder_is_assembled_checked_and_repaired(tmp_path):
    folder = asr.ensure_model(tmp_path / "whisper-base")
    model = folder / "model.bin"
    assert model.stat().st_size == asr.MODEL_BYTES
    assert sorted(p.name for p in folder.iterdir()) == sorted(["model.bin", *asr.SMALL_FILES])  # no temp files left
    with open(model, "r+b") as handle:  # a copy cut short (disk full, killed mid-copy) is rebuilt
        handle.truncate(1000)
    asr.ensure_model(folder)
    assert model.stat().st_size == asr.MODEL_BYTES


@pytest.mark.slow
def test_weights_that_fail_the_hash_are_refused_and_not_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(asr, "MODEL_SHA256", "0" * 64)
    with pytest.raises(ServiceUnavailable) as error:
        asr.ensure_model(tmp_path / "whisper-base")
    assert "校验失败" in error.value.user_message and error.value.status == 503
    assert not any(p.name.startswith(("model.bin", ".model.bin")) for p in (tmp_path / "whisper-base").iterdir())


def test_prompt_names_products_within_whisper_limit():
    prompt = asr.build_prompt()
    assert asr.prompt_tokens(prompt) <= asr.PROMPT_TOKENS < 224
    assert all(word in prompt for word in ("基金定投", "大额存单", "信用卡", "话术"))
    assert "存蛋" not in prompt  # the knowledge base's deliberate typos are not taught to the model


def test_scenario_prompt_leads_with_the_drill_vocabulary():
    prompt = asr.build_prompt("fund_sip_young_worker")
    assert asr.prompt_tokens(prompt) <= asr.PROMPT_TOKENS
    assert prompt.index("基金定投") < prompt.index("月光族")
    with pytest.raises(NotFound) as error:
        asr.build_prompt("no_such_drill")
    assert "没有找到演练场景" in error.value.user_message


def test_encoder_window_covers_the_audio_with_a_floor():
    features = np.zeros((80, 3000), dtype=np.float32)
    features[:, :501] = -0.5  # 5 s of audio, then faster-whisper's zero padding to 30 s
    assert asr.trim_padding(features).shape == (80, asr.MIN_WINDOW_FRAMES)
    assert asr.trim_padding(features, min_frames=0).shape == (80, 602)  # 501 + 1 s, rounded up to even
    assert asr.trim_padding(features[None], min_frames=0).shape == (1, 80, 602)
    assert asr.trim_padding(features, min_frames=None) is features
    assert asr.trim_padding(np.ones((80, 3000), dtype=np.float32)).shape == (80, 3000)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, words",
    [
        ("ask_script.wav", ["大额存单", "话术"]),
        ("start_drill.wav", ["情景演练", "基金定投"]),
        ("complaint.wav", ["抱歉", "久等", "记录"]),
    ],
)
def test_real_model_hears_the_key_words(recordings, name, words):
    result = asr.transcribe(recordings[name][0])
    assert all(word in result["text"] for word in words), result["text"]
    assert normalize(result["text"]) == result["text"]  # simplified characters, half-width punctuation
    assert 2.5 < result["duration"] < 6.5 and result["seconds"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("audio", [make_wav(3), make_wav(3, 16000, tone_hz=440)], ids=["silence", "tone"])
def test_no_speech_is_said_so(audio):
    with pytest.raises(InputError) as error:
        asr.transcribe(audio)
    assert error.value.code == "no_speech" and "没有听到说话声" in error.value.user_message


def test_model_loads_once_per_process_even_when_requests_race(monkeypatch):
    import threading
    import time

    loads = []

    def slow_load():
        loads.append(1)
        time.sleep(0.2)
        return object()

    monkeypatch.setattr(asr, "_model", None)
    monkeypatch.setattr(asr, "load_model", slow_load)
    got = []
    threads = [threading.Thread(target=lambda: got.append(asr.get_model())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1 and len(got) == 4 and all(g is got[0] for g in got)
