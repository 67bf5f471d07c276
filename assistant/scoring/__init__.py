from assistant.scoring.scorer import score_transcript, validate_transcript  # noqa: F401
