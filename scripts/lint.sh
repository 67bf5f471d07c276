#!/usr/bin/env bash
# Format, lint, types and import layers (configured in pyproject.toml); `make test` runs this before the tests.
# `scripts/lint.sh --fix` formats and applies the safe fixes instead of only checking.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
lint=.venv-lint/bin
if [ "${1:-}" = "--fix" ]; then
  "$lint/ruff" format .
  "$lint/ruff" check --fix .
fi
echo "[lint] ruff format --check" >&2
"$lint/ruff" format --check --quiet .
echo "[lint] ruff check" >&2
"$lint/ruff" check --quiet .
echo "[lint] mypy (the pure layers)" >&2
"$lint/mypy"
echo "[lint] import layers" >&2
# grimp reads the application's packages (for the forbidden ones) from its environment
site="$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
out="$(PYTHONPATH="$root:$site" "$lint/lint-imports" --no-cache 2>&1)" || { printf '%s\n' "$out"; exit 1; }
