#!/usr/bin/env bash
# Creates the two virtual environments from the committed lock files. Idempotent: a stamp holding the hash of the
# lock files and the interpreter version skips everything when nothing changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '[setup] %s\n' "$*" >&2; }
fail() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# Finds an interpreter of the wanted minor version: the override variable, then NAME on PATH, then pyenv's versions.
find_python() {
  local want="$1" override="$2" candidate
  for candidate in "$override" "$(command -v "python$want" 2>/dev/null || true)" \
      "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want".*/bin/python; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    if "$candidate" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

ensure_venv() {
  local dir="$1" python="$2"; shift 2
  local stamp_file="$dir/.setup-stamp" stamp
  stamp="$("$python" --version 2>&1)|$(cat "$@" | sha256sum | cut -c1-16)"
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    say "$dir is up to date"
    return 0
  fi
  say "creating $dir with $("$python" --version 2>&1) (a few minutes the first time)"
  rm -rf "$dir"
  "$python" -m venv "$dir"
  pip_quiet "$dir" install --quiet --upgrade "pip==24.3.1" || fail "could not upgrade pip in $dir"
  install "$dir" "$@"
  echo "$stamp" > "$stamp_file"
}

# pip's own noise about the machine's extra index locations is dropped; real errors are shown.
pip_quiet() {
  local dir="$1" out; shift
  if ! out="$("$dir/bin/python" -m pip --disable-pip-version-check "$@" 2>&1)"; then
    printf '%s\n' "$out" | grep -v "^WARNING: Location" >&2
    return 1
  fi
}

install() {
  local dir="$1" lock; shift
  for lock in "$@"; do
    case "$lock" in
      *nodeps.txt) pip_quiet "$dir" install --quiet --no-deps --ignore-requires-python -r "$lock" ;;
      *) pip_quiet "$dir" install --quiet -r "$lock" ;;
    esac || fail "pip could not install $lock into $dir"
  done
  "$dir/bin/python" -m pip check >&2 || fail "$dir has broken requirements (pip check)"
}

# The project's own packages (assistant, bench, actions, rasa_addons: pyproject.toml), installed editable so every
# program imports them without PYTHONPATH. Rasa's Python 3.10 only imports the small modules its add-ons need.
ensure_project() {
  local dir="$1" stamp_file="$1/.project-stamp" stamp
  stamp="$(sed -n '/packages.find/,/^$/p' pyproject.toml | sha256sum | cut -c1-16)"
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    return 0
  fi
  say "installing the project's packages into $dir (editable)"
  pip_quiet "$dir" install --quiet --no-deps --ignore-requires-python -e "$root" || fail "could not install the project into $dir"
  echo "$stamp" > "$stamp_file"
}

rasa_python="$(find_python 3.10 "${RASA_PYTHON:-}")" || fail "Rasa 3.6 needs Python 3.10 and none was found.
  Looked at: \$RASA_PYTHON (${RASA_PYTHON:-unset}), python3.10 on PATH, ${PYENV_ROOT:-$HOME/.pyenv}/versions/3.10.*/bin/python.
  Install Python 3.10 (for example with pyenv) or set RASA_PYTHON=/path/to/python3.10."
app_python="$(find_python 3.11 "${APP_PYTHON:-}")" || fail "The application needs Python 3.11 and none was found.
  Looked at: \$APP_PYTHON (${APP_PYTHON:-unset}), python3.11 on PATH, ${PYENV_ROOT:-$HOME/.pyenv}/versions/3.11.*/bin/python."

ensure_venv .venv-rasa "$rasa_python" requirements/rasa.lock
ensure_venv .venv "$app_python" requirements/app.lock requirements/nodeps.txt
ensure_project .venv-rasa
ensure_project .venv
ensure_venv .venv-lint "$app_python" requirements/lint.lock
