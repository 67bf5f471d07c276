"""Locust scenario for `bench/load.py`: each simulated member of staff signs in and drills through the web app
(Flask -> Rasa -> action server -> library), one line every few seconds, like an evening drill."""

from __future__ import annotations

import itertools
import os
import re
import time
from pathlib import Path

import yaml
from locust import HttpUser, between, events, task

ROOT = Path(__file__).resolve().parents[1]
LINES = yaml.safe_load((ROOT / "tests/data/drills/fund_sip_young_worker.yaml").read_text(encoding="utf-8"))["strong"]
PREFIX = os.environ.get("BENCH_USER_PREFIX", "load")
PASSWORD = os.environ.get("BENCH_PASSWORD", "load-test-password")
_numbers = itertools.count(1)
REQUEST_LOG = os.environ.get("BENCH_REQUEST_LOG")  # one line per request, so load.py can measure a steady window


@events.request.add_listener
def log_request(request_type, name, response_time, exception=None, context=None, **_kwargs):
    if REQUEST_LOG:
        with open(REQUEST_LOG, "a", encoding="utf-8") as log:
            line = (context or {}).get("line", "")
            log.write(f"{time.time():.3f},{name},{response_time:.1f},{int(exception is not None)},{line}\n")


class DrillingStaff(HttpUser):
    wait_time = between(2, 4)  # a line every few seconds, as people type or speak

    def on_start(self):
        self.name = f"{PREFIX}{next(_numbers)}"
        page = self.client.get("/login", name="login page").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        self.client.post(
            "/login", data={"username": self.name, "password": PASSWORD, "csrf_token": token}, name="login"
        )
        chat = self.client.get("/chat", name="chat page").text
        self.headers = {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"', chat).group(1)}
        self.say("结束演练", "finish")  # a drill left over from an earlier round

    def say(self, message: str, name: str, line: int | None = None) -> str:
        with self.client.post(
            "/api/chat",
            json={"message": message},
            headers=self.headers,
            name=name,
            catch_response=True,
            context={"line": "" if line is None else line},
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return ""
            data = response.json()
            text = "\n".join(r["text"] for r in data.get("replies", []))
            if data.get("source") != "rasa":
                response.failure("answered without the bot: " + text[:100])
            elif name == "turn" and not text.startswith("客户"):
                response.failure("not a customer line: " + text[:100])
            return text

    @task
    def drill(self):
        opening = self.say("开始演练 基金定投", "start")
        if "演练开始" not in opening:
            return
        for number, line in enumerate(LINES, 1):
            self.wait()
            if "演练评分" in self.say(line, "turn", number):
                return
        self.wait()
        self.say("结束演练", "finish")
