"""A play server for the realism review (issue 14): reviewers' staff players drill against the real engine turn by
turn, without a login, on this machine only. Not part of the product.

    .venv/bin/python bench/customer_review/play_server.py [--port 8765] [--round N]   (after `source scripts/env.sh`)
    python3 bench/customer_review/play.py NAME "staff line"     # NAME = <scenario>.<style>.<n>; first call starts it

Each drill's staff lines go to drills/NAME.txt (replayable by `bin/assistant bench customer`) and the whole
conversation to transcripts/NAME.json. Round N > 2 (new players against a later engine) writes drills_N/ and
transcripts_N/, with a seed per drill as replay.py uses, so replaying gives the replies the players saw.
"""

from __future__ import annotations

import argparse
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED, DIFFICULTY = 7, "normal"  # rounds 1 and 2: one seed for every drill
_lock = threading.Lock()
_drills: dict[str, dict] = {}
ROUND = 1


def _seed(name: str) -> int:
    return SEED if ROUND <= 2 else zlib.crc32(name.encode()) % 100000


def _dir(kind: str) -> Path:
    return HERE / (kind if ROUND <= 2 else f"{kind}_{ROUND}")


def _turn(name: str, text: str) -> dict:
    from assistant.drill import engine
    from assistant.drill.scenarios import get_scenario, rubric
    from assistant.drill.understanding import get_understanding

    scenario_id = name.split(".")[0]
    scenario, level = get_scenario(scenario_id), rubric().difficulties[DIFFICULTY]
    with _lock:
        drill = _drills.get(name)
        if drill is None:
            state, opening = engine.start(scenario, DIFFICULTY, _seed(name), level)
            drill = _drills[name] = {"state": state, "turns": [{"speaker": "customer", "text": opening}], "staff": []}
            if not text:
                return {"customer": opening, "done": False}
        if drill["state"].done:
            return {"error": "演练已结束", "done": True}
        reply, events = engine.respond(scenario, drill["state"], level, get_understanding().analyse(text, scenario_id))
        drill["staff"].append(text)
        drill.setdefault("events", []).append(events)
        drill["turns"] += [{"speaker": "staff", "text": text}, {"speaker": "customer", "text": reply}]
        _dir("drills").mkdir(exist_ok=True)
        _dir("transcripts").mkdir(exist_ok=True)
        (_dir("drills") / f"{name}.txt").write_text("\n".join(drill["staff"]) + "\n", encoding="utf-8")
        (_dir("transcripts") / f"{name}.json").write_text(
            json.dumps(
                {
                    "scenario": scenario_id,
                    "turns": drill["turns"],
                    "outcome": drill["state"].outcome,
                    "events": drill["events"],
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        return {"customer": reply, "done": drill["state"].done}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        try:
            # one staff turn is one line of drills_N/NAME.txt: a line break inside it would split it in the replay
            text = " ".join(body.get("text", "").splitlines())
            out = _turn(body["name"], text)
            status = 200
        except Exception as exc:  # noqa: BLE001 - a review tool: report, keep serving
            out, status = {"error": str(exc)}, 400
        data = json.dumps(out, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--round", type=int, default=1)
    args = parser.parse_args()
    ROUND = args.round
    from assistant.drill.understanding import get_understanding

    get_understanding()
    print(f"play server on 127.0.0.1:{args.port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
