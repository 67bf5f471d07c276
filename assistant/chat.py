"""Chat replies built from the library, shared by the Rasa actions and the web app so both answer alike."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.config import get_settings
from assistant.content.topics import Entry
from assistant.drill.scenarios import all_scenarios, find_scenario, get_scenario
from assistant.errors import InputError
from assistant.retrieval import get_searcher
from assistant.services import activity, drills
from assistant.services.accounts import user_id_of
from assistant.text import input_problem, normalize, problem_message
from assistant.vocabulary import DEFAULT_LEVEL

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
    return Reply(
        _script_text(entry, one_liners),
        buttons,
        {"entry_id": entry.id, "product": entry.product, "one_liners": [e.id for e in one_liners]},
    )


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
        buttons = [
            {"title": s["name"], "payload": f'/ask_script{{"product": "{s["product"]}"}}'} for s in result.suggestions
        ]
        return Reply(
            f"抱歉,知识库里没有找到能回答“{question}”的话术。可以试试这些主题:{topics}。", buttons, {"in_scope": False}
        )
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


# -- drills in chat ------------------------------------------------------------------------------------------
def scenarios_reply(prompt: str = "可以练这些情景,点一个开始,或者说“开始演练 场景名”:") -> Reply:
    scenarios = list(all_scenarios().values())
    lines = [prompt] + [f"· {s.title}({s.role})—— {s.persona.summary}" for s in scenarios]
    buttons = [{"title": s.title, "payload": '/start_drill{"scenario": "%s"}' % s.id} for s in scenarios]
    return Reply("\n".join(lines), buttons, {"drill_active": False})


# Words of an explicit request to drill. Inside a drill a staff line the bot mistakes for "start a drill" (it can
# happen: 我给您介绍一下定投) is a turn of the role-play, not a second drill.
START_WORDS = ("演练", "练习", "练一下", "练练", "情景模拟", "通关", "陪我练", "我要练", "我想练")


def start_drill_reply(owner: str, scenario_name: str | None, difficulty: str = DEFAULT_LEVEL, text: str = "") -> Reply:
    running = drills.active_drill(owner)
    if running is not None and text and not any(word in text for word in START_WORDS):
        return drill_turn_reply(owner, text)
    if running is not None:
        title = get_scenario(running.scenario).title
        return Reply(
            f"您已经有一场正在进行的演练(“{title}”),一次只能练一场。请继续作答,或说“结束演练”。",
            data={"drill_active": True, "drill_id": running.id},
        )
    scenario = find_scenario(scenario_name)
    if scenario is None:
        return scenarios_reply("想练哪个情景?点一个开始,或者说“开始演练 场景名”:")
    try:
        drill = drills.start_drill(owner, scenario.id, difficulty=difficulty)
    except InputError as exc:
        return Reply(exc.user_message, data={"drill_active": exc.code == "drill_running"})
    text = (
        f"【演练开始】{scenario.title}\n您的角色:{scenario.role}。我来扮演客户{scenario.persona.name}。"
        f"直接说您的话即可,说“结束演练”随时结束并查看评分。\n客户:{drill['turns'][0]['text']}"
    )
    return Reply(
        text,
        data={
            "drill_active": True,
            "drill_id": drill["id"],
            "scenario": scenario.id,
            "customer": drill["turns"][0]["text"],
        },
    )


def drill_turn_reply(owner: str, text: str) -> Reply:
    running = drills.active_drill(owner)
    if running is None:
        return Reply("当前没有进行中的演练。说“开始演练”选一个情景吧。", data={"drill_active": False})
    try:
        result = drills.take_turn(running.id, text, owner=owner)
    except InputError as exc:
        return Reply(exc.user_message, data={"drill_active": True, "drill_id": running.id, "error": exc.code})
    reply = f"客户:{result.customer}"
    spoken = {"customer": result.customer, "scenario": running.scenario}  # what the browser reads aloud
    if not result.done:
        return Reply(reply, data={"drill_active": True, "drill_id": running.id, **spoken})
    report = drills.finish_drill(running.id, owner=owner)
    return Reply(
        f"{reply}\n(客户已结束对话,演练结束)\n\n{drills.format_report(report)}",
        data={"drill_active": False, "drill_id": running.id, "report": report, **spoken},
    )


def stop_drill_reply(owner: str) -> Reply:
    running = drills.active_drill(owner)
    if running is None:
        return Reply("当前没有正在进行的演练。", data={"drill_active": False})
    report = drills.finish_drill(running.id, owner=owner)
    return Reply(
        f"演练已结束。\n\n{drills.format_report(report)}",
        data={"drill_active": False, "drill_id": running.id, "report": report},
    )


ACTIVITY_WORDS = ("识别了", "推荐了", "转介了", "营销了")


def activity_reply(owner: str, text: str) -> Reply:
    """Log today's counts told in chat ("今天识别了5个客户,推荐了3个") for the signed-in person."""

    user_id = user_id_of(owner)
    if user_id is None:
        return Reply("记录每日营销数据需要先登录网页版。")
    counts = activity.record_from_text(user_id, text)
    return Reply(
        f"已记录今天({counts['day']})的营销行为:{activity.describe(counts)}。说错了可以再说一次,以最新的为准。",
        data={"activity": counts},
    )


def reply_without_bot(owner: str, message: str) -> Reply:
    """What the library answers when the Rasa server is down: drills and scripts both still work, by simple rules."""

    if "结束演练" in message:
        return stop_drill_reply(owner)
    if drills.active_drill(owner) is not None:
        return drill_turn_reply(owner, message)
    if any(word in message for word in START_WORDS):
        return start_drill_reply(owner, message, text=message)
    if any(word in message for word in ACTIVITY_WORDS):
        return activity_reply(owner, message)
    return answer_script(message)
