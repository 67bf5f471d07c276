#!/usr/bin/env bash
# Dependency audit: pip-audit over both lock files against PyPI's vulnerability data, which needs the network.
# Known vulnerabilities: listed, exit 1. No network, or a service that answers for none of the packages (an offline
# mirror): one line "audit skipped: no network ...", exit 0, so CI without internet access does not fail.
# Reports (JSON) go to $ASSISTANT_VAR/audit/ (var/audit/ by default).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$root"

if [ ! -x .venv/bin/pip-audit ]; then
  echo "audit skipped: pip-audit is not installed in .venv (requirements/app.lock)"
  exit 0
fi
reports="$ASSISTANT_VAR/audit"
mkdir -p "$reports"
status=0
for lock in requirements/app.lock requirements/rasa.lock; do
  name="$(basename "$lock" .lock)"
  rm -f "$reports/$name.json"
  timeout 600 .venv/bin/pip-audit -r "$lock" --no-deps --disable-pip --progress-spinner off --timeout 30 \
    -f json -o "$reports/$name.json" 2>"$reports/$name.err"
  .venv/bin/python - "$lock" "$reports/$name.json" "$reports/$name.err" <<'PY'
"""One verdict per lock file: exit 0 clean, 1 vulnerable, 2 not audited (no network)."""
import json
import sys

lock, report, errors = sys.argv[1:]
try:
    dependencies = json.load(open(report))["dependencies"]
except (OSError, ValueError, KeyError):
    lines = [line for line in open(errors, errors="replace").read().splitlines() if line.strip()]
    print(f"audit skipped: no network ({lock}: pip-audit could not reach the vulnerability service"
          + (f": {lines[-1][:200]}" if lines else "") + ")")
    sys.exit(2)
audited = [d for d in dependencies if "skip_reason" not in d]
if not audited:
    print(f"audit skipped: no network ({lock}: the vulnerability service answered for none of the "
          f"{len(dependencies)} packages, e.g. an offline PyPI mirror)")
    sys.exit(2)
skipped = sorted(d["name"] for d in dependencies if "skip_reason" in d)
vulnerable = [(d, v) for d in audited for v in d.get("vulns", [])]
print(f"{lock}: {len(audited)} of {len(dependencies)} packages audited, {len(vulnerable)} known vulnerabilities"
      + (f"; not audited: {', '.join(skipped)}" if skipped else ""))
for dependency, vuln in vulnerable:
    fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix released"
    aliases = ", ".join(vuln.get("aliases") or [])
    print(f"  {dependency['name']} {dependency['version']}: {vuln['id']}" + (f" ({aliases})" if aliases else "")
          + f"; fixed in {fixes}")
sys.exit(1 if vulnerable else 0)
PY
  verdict=$?
  if [ "$verdict" -eq 2 ]; then
    exit 0  # no network: nothing more can be learnt from the other lock file either
  fi
  [ "$verdict" -eq 1 ] && status=1
done
exit "$status"
