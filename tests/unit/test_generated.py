"""Generated files are committed; these fail while one is stale (run the tool named in the message)."""

import importlib.util

import pytest

from assistant.config import ROOT


def load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "tool, target",
    [("make_jieba_dict", "rasa_addons/jieba_dict/userdict.txt"), ("make_rules", "training_data/rules.yml")],
)
def test_generated_file_is_up_to_date(tool, target):
    module = load_tool(tool)
    assert (ROOT / target).read_text(encoding="utf-8") == module.render(), f"run: python3 scripts/{tool}.py"
