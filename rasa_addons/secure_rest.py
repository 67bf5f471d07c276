"""The REST channel the web app talks to, closed to anyone without the shared bearer token.

Rasa's own `--auth-token` guards only its HTTP API; its built-in `rest` channel answers anyone, which would let a
caller speak as any staff member (`sender` is `user:<id>`). This subclass keeps the channel name and URL
(`/webhooks/rest/webhook`) and refuses requests whose `Authorization: Bearer <token>` header does not match.
Fails closed: with no token configured, every request is refused.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from assistant.tokens import bearer_matches

logger = logging.getLogger(__name__)


class TokenRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls((credentials or {}).get("token") or os.environ.get("RASA_TOKEN"))

    def __init__(self, token: Optional[Text] = None) -> None:
        self.token = token
        if not token:
            logger.error("REST channel has no token (RASA_TOKEN): every request will be refused")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = super().blueprint(on_new_message)

        @bp.middleware("request")
        async def require_token(request: Request) -> Optional[response.HTTPResponse]:
            if bearer_matches(request.headers.get("Authorization"), self.token):
                return None
            logger.warning("refused REST channel request without a valid token from %s", request.ip)
            return response.json({"error": "unauthorized"}, status=401)

        return bp
