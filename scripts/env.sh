# Shared environment for run and test: embedded defaults (SQLite and the index under var/), loopback ports.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
export WEB_HOST="${WEB_HOST:-127.0.0.1}" WEB_PORT="${WEB_PORT:-8000}"
export RASA_PORT="${RASA_PORT:-5005}" ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}" ACTIONS_URL="${ACTIONS_URL:-http://127.0.0.1:$ACTIONS_PORT}"
export ASSISTANT_VAR="${ASSISTANT_VAR:-$root/var}"
export RASA_TRACKER_DB="${RASA_TRACKER_DB:-$ASSISTANT_VAR/rasa_tracker.db}"
mkdir -p "$ASSISTANT_VAR"

# Shared secrets between the web app, Rasa and the action server (issue 16). Set RASA_TOKEN / ACTIONS_TOKEN in the
# environment on a scale-out deployment (the same values on every machine); otherwise one pair is generated per
# installation into var/secrets.env (mode 600). Never printed. Rotate: set new values (or delete the file) and restart.
secrets_file="$ASSISTANT_VAR/secrets.env"
if [ -z "${RASA_TOKEN:-}" ] || [ -z "${ACTIONS_TOKEN:-}" ]; then
  if [ ! -s "$secrets_file" ]; then
    (umask 077; printf 'RASA_TOKEN=%s\nACTIONS_TOKEN=%s\n' \
      "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" > "$secrets_file")
  fi
  RASA_TOKEN="${RASA_TOKEN:-$(sed -n 's/^RASA_TOKEN=//p' "$secrets_file")}"
  ACTIONS_TOKEN="${ACTIONS_TOKEN:-$(sed -n 's/^ACTIONS_TOKEN=//p' "$secrets_file")}"
fi
export RASA_TOKEN ACTIONS_TOKEN
# Rasa and the action server listen on loopback unless told otherwise (scale-out: RASA_INTERFACE / ACTIONS_INTERFACE).
export RASA_INTERFACE="${RASA_INTERFACE:-127.0.0.1}" ACTIONS_INTERFACE="${ACTIONS_INTERFACE:-127.0.0.1}"
