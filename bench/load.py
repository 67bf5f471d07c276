"""Load benchmark: concurrent drills through the real stack (gunicorn Flask -> Rasa -> action server), driven by
locust over loopback at rising concurrency. Prints throughput, turn latency percentiles, errors and each process's
peak RSS. Usage: .venv/bin/python bench/load.py [--users 5,20,50] [--seconds 60] [--warmup 20]"""

from __future__ import annotations

import argparse
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


def start_web(env: dict, workdir: Path, threads: int, workers: int) -> tuple[subprocess.Popen, str]:
    from bench.servers import free_port

    port = free_port()
    log = (workdir / "web.log").open("w")
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "assistant.web:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
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
        self.cpu = {
            name: (self._cpu_seconds(p) - self._cpu_start[name]) / elapsed for name, p in self.processes.items()
        }

    @staticmethod
    def _cpu_seconds(process: subprocess.Popen) -> float:
        try:
            root = psutil.Process(process.pid)
            return sum(sum(p.cpu_times()[:2]) for p in [root, *root.children(recursive=True)])
        except psutil.Error:
            return 0.0


def run_level(
    url: str, users: int, seconds: int, warmup: int, workdir: Path, env: dict, processes: dict[str, subprocess.Popen]
) -> dict:
    """Users arrive over ten seconds of the warm-up, as staff do when an evening session opens (all in one second
    would drill in lockstep, every long line at once), sign in (scrypt, ~155 ms CPU each, reported on its own) and
    start drilling; turns, errors, CPU and memory are measured over the `seconds` after the warm-up."""
    from bench.figures import percentile

    log = workdir / f"u{users}-requests.csv"
    log.unlink(missing_ok=True)  # a level may be repeated (--users 20,20,20)
    locust = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/locust"),
            "-f",
            str(ROOT / "bench/locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(max(1, users // 10)),
            "--run-time",
            f"{warmup + seconds}s",
            "--host",
            url,
            "--only-summary",
            "--stop-timeout",
            "20",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env={**env, "BENCH_REQUEST_LOG": str(log)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(warmup)
    window_start, cpu_before = time.time(), psutil.cpu_times()
    with PeakRss({**processes, "locust": locust}) as sampled:
        time.sleep(seconds)
    window_end, cpu_after = time.time(), psutil.cpu_times()
    # a virtual machine's cores can be taken by its host: the share stolen explains run-to-run spread
    steal = (cpu_after.steal - cpu_before.steal) / ((window_end - window_start) * (os.cpu_count() or 1))
    locust.wait(timeout=120)
    rows = [line.split(",") for line in log.read_text(encoding="utf-8").splitlines()]
    requests_ = [(float(t), name, float(ms), failed == "1", line) for t, name, ms, failed, line in rows]
    in_window = [r for r in requests_ if window_start <= r[0] < window_end]
    by_line: dict[str, list[float]] = {}
    for _, name, ms, _, line in in_window:
        if name == "turn":
            by_line.setdefault(line, []).append(ms)
    line_p95 = {line: percentile(times, 95) for line, times in by_line.items()}
    slowest_line = max(line_p95, key=line_p95.get, default="")
    turns = [ms for times in by_line.values() for ms in times]
    sign_ins = [ms for _, name, ms, _, _ in requests_ if name == "login"]
    return {
        "users": users,
        "turns": len(turns),
        "turns_per_s": len(turns) / seconds,
        "p50": percentile(turns, 50),
        "p95": percentile(turns, 95),
        "p99": percentile(turns, 99),
        "requests": len(in_window),
        "errors": sum(failed for _, _, _, failed, _ in in_window),
        "slowest_line": slowest_line,
        "steal": steal,
        "slowest_line_p95": line_p95.get(slowest_line, float("nan")),
        "sign_in_p50": percentile(sign_ins, 50),
        "sign_in_max": max(sign_ins, default=float("nan")),
        **{f"rss_{k}": v / 2**20 for k, v in sampled.peak.items() if k != "locust"},
        **{f"cpu_{k}": v for k, v in sampled.cpu.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", default="5,20,50")
    parser.add_argument("--seconds", type=int, default=60, help="measured steady window per level")
    parser.add_argument("--warmup", type=int, default=20, help="sign-in and ramp before each window")
    parser.add_argument("--web-threads", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=1)
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="assistant-load-"))
    shutil.copytree(ROOT / "var" / "index", workdir / "var" / "index")
    os.environ.update(
        {
            "ASSISTANT_VAR": str(workdir / "var"),
            "RATELIMIT_ENABLED": "0",
            "BENCH_USER_PREFIX": "load",
            "BENCH_PASSWORD": "load-test-password",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    from assistant.services import accounts
    from bench.servers import RasaStack

    for n in range(1, max(levels) + 1):
        accounts.create_user(f"load{n}", "load-test-password", "staff", "压测支行", f"压测员工{n}")
    stack = RasaStack(workdir).start()
    # Warm-up outside the measurement: the action server loads the embedder and spaCy on its first drill turn.
    for line in ("开始演练 基金定投", "您好,欢迎光临", "结束演练"):
        stack.say("warm-up", line)
    env = {**os.environ, **stack.web_env()}
    web, url = start_web(env, workdir, args.web_threads, args.web_workers)
    results = []
    try:
        for users in levels:
            result = run_level(
                url,
                users,
                args.seconds,
                args.warmup,
                workdir,
                env,
                {"rasa": stack.processes["rasa"], "actions": stack.processes["actions"], "web": web},
            )
            results.append(result)
            print(
                f"{users:>3} users: {result['turns']} turns, {result['turns_per_s']:.2f} turns/s, p50 {result['p50']:.0f} "
                f"p95 {result['p95']:.0f} p99 {result['p99']:.0f} ms, errors {result['errors']}/{result['requests']}, "
                f"slowest script line {result['slowest_line']} p95 {result['slowest_line_p95']:.0f} ms, "
                f"sign-in p50 {result['sign_in_p50']:.0f} max {result['sign_in_max']:.0f} ms, "
                f"CPU stolen by the host {result['steal']:.0%}",
                flush=True,
            )
    finally:
        web.terminate()
        web.wait(30)
        stack.close()
    print(
        f"\nLoad through gunicorn ({args.web_workers} worker x {args.web_threads} threads) -> Rasa -> actions, "
        f"{args.warmup} s sign-in and ramp then {args.seconds} s measured per level, a staff line every 2-4 s per user; "
        f"{os.cpu_count()} CPUs"
    )
    print(
        "| users | turns/s | turn p50 ms | p95 ms | p99 ms | errors / requests | RSS rasa MB | actions MB | web MB "
        "| CPU cores rasa / actions / web / locust | sign-in p50 / max ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['users']} | {r['turns_per_s']:.2f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | "
            f"{r['errors']} / {r['requests']} | {r['rss_rasa']:.0f} | {r['rss_actions']:.0f} | {r['rss_web']:.0f} | "
            f"{r['cpu_rasa']:.2f} / {r['cpu_actions']:.2f} / {r['cpu_web']:.2f} / {r['cpu_locust']:.2f} | "
            f"{r['sign_in_p50']:.0f} / {r['sign_in_max']:.0f} |"
        )
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
