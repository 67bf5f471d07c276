#!/usr/bin/env bash
# Starts the Rasa server, the action server and the web app together (honcho); Ctrl-C stops all three.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"
RASA_MODEL="$(.venv/bin/python scripts/train_model.py)"
export RASA_MODEL
.venv/bin/python -c "from assistant.db import upgrade; upgrade()"
if ! .venv/bin/python -m assistant.cli users list | grep -q .; then
  printf '\n  还没有任何用户。先创建管理员:  bin/assistant users add admin --role admin --name 管理员\n' >&2
fi
cat <<MSG

  网点服务营销助手 starting: Rasa (:$RASA_PORT), actions (:$ACTIONS_PORT), web (:$WEB_PORT).
  Rasa needs about a minute to load its model; then open  http://$WEB_HOST:$WEB_PORT/
  Status of every part: http://$WEB_HOST:$WEB_PORT/api/health      Stop: Ctrl-C

MSG
exec .venv/bin/honcho start -f Procfile
