#!/usr/bin/env bash
# Runs the whole suite against real servers (the tests start Rasa and the action server on free ports).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
scripts/lint.sh
RASA_MODEL="$(.venv/bin/python scripts/train_model.py)"
export RASA_MODEL
exec .venv/bin/python -m pytest "$@"
