"""Issue 16: Rasa and the action server are no back door around the web app's sign-in.

The product is started as `make run` starts it (scripts/run.sh: env.sh, honcho, the Procfile) on free ports; every
socket its processes listen on must be loopback, and neither server may answer a caller without the secret.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import psutil
import pytest
import requests

from assistant.config import ROOT
from bench.servers import free_port
from tests.backdoors import check_actions_refuse_strangers, check_rasa_refuses_strangers

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def product(tmp_path_factory):
    """scripts/run.sh in its own process group, on free ports and a fresh var/ (its own database and secrets)."""
    var = tmp_path_factory.mktemp("run-var")
    ports = {"WEB_PORT": free_port(), "RASA_PORT": free_port(), "ACTIONS_PORT": free_port()}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("RASA_TOKEN", "ACTIONS_TOKEN", "RASA_URL", "ACTIONS_URL", "RASA_TRACKER_DB", "DATABASE_URL")
    }
    env.update({k: str(v) for k, v in ports.items()}, ASSISTANT_VAR=str(var))
    log = var / "run.log"
    process = subprocess.Popen(
        ["scripts/run.sh"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    web = f"http://127.0.0.1:{ports['WEB_PORT']}"
    try:
        deadline = time.monotonic() + 420
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if requests.get(f"{web}/api/health", timeout=5).json()["components"]["rasa"]["status"] == "ok":
                    break
            except (requests.RequestException, ValueError, KeyError):
                pass
            time.sleep(2)
        else:
            pytest.fail(f"make run's stack not healthy in time:\n{log.read_text()[-3000:]}")
        secrets = dict(line.split("=", 1) for line in (var / "secrets.env").read_text().split())
        yield {
            "process": process,
            "web": web,
            "var": var,
            "secrets": secrets,
            "rasa": f"http://127.0.0.1:{ports['RASA_PORT']}",
            "actions": f"http://127.0.0.1:{ports['ACTIONS_PORT']}",
            "ports": ports,
        }
    finally:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C: honcho stops all three
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def listening(process: psutil.Process) -> list[tuple[str, str, int]]:
    found = []
    for proc in [process, *process.children(recursive=True)]:
        try:
            for conn in proc.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    found.append((proc.name(), conn.laddr.ip, conn.laddr.port))
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def test_every_socket_of_make_run_is_on_loopback(product):
    sockets = listening(psutil.Process(product["process"].pid))
    ports = {port for _, _, port in sockets}
    assert set(product["ports"].values()) <= ports, sockets  # web, Rasa and actions all found
    wide = [s for s in sockets if s[1] not in ("127.0.0.1", "::1")]
    assert not wide, f"listening beyond loopback: {wide}"


def test_secrets_are_private_and_never_logged(product):
    secrets_file = product["var"] / "secrets.env"
    assert secrets_file.stat().st_mode & 0o077 == 0
    assert (
        len(product["secrets"]["RASA_TOKEN"]) >= 32
        and product["secrets"]["RASA_TOKEN"] != product["secrets"]["ACTIONS_TOKEN"]
    )
    output = (product["var"] / "run.log").read_text()
    for value in product["secrets"].values():
        assert value not in output
    for proc in psutil.Process(product["process"].pid).children(recursive=True):
        assert not any(v in " ".join(proc.cmdline()) for v in product["secrets"].values()), proc.cmdline()


def test_make_run_servers_refuse_callers_without_the_secret(product):
    check_rasa_refuses_strangers(product["rasa"], product["secrets"]["RASA_TOKEN"])
    check_actions_refuse_strangers(product["actions"], product["secrets"]["ACTIONS_TOKEN"])


def test_health_of_make_run_has_no_exposure_problem(product):
    health = requests.get(f"{product['web']}/api/health", timeout=30).json()
    assert health["components"]["rasa"]["status"] == "ok"
    assert health["components"]["actions"]["status"] == "ok"


def test_health_reports_an_open_server_beyond_loopback(tmp_path, app, monkeypatch):
    """A stock rasa_sdk action server (0.0.0.0, no secret), as before this issue: the health check calls it a problem."""
    port = free_port()
    log = tmp_path / "stock-actions.log"
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        from bench.servers import wait_until

        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: requests.get(f"{url}/health", timeout=2).ok, 120, "stock action server", process, log)
        monkeypatch.setenv("ACTIONS_URL", url)
        response = app.test_client().get("/api/health")
        actions = response.get_json()["components"]["actions"]
        assert actions["status"] == "insecure" and "密钥" in actions["problem"], actions
        assert response.status_code == 503
    finally:
        process.terminate()
        process.wait(30)
