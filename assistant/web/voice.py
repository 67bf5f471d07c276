"""Speech to text for the chat and drill pages: the browser posts a push-to-talk recording, gets the text back."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from assistant.errors import InputError
from assistant.voice import asr

voice = Blueprint("voice", __name__, url_prefix="/api")


class AudioTooLarge(InputError):
    status = 413


@voice.url_value_preprocessor
def _limit_upload_size(endpoint, values):
    """A recording gets its own size limit, below the app's: 60 s of 16 kHz WAV fits, and anything bigger would only
    be decoded to be refused as too long.

    Set here rather than in before_request: URL preprocessors run before the app's before_request functions, and the
    CSRF check among those reads (and so size-checks) the form first.
    """
    request.max_content_length = asr.MAX_UPLOAD_BYTES


@voice.post("/asr")
def speech_to_text():
    """Multipart form: `audio` (webm/opus, wav...) and optionally `scenario` (a drill id, for its vocabulary)."""
    try:
        upload = request.files.get("audio")
        scenario = (request.form.get("scenario") or "").strip() or None
    except RequestEntityTooLarge as exc:
        raise AudioTooLarge(
            f"audio upload over {asr.MAX_UPLOAD_BYTES} bytes",
            f"录音文件太大了。每段请控制在{asr.MAX_SECONDS}秒以内。",
            "audio_too_large",
        ) from exc
    result = asr.transcribe(upload.read() if upload else b"", scenario=scenario)
    return jsonify({"text": result["text"], "duration": result["duration"], "seconds": result["seconds"]})
