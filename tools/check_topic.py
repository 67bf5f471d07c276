"""Quick validation of topic files while authoring: python3 tools/check_topic.py scripts_kb/topics/*.yaml"""
import sys, pathlib, yaml
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from assistant.kb.schema import TopicFile  # noqa: E402

FORBIDDEN = ["保本", "保收益", "稳赚", "零风险", "肯定涨", "稳赚不赔", "收益一般是零存整取的3倍", "3倍以上"]
ok = True
ids = set()
for path in sys.argv[1:]:
    data = yaml.safe_load(open(path, encoding="utf-8"))
    try:
        topic = TopicFile.model_validate(data)
    except Exception as exc:  # noqa: BLE001
        ok = False
        print(f"FAIL {path}: {exc}")
        continue
    for e in topic.entries:
        if e.id in ids:
            ok = False
            print(f"FAIL {path}: duplicate id {e.id}")
        ids.add(e.id)
        for word in FORBIDDEN:
            if word in e.text and ("不" + word not in e.text and "不是" not in e.text and "没有" not in e.text):
                print(f"WARN {path}: {e.id} contains '{word}' - make sure it is a negation/risk notice, never a promise")
    qs = sum(len(e.questions) for e in topic.entries)
    print(f"ok   {path}: {len(topic.entries)} entries, {qs} questions")
sys.exit(0 if ok else 1)
