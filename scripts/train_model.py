"""Train the Rasa model only when its inputs changed; print the model's path.

The model is named after a hash of config.yml, domain.yml, training_data/ and rasa_addons/ (and RASA_EPOCHS when set,
which CI uses to train faster), so an unchanged bot is never retrained.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
INPUTS = ["config.yml", "domain.yml", "training_data", "rasa_addons"]


def input_hash(epochs: str | None) -> str:
    digest = hashlib.sha256((epochs or "").encode())
    for name in INPUTS:
        path = ROOT / name
        files = (
            sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if path.is_dir()
            else [path]
        )
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def config_for(epochs: str | None) -> Path:
    """config.yml, or a copy with fewer epochs under var/ when RASA_EPOCHS is set."""
    if not epochs:
        return ROOT / "config.yml"
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"] + config.get("policies", []):
        if "epochs" in component:
            component["epochs"] = int(epochs)
    target = ROOT / "var" / "config.train.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def main() -> int:
    epochs = os.environ.get("RASA_EPOCHS") or None
    name = f"bot-{input_hash(epochs)}"
    model = MODELS / f"{name}.tar.gz"
    if model.exists():
        print(f"[train] Rasa model is up to date: {model.relative_to(ROOT)}", file=sys.stderr)
        print(model)
        return 0
    print(
        f"[train] training the Rasa model {name} (inputs changed){' with ' + epochs + ' epochs' if epochs else ''}",
        file=sys.stderr,
    )
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore",
    }
    command = [
        str(ROOT / ".venv-rasa" / "bin" / "rasa"),
        "train",
        "--data",
        "training_data",
        "--domain",
        "domain.yml",
        "--config",
        str(config_for(epochs)),
        "--out",
        str(MODELS),
        "--fixed-model-name",
        name,
        "--quiet",
    ]
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0 or not model.exists():
        print("[train] ERROR: rasa train failed; see the output above", file=sys.stderr)
        return 1
    for old in MODELS.glob("bot-*.tar.gz"):
        if old != model:
            old.unlink()
    print(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
