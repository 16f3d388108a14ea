"""CLI subcommands ``classify`` and ``eval``; ``add_commands`` registers them on ``bestroute``.

Standalone: ``python -m bestroute.understanding.commands classify FILE.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TextIO

EXIT_OK, EXIT_USAGE = 0, 2


class InputError(ValueError):
    """A line of the input file is not a JSON object."""


def _open(path: str) -> TextIO:
    return sys.stdin if path == "-" else open(path, encoding="utf-8")


def _rows(handle: TextIO, name: str) -> Iterator[dict]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise InputError(f"{name}:{number}: expected a JSON object")
        yield row


def run_classify(args: argparse.Namespace) -> int:
    from . import understand
    from .evaluate import row_text

    out = sys.stdout
    try:
        with _open(args.file) as handle:
            for row in _rows(handle, args.file):
                u = understand(row_text(row))
                out.write(json.dumps({
                    "id": row.get("id"),
                    "task_type": u.task_type,
                    "confidence": round(u.confidence, 6),
                    "difficulty": round(u.difficulty, 6),
                }, ensure_ascii=False) + "\n")
    except (OSError, InputError) as exc:
        print(f"bestroute classify: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out.flush()
    return EXIT_OK


def run_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, plot, progress_bar, render

    try:
        with _open(args.file) as handle:
            rows = list(_rows(handle, args.file))
    except (OSError, InputError) as exc:
        print(f"bestroute eval: {exc}", file=sys.stderr)
        return EXIT_USAGE
    show = not args.no_progress and len(rows) >= args.progress_min
    report = evaluate(rows, cheap_cost_ratio=args.cheap_cost_ratio, progress=progress_bar(rows, show))
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(render(report))
    if args.plot:
        plot(report, args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    return EXIT_OK


def add_commands(subparsers) -> None:
    classify = subparsers.add_parser(
        "classify", help="task type, confidence and difficulty for each prompt of a JSONL file",
        description='Reads lines {"id", "text"}; writes {"id", "task_type", "confidence", '
                    '"difficulty"} per line to stdout, in order.')
    classify.add_argument("file", help="JSONL input ('-' for stdin)")
    classify.set_defaults(func=run_classify)

    ev = subparsers.add_parser(
        "eval", help="measure task typing and difficulty routing on labelled prompts",
        description="Rows with text+gold_type are scored for type accuracy; rows with "
                    "prompt+strong_score+weak_score for routing (APGR, cost at 95%% quality).")
    ev.add_argument("file", help="JSONL input ('-' for stdin)")
    ev.add_argument("--plot", metavar="PATH", help="write the cost-quality curve as PNG")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--cheap-cost-ratio", type=float, default=0.1,
                    help="cost of a cheap call relative to a premium one (default 0.1)")
    ev.add_argument("--no-progress", action="store_true", help="never show the progress bar")
    ev.add_argument("--progress-min", type=int, default=200, help=argparse.SUPPRESS)
    ev.set_defaults(func=run_eval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bestroute")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
