# Shared environment for run and test: embedded defaults (SQLite and the index under var/), loopback ports.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
export WEB_HOST="${WEB_HOST:-127.0.0.1}" WEB_PORT="${WEB_PORT:-8000}"
export RASA_PORT="${RASA_PORT:-5005}" ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}" ACTIONS_URL="${ACTIONS_URL:-http://127.0.0.1:$ACTIONS_PORT}"
export ASSISTANT_VAR="${ASSISTANT_VAR:-$root/var}"
export RASA_TRACKER_DB="${RASA_TRACKER_DB:-$ASSISTANT_VAR/rasa_tracker.db}"
mkdir -p "$ASSISTANT_VAR"
