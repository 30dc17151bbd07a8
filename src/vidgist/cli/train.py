"""`vidgist train`: supervised on a standard h5 file's splits, or unsupervised on a folder of videos."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputError
from ..models import list_scorers, scorer_learns
from .bench import DATASETS


def add_parser(commands) -> None:
    t = commands.add_parser("train", help="train a summarization model (needs the train extra: torch)")
    data = t.add_mutually_exclusive_group(required=True)
    data.add_argument("--h5", type=Path, help="standard eccv16_dataset_*_google_pool5.h5 (supervised, all splits)")
    data.add_argument("--videos", type=Path, metavar="DIR", help="a folder of videos (sumgan, dr-dsn: no labels)")
    t.add_argument("--splits", type=Path, help="split file for --h5")
    t.add_argument("--dataset", choices=DATASETS, help="for --h5: the F1 aggregate of the results table")
    t.add_argument("--model", choices=[n for n in list_scorers() if scorer_learns(n)], required=True)
    t.add_argument("--out", type=Path, required=True, help="checkpoints, ONNX files, history, results")
    t.add_argument("--epochs", type=int, default=60)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--hidden", type=int, default=256, help="LSTM units per direction, attention width")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", default="auto", help="auto (a GPU when there is one), cpu, cuda")
    t.add_argument("--quiet", "-q", action="store_true")


def run(args, parser) -> int:
    if args.h5 and not (args.splits and args.dataset):
        parser.error("--h5 needs --splits and --dataset")
    try:
        from ..train import TrainOptions, train_on_splits, train_on_videos
        from ..train.nets import NetConfig
    except ImportError as e:
        raise InputError(f"vidgist train needs the train extra (pip install 'vidgist[train]'): {e}") from None

    def log(row: dict, split: int | None = None) -> None:
        if not args.quiet:
            where = "" if split is None else f"split {split} "
            print(where + " ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()),
                  file=sys.stderr)

    options = TrainOptions(model=args.model, epochs=args.epochs, lr=args.lr, seed=args.seed, device=args.device,
                           net=NetConfig(hidden=args.hidden))
    if args.videos:
        path = train_on_videos(args.videos, options, args.out, log,
                               progress=None if args.quiet else lambda m: print(m, file=sys.stderr))
        print(f"{args.model}: {path}")
        return 0
    train_on_splits(args.h5, args.splits, options, args.out, log=lambda k, row: log(row, k))
    from ..bench.evaluate import evaluate_splits, scorer_factory
    from ..bench.protocol import DATASET_AGGREGATE

    result = evaluate_splits(args.h5, args.splits, scorer_factory(args.model, args.out),
                             DATASET_AGGREGATE[args.dataset])
    result = {"scorer": args.model, "dataset": args.dataset, "checkpoint": str(args.out), **result}
    (args.out / "results.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0
