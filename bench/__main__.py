"""`bin/assistant bench WHAT`: print the figures of one benchmark (never asserted: they go into docs/measurements.md)."""

from __future__ import annotations

import argparse
import sys

from assistant.cli import run_command, setup_logging
from bench import figures


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bin/assistant bench", description="基准测试:打印数字,写进 docs/measurements.md")
    p.add_argument(
        "what", choices=["retrieval", "scoring", "drill", "asr", "understanding", "personal", "requests", "customer"]
    )
    p.add_argument("--sweep", action="store_true", help="understanding:列出不同阈值下的数字")
    p.add_argument("--speed-only", action="store_true", help="understanding:只测速度")
    p.add_argument(
        "--composed-only", action="store_true", help="understanding:只测拼接长句 (几句逗号连成一句) 上的场景动作"
    )
    p.add_argument("--compliance-only", action="store_true", help="understanding:只测合规 (单句和与一句合规话拼在一起)")
    p.add_argument("--st-model", help="sentence-transformers 模型目录 (对比用)")
    p.add_argument("--sizes", default="1000,10000,100000", help="规模测试的条目数 (空字符串则跳过)")
    p.add_argument("--scale-only", action="store_true", help="只测规模 (不加载对比模型,避免 torch 线程干扰计时)")
    p.add_argument("--repeats", type=int, default=3, help="asr:每个录音计时的次数")
    p.add_argument("--threads", type=int, help="asr:语音模型的 CPU 线程数 (默认 2)")
    p.add_argument(
        "--since",
        help="personal / requests / understanding:与某个 git 版本的语料对比(不含其后新增的句子或作者训练 vs 含),例如 --since 46585b1",
    )
    return p


def run(args: argparse.Namespace) -> int:
    if args.what == "understanding" and args.since:
        return figures.run_understanding_comparison(args.since)
    if args.what == "understanding":
        return figures.run_understanding_bench(
            sweep=args.sweep,
            speed_only=args.speed_only,
            composed_only=args.composed_only,
            compliance_only=args.compliance_only,
        )
    if args.what in ("personal", "requests") and args.since:
        return figures.run_tagged_comparison(args.what, args.since)
    if args.what in ("personal", "requests"):
        return figures.run_tagged_bench(args.what)
    if args.what == "customer":
        return figures.run_customer_bench()
    if args.what == "scoring":
        return figures.run_scoring_bench()
    if args.what == "drill":
        return figures.run_drill_bench()
    if args.what == "asr":
        return figures.run_asr_bench(repeats=args.repeats, threads=args.threads)
    return figures.run_retrieval_bench(st_model=args.st_model, sizes=args.sizes, quality=not args.scale_only)


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    return run_command(run, build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
