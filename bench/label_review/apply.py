"""Apply the stop-34 label review (decisions.jsonl) to the understanding corpus, for the next attempt at using it.

    .venv/bin/python bench/label_review/apply.py [--moves] [--acts] [--keep LABEL,...]

--keep leaves those labels as the writers had them (a line keeps or lacks them as before; its other labels change).

Each decision names the corpus line (file:line at the revision it was made on) and its text; a line whose text is no
longer there is skipped and counted, never guessed. Only the `moves: [...]` / `acts: [...]` lists are rewritten.
"""

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _after(before: list[str], after: list[str], keep: set[str]) -> list[str]:
    """The reviewed labels, except that the kept ones stay as they were before the review."""
    return sorted((set(after) - keep) | (set(before) & keep))


def apply(fields: list[str], keep: set[str] = frozenset()) -> tuple[int, int]:
    by_file: dict[str, list[dict]] = defaultdict(list)
    for line in (HERE / "decisions.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        path, number = row["source"].rsplit(":", 1)
        by_file[path].append({**row, "line": int(number)})
    applied = skipped = 0
    for path, rows in by_file.items():
        file = ROOT / path
        lines = file.read_text(encoding="utf-8").split("\n") if file.exists() else []
        for row in rows:
            k = row["line"] - 1
            if k >= len(lines) or json.dumps(row["text"], ensure_ascii=False) not in lines[k]:
                skipped += 1
                continue
            reviewed = {field: _after(*row[field], keep) for field in fields if field in row}
            changed = [field for field, after in reviewed.items() if after != sorted(row[field][0])]
            for field in changed:
                after = "[" + ", ".join(reviewed[field]) + "]"
                lines[k] = re.sub(field + r": \[[^\]]*\]", f"{field}: {after}", lines[k], count=1)
            applied += bool(changed)
        if lines:
            file.write_text("\n".join(lines), encoding="utf-8")
    return applied, skipped


if __name__ == "__main__":
    chosen = [f for f in ("moves", "acts") if f"--{f}" in sys.argv] or ["moves"]
    kept = set(sys.argv[sys.argv.index("--keep") + 1].split(",")) if "--keep" in sys.argv else set()
    done, missing = apply(chosen, kept)
    print(f"{', '.join(chosen)}: {done} lines rewritten, {missing} skipped (text no longer at that line)")
