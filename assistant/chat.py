"""Chat replies built from the library, shared by the Rasa actions and the web app so both answer alike."""
from __future__ import annotations

from dataclasses import dataclass, field

from assistant.config import get_settings
from assistant.kb.schema import Entry
from assistant.retrieval import get_searcher
from assistant.text import input_problem, normalize, problem_message

MAX_ONE_LINERS = 3
MAX_OBJECTION_BUTTONS = 4


@dataclass
class Reply:
    text: str
    buttons: list[dict] = field(default_factory=list)  # {"title": 显示文字, "payload": Rasa payload}
    data: dict = field(default_factory=dict)  # machine-readable extras (entry ids, drill state)

    def to_dict(self) -> dict:
        return {"text": self.text, "buttons": self.buttons, "data": self.data}


def entry_payload(entry: Entry) -> str:
    return '/ask_script{"entry_id": "%s"}' % entry.id


def _script_text(entry: Entry, one_liners: list[Entry]) -> str:
    lines = [f"【{entry.title}】", entry.text]
    if entry.wording:
        lines.append("标准话术:" + " / ".join(entry.wording))
    if entry.steps:
        lines += [f"{n}. {step}" for n, step in enumerate(entry.steps, 1)]
    if one_liners:
        lines.append("一句话营销:")
        lines += [f"· ({e.segment}){e.text}" for e in one_liners]
    lines.append(f"来源:{entry.id}")
    return "\n".join(lines)


def script_reply_for_entry(entry: Entry) -> Reply:
    kit = get_searcher().topic_kit(entry.product)
    one_liners = [] if entry.kind == "one_liner" else kit.get("one_liner", [])[:MAX_ONE_LINERS]
    objections = [e for e in kit.get("objection", []) if e.id != entry.id][:MAX_OBJECTION_BUTTONS]
    buttons = [{"title": e.objection or e.title, "payload": entry_payload(e)} for e in objections]
    return Reply(_script_text(entry, one_liners), buttons,
                 {"entry_id": entry.id, "product": entry.product, "one_liners": [e.id for e in one_liners]})


def answer_script(question: str, entry_id: str | None = None) -> Reply:
    """The best script for a staff question, or an honest 'nothing found' with topics to try."""
    searcher = get_searcher()
    if entry_id:
        entry = searcher.kb.by_id(entry_id)
        if entry is not None:
            return script_reply_for_entry(entry)
    max_chars = get_settings().max_message_chars
    problem = input_problem(question, max_chars)
    if problem:
        return Reply(problem_message(problem, max_chars, "问题"), data={"error": problem})
    result = searcher.search(normalize(question), top=5)
    if not result.in_scope or not result.hits:
        topics = "、".join(s["name"] for s in result.suggestions)
        buttons = [{"title": s["name"], "payload": f'/ask_script{{"product": "{s["product"]}"}}'} for s in result.suggestions]
        return Reply(f"抱歉,知识库里没有找到能回答“{question}”的话术。可以试试这些主题:{topics}。", buttons,
                     {"in_scope": False})
    reply = script_reply_for_entry(result.hits[0].entry)
    reply.data["in_scope"] = True
    return reply


def answer_topic(product: str) -> Reply | None:
    """A topic named without a question (a button, "信用卡"): its main entry."""
    searcher = get_searcher()
    topic = searcher.kb.topics.get(product)
    if topic is None:
        return None
    main = next((e for e in topic.entries if e.kind == "fab"), topic.entries[0])
    return script_reply_for_entry(main)


def reject_input(text: object) -> Reply:
    max_chars = get_settings().max_message_chars
    problem = input_problem(text, max_chars) or "no_words"
    return Reply(problem_message(problem, max_chars), data={"error": problem})


DRILLS_NOT_READY = "情景演练功能正在准备中,暂时还不能开始。您可以先问我产品话术,例如“基金定投怎么介绍”。"
