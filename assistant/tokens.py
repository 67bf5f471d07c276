"""The shared-secret check both Rasa-side servers make (the action server in .venv, Rasa's REST channel in
.venv-rasa, Python 3.10): one definition, importable from either environment (standard library only)."""

from __future__ import annotations

import hmac
from typing import Optional


def bearer_matches(header: Optional[str], token: Optional[str]) -> bool:
    """Constant-time check of an `Authorization: Bearer ...` header against the configured token; False for a
    missing header or an empty configured token (fail closed)."""
    if not token or not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header[len("Bearer ") :].encode(), token.encode())
