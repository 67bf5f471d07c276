"""Starts `rasa run` with its API token taken from the environment, so the secret never appears in a command line.

`python -m rasa_addons.serve <rasa run arguments>`: adds `--auth-token $RASA_TOKEN` (Rasa's HTTP API then needs
`?token=`) and `--interface $RASA_INTERFACE` (default 127.0.0.1: one machine, loopback only). /proc/<pid>/cmdline and
process lists show the arguments this module was started with, not the token.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    token = os.environ.get("RASA_TOKEN", "")
    if not token:
        sys.exit("RASA_TOKEN is not set: refusing to start Rasa with an open HTTP API (scripts/env.sh sets one)")
    args = ["rasa", "run", *sys.argv[1:]]
    if "--interface" not in args and "-i" not in args:
        args += ["--interface", os.environ.get("RASA_INTERFACE", "127.0.0.1")]
    sys.argv = [*args, "--auth-token", token]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
