"""The real Rasa server and action server on free loopback ports: used by the integration tests and the benchmarks.

Also throw-away Redis and PostgreSQL servers for the scale-out and fault tests (the Debian packages' binaries).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
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
    """Starts both servers with the newest trained model; `close()` stops them.

    `endpoints` and `env` let several stacks share one tracker store and lock store (deploy/endpoints.postgres.yml).
    The servers start as the Procfile starts them (rasa_addons.serve, actions.server): loopback unless `env` sets
    RASA_INTERFACE / ACTIONS_INTERFACE, and each stack has its own fresh secrets.
    """

    def __init__(self, workdir: Path, endpoints: str = "endpoints.yml", env: dict[str, str] | None = None):
        self.workdir = workdir
        self.endpoints = endpoints
        self.actions_port, self.rasa_port = free_port(), free_port()
        self.actions_url = f"http://127.0.0.1:{self.actions_port}"
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.processes: dict[str, subprocess.Popen] = {}
        model = os.environ.get("RASA_MODEL") or max((ROOT / "models").glob("bot-*.tar.gz"), key=os.path.getmtime)
        self.env = {
            **os.environ,
            "ACTIONS_URL": self.actions_url,
            "RASA_TOKEN": secrets.token_hex(16),
            "ACTIONS_TOKEN": secrets.token_hex(16),
            "RASA_TRACKER_DB": str(workdir / "tracker.db"),
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONWARNINGS": "ignore",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            # Rasa handles one message at a time per event loop; a tiny DIET gains nothing from TF's thread
            # pools, which only fought the other processes for the cores (bench/load.py: p95 down ~10%)
            "TF_INTRA_OP_PARALLELISM_THREADS": "1",
            "TF_INTER_OP_PARALLELISM_THREADS": "1",
            **(env or {}),
        }
        self.model = str(model)
        self.rasa_token, self.actions_token = self.env["RASA_TOKEN"], self.env["ACTIONS_TOKEN"]

    def web_env(self) -> dict[str, str]:
        """What the web app needs to talk to this stack (its URLs and the REST channel's token)."""
        return {"RASA_URL": self.rasa_url, "ACTIONS_URL": self.actions_url, "RASA_TOKEN": self.rasa_token}

    @property
    def client(self):
        from assistant.rasa_client import RasaClient

        return RasaClient(self.rasa_url, self.rasa_token)

    def _spawn(self, name: str, command: list[str]) -> tuple[subprocess.Popen, Path]:
        log = self.workdir / f"{name}.log"
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log.open("a"), stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process, log

    def start_actions(self) -> None:
        process, log = self._spawn(
            "actions", [str(ROOT / ".venv/bin/python"), "-m", "actions.server", "--port", str(self.actions_port)]
        )
        wait_until(lambda: requests.get(f"{self.actions_url}/health", timeout=2).ok, 120, "action server", process, log)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash would: no shutdown handlers run."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def start(self) -> "RasaStack":
        self.start_actions()
        self.start_rasa()
        return self

    def ensure_running(self) -> None:
        """Start again whichever server was stopped or killed (the fault tests kill them)."""
        for name, start in (("actions", self.start_actions), ("rasa", self.start_rasa)):
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                self.processes.pop(name, None)
                start()

    def start_rasa(self) -> None:
        process, log = self._spawn(
            "rasa",
            [
                str(ROOT / ".venv-rasa/bin/python"),
                "-m",
                "rasa_addons.serve",
                "--enable-api",
                "--port",
                str(self.rasa_port),
                "--model",
                self.model,
                "--endpoints",
                self.endpoints,
                "--credentials",
                "credentials.yml",
            ],
        )
        wait_until(
            lambda: (
                requests.get(f"{self.rasa_url}/status", params={"token": self.rasa_token}, timeout=2)
                .json()
                .get("model_file")
            ),
            300,
            "rasa server",
            process,
            log,
        )

    def say(self, sender: str, message: str) -> list[dict]:
        return self.client.say(sender, message)

    def tracker(self, sender: str) -> dict:
        return self.client.tracker(sender)

    def parse(self, text: str) -> dict:
        return self.client.parse(text)

    def __enter__(self) -> "RasaStack":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        for process in self.processes.values():  # all asked at once: Rasa takes seconds to shut down
            if process.poll() is None:
                process.terminate()
        for name in list(self.processes):
            self.stop(name)


class _Throwaway:
    """A server a test starts and must stop: `with Server() as server:` stops it however the block ends."""

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError


def start_or_skip(server_class: type[_Throwaway]) -> _Throwaway:
    """For test fixtures: the started server, or a pytest skip that names the missing Debian package."""
    import pytest

    try:
        return server_class()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


class RedisServer(_Throwaway):
    """redis-server on a free loopback port, in memory only (no RDB, no AOF); `close()` stops it."""

    def __init__(self, binary: str = "redis-server"):
        self.binary = shutil.which(binary)
        if self.binary is None:
            raise FileNotFoundError("redis-server not installed (Debian package redis-server)")
        self.dir = Path(tempfile.mkdtemp(prefix="assistant-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        log = self.dir / "redis.log"
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--daemonize",
                "no",
            ],
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(self._ping, 30, "redis-server", self.process, log)
        except BaseException:
            self.close()
            raise

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresServer(_Throwaway):
    """A throw-away PostgreSQL cluster on a free loopback port, trust auth, that a test may stop and start again."""

    def __init__(self):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            raise FileNotFoundError("PostgreSQL server binaries not installed (Debian package postgresql)")
        self.bin = Path(binaries[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="assistant-pg-"))  # outside 0700 trees: the postgres user reaches it
        # initdb refuses to run as root
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        self.port = free_port()
        try:
            self._run("initdb", "-D", str(self.dir / "db"), "-U", "postgres", "--auth=trust", "-E", "UTF8")
            self.start()
        except BaseException:
            self.close()
            raise

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_postgres, str(self.bin / tool), *args], capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}")

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.dir / "db"),
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.dir / "db"), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        """A new database; returns its SQLAlchemy URL (psycopg 3 driver)."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)
