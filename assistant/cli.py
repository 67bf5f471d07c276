"""Command line: `bin/assistant <command>`. A thin adapter over the library; see CONTRACTS section 2."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.errors import AssistantError
from assistant.vocabulary import DEFAULT_LEVEL, LEVELS

log = logging.getLogger("assistant.cli")


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _format_result(result) -> str:
    if not result.in_scope:
        topics = "、".join(s["name"] for s in result.suggestions)
        return f"没有找到与“{result.query}”对应的话术。可以试试这些主题:{topics}。"
    lines = []
    for n, hit in enumerate(result.hits, 1):
        e = hit.entry
        lines.append(f"{n}. 【{e.title}】({e.id},{e.kind},得分 {hit.score:.3f})\n   {e.text}")
    return "\n".join(lines)


def cmd_search(args) -> int:
    from assistant.config import get_settings
    from assistant.retrieval import get_searcher
    from assistant.text import check_message

    searcher = get_searcher()
    max_chars = get_settings().max_message_chars
    questions = Path(args.batch).read_text(encoding="utf-8").splitlines() if args.batch else [args.question or ""]
    for question in questions:
        try:
            check_message(question, max_chars, "问题")
            result = searcher.search(question, top=args.top)
            if args.json:
                _print_json(result.to_dict())
            else:
                print(_format_result(result))
        except AssistantError as exc:
            if args.json:
                _print_json({"query": question, "in_scope": False, "hits": [], **exc.to_dict()})
            else:
                print(exc.user_message)
            if not args.batch:
                return 2
    return 0


def cmd_kb(args) -> int:
    from assistant.config import get_settings
    from assistant.content import load_content

    settings = get_settings()
    if args.action == "try":
        return _kb_try(args)
    kb_dir = Path(args.dir) if args.dir else settings.kb_dir
    content = load_content(kb_dir)
    kb, scenarios = content.kb, content.scenarios
    if args.action == "validate":
        from assistant.nlu.corpus import CorpusError, load_corpus

        try:
            corpus = load_corpus(kb_dir / "understanding")
        except CorpusError as exc:
            print(f"语料有错误:{exc}", file=sys.stderr)
            return 1
        print(
            f"知识库校验通过:{len(kb.topics)} 个主题,{len(kb.entries)} 条条目,{len(scenarios)} 个演练场景,"
            f"语料 {len(corpus.utterances)} 句,个人问题 {len(corpus.personal)} 句,请求 {len(corpus.requests)} 句。"
        )
        return 0
    from assistant.retrieval.searcher import open_searcher

    searcher = open_searcher(settings, rebuild=args.force)
    meta = searcher.index.meta
    print(
        f"检索索引就绪:{meta['entries']} 条条目,{meta['units']} 个向量,指纹 {meta['fingerprint']},模型 {meta['embedder']}。"
    )
    from assistant.drill.understanding import get_understanding

    model = get_understanding().model  # trained here (cached by corpus fingerprint), not on a staff member's first turn
    print(f"理解模型就绪:指纹 {model.fingerprint},{len(model.moves.labels)} 种动作,{len(model.acts.labels)} 个考核点。")
    return 0


def cmd_bench(args) -> int:
    """Reached only when the CLI is run without bin/assistant, which hands `bench` to the benchmarks' own program."""
    print("基准测试请在项目目录下运行:bin/assistant bench ...(即 python -m bench ...)", file=sys.stderr)
    return 2


def _kb_try(args) -> int:
    """What the assistant makes of one staff line: moves, checkpoints, findings, the customer's reaction."""
    from assistant.config import get_settings
    from assistant.scoring.explain import explain_line
    from assistant.text import check_message

    if not args.scenario or not args.line:
        print('用法:bin/assistant kb try 场景id "一句员工的话"(场景列表:bin/assistant scenarios)', file=sys.stderr)
        return 2
    line = check_message(args.line, get_settings().max_message_chars, "员工的话")  # InputError: a Chinese message
    x = explain_line(args.scenario, line)
    a = x.analysis
    labels = lambda items: "、".join(sorted(items)) or "无"  # noqa: E731
    print(f"场景:{x.scenario}")
    print(f"动作 (moves):{labels(a.moves)}")
    print(f"场景动作 (acts):{labels(a.acts)}")
    print("考核点:" + ("、".join(f"{cid}({text})" for cid, text in x.checkpoints) or "无"))
    print("合规:" + ("; ".join(f"{v.kind}:{v.note}(“{v.phrase}”)" for v in a.violations) or "未发现违规"))
    print(f"问到客户本人 (personal):{'、'.join(a.personal) or '无'}")
    print(f"请客户配合/表态 (requests):{'、'.join(a.requests) or '无'}")
    print(f"客户的反应(作为第一句):{x.customer_reply}")
    print(f"客户的动作 (acts):{'、'.join(x.customer_acts)}")
    return 0


def cmd_scenarios(args) -> int:
    from assistant.drill.scenarios import scenario_list

    scenarios = scenario_list()
    if args.json:
        _print_json(scenarios)
    else:
        for s in scenarios:
            print(f"{s['id']}\t{s['title']}({s['role']})—— {s['persona']}")
    return 0


def cmd_drill(args) -> int:
    """Customer lines on stdout, staff lines from stdin; the report (one JSON line with --json) at the end."""
    import uuid

    from assistant.services import drills

    drill = drills.start_drill(f"cli-{uuid.uuid4().hex}", args.scenario, seed=args.seed, difficulty=args.difficulty)
    print(f"客户:{drill['turns'][0]['text']}", flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if line in drills.STOP_WORDS:
            break
        try:
            reply = drills.take_turn(drill["id"], line)
        except AssistantError as exc:
            print(f"(提示:{exc.user_message})", flush=True)
            continue
        print(f"客户:{reply.customer}", flush=True)
        if reply.done:
            break
    report = drills.finish_drill(drill["id"])
    if args.json:
        _print_json(report)
    else:
        print(drills.format_report(report))
    return 0


def cmd_score(args) -> int:
    from assistant.scoring import score_transcript
    from assistant.services.drills import format_report

    status = 0
    for name in args.files:
        try:
            try:
                transcript = json.loads(Path(name).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                from assistant.errors import InputError

                raise InputError(
                    f"{name}: {exc}", f"无法读取演练记录文件 {name}:不是有效的 JSON 文件。", "bad_file"
                ) from exc
            report = score_transcript(transcript)
            if args.json:
                _print_json({"file": name, **report})
            else:
                print(f"== {name}\n{format_report(report)}")
        except AssistantError as exc:
            status = 2
            if args.json:
                _print_json({"file": name, **exc.to_dict()})
            else:
                print(f"== {name}\n{exc.user_message}")
    return status


def cmd_users(args) -> int:
    import getpass

    from assistant.config import get_settings
    from assistant.services import accounts

    if args.action == "list":
        for a in accounts.list_accounts():
            state = "" if a.active else " (已停用)"
            print(f"{a.id}\t{a.username}\t{a.display_name}\t{a.role_name}\t{a.branch_name}{state}")
        return 0
    if not args.username:
        print("请提供用户名:users add 用户名 --role admin", file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = get_settings().password or getpass.getpass("密码(至少 8 位):")
    account = accounts.create_user(args.username, password, args.role, args.branch, args.name)
    print(
        f"已创建用户 {account.username}({account.role_name}{',' + account.branch_name if account.branch_name else ''})。"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="网点服务营销助手:话术检索、情景演练、评分。")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("search", help="查话术 (FAB、一句话营销、异议处理)")
    p.add_argument("question", nargs="?", help="问题")
    p.add_argument("--batch", help="每行一个问题的文件")
    p.add_argument("--top", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("kb", help='知识库:校验、构建索引,或试一句员工的话 (kb try 场景 "一句话")')
    p.add_argument("action", choices=["validate", "build", "try"])
    p.add_argument("scenario", nargs="?", help="kb try:演练场景 id")
    p.add_argument("line", nargs="?", help="kb try:一句员工的话")
    p.add_argument("--dir", help="知识库目录 (默认 scripts_kb/)")
    p.add_argument("--force", action="store_true", help="无论是否变化都重建索引")
    p.set_defaults(func=cmd_kb)

    # `bin/assistant bench WHAT` runs the benchmarks, which live outside the library (bench/__main__.py)
    p = sub.add_parser("bench", help="基准测试 (由 bin/assistant 转给 python -m bench)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("scenarios", help="列出演练场景")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_scenarios)

    p = sub.add_parser("drill", help="情景演练:我扮演客户,您从标准输入逐行作答")
    p.add_argument("scenario", help="场景编号,见 scenarios")
    p.add_argument("--seed", type=int, help="随机种子:同样的种子和同样的回答得到同样的对话")
    p.add_argument("--difficulty", choices=LEVELS, default=DEFAULT_LEVEL)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_drill)

    p = sub.add_parser("score", help="为演练记录评分")
    p.add_argument("files", nargs="+", metavar="TRANSCRIPT.json")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("users", help="用户管理:添加用户(第一个管理员从这里创建)或列出用户")
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("username", nargs="?")
    p.add_argument("--role", choices=["staff", "coach", "admin"], default="staff")
    p.add_argument("--branch", help="所属网点名称 (员工和教练必填,不存在则创建)")
    p.add_argument("--name", help="显示的姓名")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="从标准输入读密码 (否则读环境变量 ASSISTANT_PASSWORD,再否则提示输入)",
    )
    p.set_defaults(func=cmd_users)
    return parser


def setup_logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)


def run_command(command, args) -> int:
    """A command's exit code; a known problem prints its Chinese message (English in the log), never a trace."""
    try:
        return command(args)
    except AssistantError as exc:
        log.error("%s", exc)
        print(exc.user_message, file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    args = build_parser().parse_args(argv)
    if args.command == "search" and not args.batch and args.question is None:
        print("请提供问题,或用 --batch 指定问题文件。", file=sys.stderr)
        return 2
    return run_command(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
