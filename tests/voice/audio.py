"""Audio for the speech tests: generated WAV, webm/opus like a browser's, and the upload call."""

from __future__ import annotations

import io

import numpy as np

from bench.figures import wav_bytes


def make_wav(seconds: float, rate: int = 8000, tone_hz: float = 0.0) -> bytes:
    """Silence, or a quiet sine tone (sound that is not speech)."""
    t = np.arange(int(seconds * rate)) / rate
    return wav_bytes(0.1 * np.sin(2 * np.pi * tone_hz * t) if tone_hz else np.zeros_like(t), rate)


def webm_from_wav(data: bytes) -> bytes:
    """The same recording as a browser would send it: webm/opus at 48 kHz, 32 kb/s (PyAV, installed by faster-whisper)."""
    import av

    out = io.BytesIO()
    with av.open(io.BytesIO(data)) as source, av.open(out, "w", format="webm") as target:
        stream = target.add_stream("libopus", rate=48000)
        stream.bit_rate = 32000
        for frame in source.decode(audio=0):
            frame.pts = None
            for packet in stream.encode(frame):
                target.mux(packet)
        for packet in stream.encode(None):
            target.mux(packet)
    return out.getvalue()


def post_audio(client, data: bytes, filename: str = "speech.webm", **form):
    return client.post(
        "/api/asr", data={"audio": (io.BytesIO(data), filename), **form}, content_type="multipart/form-data"
    )
