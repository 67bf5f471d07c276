"""The real Rasa server and action server on free loopback ports: used by the integration tests and the benchmarks."""
from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import requests

from assistant.config import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, what: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(f"{what} not ready after {timeout}s:\n{log.read_text()[-3000:]}")


class RasaStack:
    """Starts both servers with the newest trained model; `close()` stops them."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.actions_port, self.rasa_port = free_port(), free_port()
        self.actions_url = f"http://127.0.0.1:{self.actions_port}"
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.processes: dict[str, subprocess.Popen] = {}
        model = os.environ.get("RASA_MODEL") or max((ROOT / "models").glob("bot-*.tar.gz"), key=os.path.getmtime)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "ACTIONS_URL": self.actions_url,
                    "RASA_TRACKER_DB": str(workdir / "tracker.db"), "RASA_TELEMETRY_ENABLED": "false",
                    "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "2"}
        self.model = str(model)

    def _spawn(self, name: str, command: list[str]) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / f"{name}.log"
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process, log

    def start_actions(self) -> None:
        process, log = self._spawn("actions", [str(ROOT / ".venv/bin/python"), "-m", "rasa_sdk", "--actions", "actions",
                                               "--port", str(self.actions_port)])
        wait_until(lambda: requests.get(f"{self.actions_url}/health", timeout=2).ok, 120, "action server", process, log)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()

    def start(self) -> "RasaStack":
        self.start_actions()
        process, log = self._spawn("rasa", [str(ROOT / ".venv-rasa/bin/rasa"), "run", "--enable-api", "--port",
                                            str(self.rasa_port), "--model", self.model, "--endpoints", "endpoints.yml",
                                            "--credentials", "credentials.yml"])
        wait_until(lambda: requests.get(f"{self.rasa_url}/status", timeout=2).json().get("model_file"), 300,
                   "rasa server", process, log)
        return self

    def say(self, sender: str, message: str) -> list[dict]:
        response = requests.post(f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                                 timeout=30)
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> dict:
        return requests.post(f"{self.rasa_url}/model/parse", json={"text": text}, timeout=30).json()

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)
