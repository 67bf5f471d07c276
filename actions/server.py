"""The action server, closed to callers without the shared secret, on loopback unless told otherwise.

`python -m actions.server --port 5055`: rasa_sdk's own app (same routes, same executor) plus a request check. Rasa sends
`Authorization: Bearer $ACTIONS_TOKEN` on every call (endpoints.yml `action_endpoint.headers`); anything else gets 401,
so nobody can drive a staff member's drill with a made-up tracker. `/health` stays open for probes. rasa_sdk 3.6
listens on 0.0.0.0 (or SANIC_HOST); this listens on ACTIONS_INTERFACE, default 127.0.0.1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from assistant.tokens import bearer_matches

log = logging.getLogger(__name__)
OPEN_PATHS = ("/health",)


def create_app(token: str):
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response

    app = sdk_app("actions", cors_origins=None)

    @app.on_request
    async def require_secret(request):
        if request.path in OPEN_PATHS or bearer_matches(request.headers.get("Authorization"), token):
            return None
        log.warning(
            "refused %s %s without a valid action-server secret from %s", request.method, request.path, request.ip
        )
        return response.json({"error": "unauthorized"}, status=401)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rasa action server with a shared-secret check")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTIONS_PORT", "5055")))
    parser.add_argument("--interface", default=os.environ.get("ACTIONS_INTERFACE", "127.0.0.1"))
    args = parser.parse_args(argv)
    token = os.environ.get("ACTIONS_TOKEN", "")
    if not token:
        sys.exit(
            "ACTIONS_TOKEN is not set: refusing to start an action server anyone could call (scripts/env.sh sets one)"
        )
    from rasa_sdk import utils

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    utils.update_sanic_log_level()
    log.info("action server on http://%s:%s (secret required)", args.interface, args.port)
    create_app(token).run(args.interface, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
