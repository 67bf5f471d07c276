"""Blind A/B of the customer's replies between the engine a review round was judged on and the engine now.

.venv/bin/python bench/customer_review/ab.py pairs OUT_DIR [ROUND ...]   (after `source scripts/env.sh`)
    For each drill of the rounds, the first reply where the current engine answers differently from the judged
    replay, with the same context before it: OUT_DIR/pairs.json (A and B in random order, for the judges, who
    follow OUT_DIR/brief.md) and OUT_DIR/key.json (which one is new, and the round's verdict on the old one).
.venv/bin/python bench/customer_review/ab.py dump FILE.json [ROUND ...]
    The current engine's replies to every drill of the rounds (run it in a checkout of an earlier revision to keep
    that engine's replies); `pairs OUT_DIR --base FILE.json ROUND ...` then pairs the engine now against those
    replies instead of the judged replay (the old reply's verdict is kept only where the two agree).
.venv/bin/python bench/customer_review/ab.py tally OUT_DIR
    Preferences of every OUT_DIR/J*.json judge: new / old / same, and by the round's verdict on the old reply.
"""

import glob
import json
import random
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _drills(rounds: list[int]):
    """(round, drill name, staff lines) of every drill the rounds played."""
    for r in rounds:
        for path in sorted((HERE / f"drills_{r}").glob("*.txt")):
            yield r, path.stem, [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _play(name: str, lines: list[str]) -> dict:
    from bench.figures import play_offline

    return play_offline(name.split(".")[0], lines, zlib.crc32(name.encode()) % 100000, "normal")


def dump(path: Path, rounds: list[int]) -> None:
    out = {f"{r}/{name}": {"replies": _play(name, lines)["replies"]} for r, name, lines in _drills(rounds)}
    path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    print(f"{len(out)} drills in {path}")


def pairs(out: Path, rounds: list[int], base: Path | None = None) -> None:
    from assistant.drill.scenarios import all_scenarios

    based = json.loads(base.read_text(encoding="utf-8")) if base else None
    scenarios, rng = all_scenarios(), random.Random(11)
    items, key = [], []
    verdicts: dict[tuple[int, str, int], str] = {}
    for r in rounds:
        for f in glob.glob(str(HERE / f"judgments_{r}/*.json")):
            for conv in json.load(open(f, encoding="utf-8"))["conversations"]:
                for rep in conv["replies"]:
                    verdicts[(r, conv["file"].removesuffix(".json"), rep["turn"])] = rep["verdict"]
    for r, name, lines in _drills(rounds):
        judged = json.loads((HERE / f"replayed_{r}" / f"{name}.json").read_text(encoding="utf-8"))["turns"]
        old = judged
        if based is not None:  # the earlier engine's replies, the staff's lines between them
            replies = based[f"{r}/{name}"]["replies"]
            old = [{"text": replies[i // 2] if i % 2 == 0 else lines[i // 2]} for i in range(2 * len(replies) - 1)]
        played = _play(name, lines)
        for k, reply in enumerate(played["replies"][1:], start=1):
            turn = 2 * k
            if turn >= len(old):
                break
            if old[turn]["text"] == reply:
                continue
            persona = scenarios[name.split(".")[0]].persona
            before = [f"{'员工' if i % 2 else '客户'}: {t['text']}" for i, t in enumerate(old[:turn])][-7:]
            swap = rng.random() < 0.5
            a, b = (reply, old[turn]["text"]) if swap else (old[turn]["text"], reply)
            pid = f"P{len(items) + 1:03d}"
            customer = (
                f"{persona.name},{persona.age}岁,{persona.job};{persona.mood or ''};说话:{persona.speaking_style or ''}"
            )
            items.append({"id": pid, "customer": customer, "before": before, "A": a, "B": b})
            key.append(
                {
                    "id": pid,
                    "new": "A" if swap else "B",
                    "round": r,
                    "file": name,
                    "turn": turn,
                    "old_verdict": verdicts.get((r, name, turn))
                    if turn < len(judged) and judged[turn]["text"] == old[turn]["text"]
                    else None,
                }
            )
            break  # later replies follow a different conversation: only the first difference is a fair pair
    out.mkdir(parents=True, exist_ok=True)
    (out / "pairs.json").write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "key.json").write_text(json.dumps(key, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(items)} pairs in {out}")


def tally(out: Path) -> None:
    key = {k["id"]: k for k in json.loads((out / "key.json").read_text(encoding="utf-8"))}
    for judge in sorted(out.glob("J*.json")):
        counts, by_verdict = {"new": 0, "old": 0, "same": 0}, {}
        for item in json.loads(judge.read_text(encoding="utf-8")):
            k = key[item["id"]]
            won = "same" if item["better"] == "same" else "new" if item["better"] == k["new"] else "old"
            counts[won] += 1
            by_verdict.setdefault(k["old_verdict"], {"new": 0, "old": 0, "same": 0})[won] += 1
        print(judge.stem, counts, "by the round's verdict on the old reply:", by_verdict)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent))
    if sys.argv[1] == "pairs":
        args = sys.argv[3:]
        base = Path(args[args.index("--base") + 1]) if "--base" in args else None
        rounds = [int(a) for a in args if a.isdigit()]
        pairs(Path(sys.argv[2]), rounds or [8, 9, 10], base)
    elif sys.argv[1] == "dump":
        dump(Path(sys.argv[2]), [int(r) for r in sys.argv[3:]] or list(range(5, 12)))
    else:
        tally(Path(sys.argv[2]))
