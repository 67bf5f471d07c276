"""Voice drills: speech to text on the server (faster-whisper); speaking the customer happens in the browser."""

from assistant.voice.asr import transcribe  # noqa: F401
