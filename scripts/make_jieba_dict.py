"""Write rasa_addons/jieba_dict/userdict.txt: the product and scenario names jieba must keep whole.

Run after editing training_data/nlu/synonyms.yml or scripts_kb/topics/; a unit test fails while the file is stale.
"""

import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGET = ROOT / "rasa_addons" / "jieba_dict" / "userdict.txt"


def dictionary_words() -> list[str]:
    words: set[str] = set()
    for item in yaml.safe_load((ROOT / "training_data/nlu/synonyms.yml").read_text(encoding="utf-8"))["nlu"]:
        if "lookup" in item:
            words.update(line.lstrip("- ").strip() for line in item["examples"].splitlines())
    for path in (ROOT / "scripts_kb/topics").glob("*.yaml"):
        topic = yaml.safe_load(path.read_text(encoding="utf-8"))
        words.update([topic["name"], *topic["synonyms"]])
    return sorted(w for w in words if len(w) >= 2 and " " not in w)


def render() -> str:
    return "".join(f"{word} 200000\n" for word in dictionary_words())


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET} ({len(dictionary_words())} words)", file=sys.stderr)
