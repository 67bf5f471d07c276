"""Replay the review's staff lines (drills/NAME.txt) through the current engine and write what the blind reviewers
read: replayed/NAME.json ({"scenario", "persona", "turns"}; no engine events). Then, once the reviewers' verdicts are
in judgments/*.json, `--summary` prints the review's figures per scenario and style.

    .venv/bin/python bench/customer_review/replay.py [--round 2]            (after `source scripts/env.sh`)
    .venv/bin/python bench/customer_review/replay.py --summary [--round 2]

Round 1 is in replayed/ and judgments/, round N > 1 in replayed_N/ and judgments_N/: a round's verdicts belong to
the replies it replayed, so a later engine is reviewed in a new round, never over an old one. Rounds 1 and 2 replay
the round-1 players' lines (drills/); from round 3 on, new players play the current engine (play_server.py --round N
writes drills_N/) and the replay checks it gives back what they saw (transcripts_N/).
"""

from __future__ import annotations

import json
import sys
import zlib
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DIFFICULTY = "normal"


def persona_card(scenario) -> dict:
    p = scenario.persona
    return {
        "name": p.name,
        "age": p.age,
        "job": p.job,
        "segment": p.segment,
        "assets": p.assets,
        "risk_appetite": p.risk_appetite,
        "mood": p.mood,
        "speaking_style": p.speaking_style,
        "summary": p.summary,
    }


def _round() -> int:
    return int(sys.argv[sys.argv.index("--round") + 1]) if "--round" in sys.argv else 1


def _dirs() -> tuple[Path, Path]:
    n = _round()
    suffix = "" if n == 1 else f"_{n}"
    return HERE / f"replayed{suffix}", HERE / f"judgments{suffix}"


def replay() -> None:
    from assistant.drill.scenarios import get_scenario
    from bench.figures import play_offline

    out, judged = _dirs()
    if judged.exists():
        sys.exit(f"{judged} exists: these replies were reviewed; replay into a new --round")
    out.mkdir(exist_ok=True)
    n = _round()
    played_live = n > 2
    for path in sorted((HERE / ("drills" if not played_live else f"drills_{n}")).glob("*.txt")):
        scenario_id = path.stem.split(".")[0]
        lines = path.read_text(encoding="utf-8").splitlines()
        while lines and not lines[-1].strip():
            lines.pop()
        if not played_live:
            lines = [line for line in lines if line.strip()]
        # (a live player's empty turn, sent by mistake, was answered like any turn: replayed as it was played)
        # one seed per drill, as in the product (a fresh random seed per drill): the same seed for all would make
        # every drill of a scenario choose the same phrasings
        played = play_offline(scenario_id, lines, zlib.crc32(path.stem.encode()) % 100000, DIFFICULTY)
        turns = [{"speaker": "customer", "text": played["replies"][0]}]
        for staff, reply in zip(lines, played["replies"][1:], strict=False):
            turns += [{"speaker": "staff", "text": staff}, {"speaker": "customer", "text": reply}]
        if played_live:
            seen = json.loads((HERE / f"transcripts_{n}" / f"{path.stem}.json").read_text(encoding="utf-8"))["turns"]
            if [t["text"] for t in seen] != [t["text"] for t in turns]:
                sys.exit(f"{path.stem}: the replay differs from what the player saw (engine changed since?)")
        (out / f"{path.stem}.json").write_text(
            json.dumps(
                {
                    "scenario": scenario_id,
                    "persona": persona_card(get_scenario(scenario_id)),
                    "turns": turns,
                    "outcome": played["state"].outcome,
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        print(f"{path.stem}: {len(lines)} staff lines, {len(turns) // 2} judged replies, {played['state'].outcome}")


def summary() -> None:
    replayed_dir, judgments_dir = _dirs()
    verdicts: dict[str, list[bool]] = defaultdict(list)
    styles: dict[str, list[bool]] = defaultdict(list)
    faults: dict[str, int] = defaultdict(int)
    left: list[str] = []
    for path in sorted(judgments_dir.glob("*.json")):
        for conversation in json.loads(path.read_text(encoding="utf-8"))["conversations"]:
            name = conversation["file"].removesuffix(".json")
            scenario, style = name.split(".")[:2]
            for reply in conversation["replies"]:
                good = reply["verdict"] == "good"
                verdicts[scenario].append(good)
                styles[style].append(good)
                if not good:
                    faults[reply.get("fault", "?")] += 1
            replayed = json.loads((replayed_dir / f"{name}.json").read_text(encoding="utf-8"))
            if replayed["outcome"] == "walked_away":
                left.append(f"{name} (justified: {conversation.get('leaving_justified')})")
    every = [v for vs in verdicts.values() for v in vs]
    print(f"customer replies judged good: {sum(every)}/{len(every)} = {sum(every) / len(every):.1%}")
    print("\n| scenario | replies | good |\n|---|---|---|")
    for scenario, vs in sorted(verdicts.items()):
        print(f"| {scenario} | {len(vs)} | {sum(vs) / len(vs):.1%} |")
    print("\n| staff style | replies | good |\n|---|---|---|")
    for style, vs in sorted(styles.items()):
        print(f"| {style} | {len(vs)} | {sum(vs) / len(vs):.1%} |")
    print(f"\nfaults: {dict(sorted(faults.items(), key=lambda kv: -kv[1]))}")
    print(f"walked out: {left or 'none'}")


if __name__ == "__main__":
    summary() if "--summary" in sys.argv else replay()
