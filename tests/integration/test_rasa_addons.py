"""The action-response validation fix in rasa_addons, run inside the Rasa environment: it must be active once the
components are imported and accept and refuse exactly what Rasa's own validation does, with the same message."""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa/bin/python"

CHECK = r"""
import json, sys
import jsonschema
from rasa.core.actions.action import RemoteAction
original = RemoteAction._validate_action_result
import rasa_addons
action = RemoteAction("action_drill_turn", None)
results = {"patched": RemoteAction._validate_action_result is not original, "cases": []}
for response in json.loads(sys.argv[1]):
    outcome = []
    for validate in (original, RemoteAction._validate_action_result):
        try:
            outcome.append(["valid", validate(action, response)])
        except jsonschema.ValidationError as error:
            outcome.append(["invalid", error.message])
    results["cases"].append(outcome)
print(json.dumps(results))
"""

RESPONSES = [
    {"events": [{"event": "slot", "name": "drill_active", "value": True}], "responses": [{"text": "客户：您好"}]},
    {"events": [], "responses": []},
    {"events": "not a list"},
    {"events": [{"event": 3}]},
    {"events": [{"event": "slot"}], "responses": "text"},
]


def test_action_validation_is_patched_and_judges_like_rasa():
    run = subprocess.run(
        [str(RASA_PYTHON), "-c", CHECK, json.dumps(RESPONSES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert results["patched"]
    verdicts = [case[1][0] for case in results["cases"]]
    assert verdicts == ["valid", "valid", "invalid", "invalid", "invalid"]
    for original, patched in results["cases"]:
        assert patched == original
    assert "Failed to validate Action server response" in results["cases"][2][1][1]
