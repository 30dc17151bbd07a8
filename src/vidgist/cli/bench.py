"""`vidgist bench reference|protocol|real`: the measuring instruments from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from ..models import list_scorers

DATASETS = ("summe", "tvsum")
# bench.real.TASKS, without its imports
REAL_TASKS = ("cuts", "needles", "coverage", "repeats", "speech", "query", "topics", "scenes")


def add_parser(commands) -> None:
    bench = commands.add_parser("bench", help="evaluation: reference figures, the SumMe/TVSum protocol, realbench")
    kinds = bench.add_subparsers(dest="bench", required=True)

    r = kinds.add_parser("reference", help="human and random figures from the raw TVSum/SumMe annotations")
    r.add_argument("--tvsum", type=Path, metavar="MAT", help="ydata-tvsum50.mat")
    r.add_argument("--summe", type=Path, metavar="DIR", help="SumMe's GT folder of *.mat")
    _common(r)

    p = kinds.add_parser("protocol", help="a scorer over the test videos of each split of a standard h5 file")
    p.add_argument("--h5", type=Path, required=True, help="eccv16_dataset_*_google_pool5.h5")
    p.add_argument("--splits", type=Path, required=True, help="split file, json or yml")
    p.add_argument("--dataset", choices=DATASETS, required=True,
                   help="sets the F1 aggregate over users: summe max, tvsum mean")
    p.add_argument("--scorer", default="greedy", choices=list_scorers())
    p.add_argument("--checkpoint", type=Path, help="trained weights, for scorers that learn")
    p.add_argument("--annotations", type=Path, metavar="MAT",
                   help="ydata-tvsum50.mat: tau/rho against every annotator (without it: against gtscore)")
    _common(p)

    b = kinds.add_parser("real", help="realbench: composed videos with exact ground truth from a folder of clips")
    b.add_argument("--media", type=Path, required=True, help="a folder of videos")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--scorer", action="append", choices=list_scorers(), help="scorers to run (default: greedy)")
    b.add_argument("--workdir", type=Path, default=Path("realbench-out"), help="composed videos and summaries")
    b.add_argument("--task", action="append", choices=REAL_TASKS, help="tasks to run (repeatable; default: all)")
    _common(b)


def _common(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")


def run(args, parser: argparse.ArgumentParser) -> int:
    """Runs one bench command; VidgistError propagates to main for its one-line message."""
    show = not args.quiet and sys.stderr.isatty()

    def progress(items, desc=""):
        return tqdm(items, desc=desc, disable=not show, leave=False)

    if args.bench == "reference":
        result = _reference(args, parser, progress)
    elif args.bench == "protocol":
        result = _protocol(args, parser, progress)
    else:
        result = _real(args, show)
    if args.json:
        print(json.dumps(result, indent=1))
    elif args.bench == "real":
        from ..bench.real import format_table

        print(format_table(result))
    else:
        print(_plain(result))
    return 0


def _reference(args, parser, progress) -> dict:
    from ..bench.datasets import read_summe, read_tvsum
    from ..bench.reference import summe_reference, tvsum_reference

    if not (args.tvsum or args.summe):
        parser.error("bench reference needs --tvsum MAT and/or --summe DIR")
    result = {}
    if args.tvsum:
        result |= tvsum_reference(read_tvsum(args.tvsum), progress=lambda v: progress(v, "TVSum"))
    if args.summe:
        result |= summe_reference(read_summe(args.summe), progress=lambda v: progress(v, "SumMe"))
    return result


def _protocol(args, parser, progress) -> dict:
    from ..bench.evaluate import evaluate_splits, scorer_factory
    from ..bench.protocol import DATASET_AGGREGATE

    try:
        scorers = scorer_factory(args.scorer, args.checkpoint)
    except ValueError as e:
        parser.error(str(e))
    result = evaluate_splits(args.h5, args.splits, scorers,
                             DATASET_AGGREGATE[args.dataset], args.annotations,
                             progress=lambda keys: progress(keys, "videos"))
    return {"scorer": args.scorer, "dataset": args.dataset, **result}


def _real(args, show: bool) -> dict:
    from ..bench.real import run_realbench

    def say(message: str) -> None:
        if show:
            print(f"realbench: {message}", file=sys.stderr)

    return run_realbench(args.media, args.workdir, seed=args.seed, scorers=args.scorer or ["greedy"],
                         progress=say, only=args.task)


def _plain(result: dict) -> str:
    lines = []
    for key, value in result.items():
        if key == "per_split":
            lines += [f"  split {s['split']}: " + ", ".join(f"{k} {v}" for k, v in s.items() if k != "split")
                      for s in value]
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)
