"""Load benchmark: concurrent drills through the real stack (gunicorn Flask -> Rasa -> action server), driven by
locust over loopback at rising concurrency. Prints throughput, turn latency percentiles, errors and each process's
peak RSS. Usage: .venv/bin/python bench/load.py [--users 5,20,50] [--seconds 60]"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def start_web(env: dict, workdir: Path, threads: int, workers: int) -> tuple[subprocess.Popen, str]:
    from assistant.stack import free_port

    port = free_port()
    log = (workdir / "web.log").open("w")
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", "--worker-class",
                                "gthread", "--workers", str(workers), "--threads", str(threads), "--timeout", "60",
                                "assistant.web:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if requests.get(f"{url}/login", timeout=2).ok:
                return process, url
        except requests.RequestException:
            time.sleep(1)
    raise RuntimeError("web server did not start: " + (workdir / "web.log").read_text()[-2000:])


class PeakRss:
    """Samples the resident memory of each process tree every second while a load level runs, and the CPU each used
    (in cores, averaged over the level): the busiest process is the first bottleneck."""

    def __init__(self, processes: dict[str, subprocess.Popen]):
        self.processes, self.peak = processes, {name: 0 for name in processes}
        self.cpu: dict[str, float] = {}
        self._cpu_start = {name: self._cpu_seconds(p) for name, p in processes.items()}
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for name, process in self.processes.items():
                try:
                    root = psutil.Process(process.pid)
                    rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                    self.peak[name] = max(self.peak[name], rss)
                except psutil.Error:
                    pass
            self._stop.wait(1.0)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        elapsed = time.monotonic() - self._started
        self.cpu = {name: (self._cpu_seconds(p) - self._cpu_start[name]) / elapsed for name, p in self.processes.items()}

    @staticmethod
    def _cpu_seconds(process: subprocess.Popen) -> float:
        try:
            root = psutil.Process(process.pid)
            return sum(sum(p.cpu_times()[:2]) for p in [root, *root.children(recursive=True)])
        except psutil.Error:
            return 0.0


def run_level(url: str, users: int, seconds: int, workdir: Path, env: dict) -> dict:
    prefix = workdir / f"u{users}"
    subprocess.run([str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"), "--headless",
                    "-u", str(users), "-r", str(max(1, users // 5)), "--run-time", f"{seconds}s", "--host", url,
                    "--csv", str(prefix), "--only-summary", "--stop-timeout", "20", "--loglevel", "WARNING"],
                   cwd=ROOT, env=env, check=False, capture_output=True, timeout=seconds + 180)
    rows = {row["Name"]: row for row in csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open())}
    turn, total = rows.get("turn", {}), rows["Aggregated"]
    count = int(turn.get("Request Count", 0))
    return {"users": users, "turns": count, "turns_per_s": count / seconds,
            "p50": float(turn.get("50%", "nan") or "nan"), "p95": float(turn.get("95%", "nan") or "nan"),
            "p99": float(turn.get("99%", "nan") or "nan"),
            "requests": int(total["Request Count"]), "errors": int(total["Failure Count"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", default="5,20,50")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--web-threads", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=1)
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="assistant-load-"))
    shutil.copytree(ROOT / "var" / "index", workdir / "var" / "index")
    os.environ.update({"ASSISTANT_VAR": str(workdir / "var"), "RATELIMIT_ENABLED": "0",
                       "BENCH_USER_PREFIX": "load", "BENCH_PASSWORD": "load-test-password"})
    os.environ.pop("DATABASE_URL", None)
    from assistant import accounts
    from assistant.stack import RasaStack

    for n in range(1, max(levels) + 1):
        accounts.create_user(f"load{n}", "load-test-password", "staff", "压测支行", f"压测员工{n}")
    stack = RasaStack(workdir).start()
    # Warm-up outside the measurement: the action server loads the embedder and spaCy on its first drill turn.
    for line in ("开始演练 基金定投", "您好,欢迎光临", "结束演练"):
        stack.say("warm-up", line)
    env = {**os.environ, "RASA_URL": stack.rasa_url, "ACTIONS_URL": stack.actions_url, "PYTHONPATH": str(ROOT)}
    web, url = start_web(env, workdir, args.web_threads, args.web_workers)
    results = []
    try:
        for users in levels:
            with PeakRss({"rasa": stack.processes["rasa"], "actions": stack.processes["actions"], "web": web}) as rss:
                result = run_level(url, users, args.seconds, workdir, env)
            result.update({f"rss_{k}": v / 2**20 for k, v in rss.peak.items()})
            result.update({f"cpu_{k}": v for k, v in rss.cpu.items()})
            results.append(result)
            print(f"{users:>3} users: {result['turns']} turns, {result['turns_per_s']:.2f} turns/s, p50 {result['p50']:.0f} "
                  f"p95 {result['p95']:.0f} p99 {result['p99']:.0f} ms, errors {result['errors']}/{result['requests']}",
                  flush=True)
    finally:
        web.terminate()
        web.wait(30)
        stack.close()
    print(f"\nLoad through gunicorn ({args.web_workers} worker x {args.web_threads} threads) -> Rasa -> actions, "
          f"{args.seconds} s per level, a staff line every 2-4 s per user; {os.cpu_count()} CPUs")
    print("| users | turns/s | turn p50 ms | p95 ms | p99 ms | errors / requests | RSS rasa MB | actions MB | web MB "
          "| CPU cores rasa / actions / web |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['users']} | {r['turns_per_s']:.2f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | "
              f"{r['errors']} / {r['requests']} | {r['rss_rasa']:.0f} | {r['rss_actions']:.0f} | {r['rss_web']:.0f} | "
              f"{r['cpu_rasa']:.2f} / {r['cpu_actions']:.2f} / {r['cpu_web']:.2f} |")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
