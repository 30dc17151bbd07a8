"""Training speed on TVSum-sized data: 50 synthetic videos x 300 sampled frames x 1024-d features,
one split (40 training videos, 8 of them held out for choosing the epoch), every supervised
model, default settings. Prints a table; run it under `taskset -c 0,1` for a 2-core figure.

    python scripts/bench_train.py [--epochs 60] [--models lstm attention]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import torch

from vidgist.bench.synthetic import make_h5
from vidgist.train import TrainOptions, train_on_splits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--models", nargs="+", default=["lstm", "attention"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vidgist-bench-train-"))
    try:
        h5 = make_h5(work / "eccv16_dataset_tvsum_google_pool5.h5", n_videos=50, dim=1024, users=20,
                     steps=(300, 301))
        keys = [f"video_{i}" for i in range(1, 51)]
        splits = work / "splits.json"
        splits.write_text(json.dumps([{"train_keys": keys[:40], "test_keys": keys[40:]}]))
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.epochs} epochs\n")
        print("| model | seconds, 1 split | seconds per epoch | best validation tau |")
        print("|---|---:|---:|---:|")
        for model in args.models:
            out = work / model
            began = time.perf_counter()
            train_on_splits(h5, splits, TrainOptions(model=model, epochs=args.epochs, lr=1e-3), out)
            seconds = time.perf_counter() - began
            history = json.loads((out / "split_0" / "history.json").read_text())
            best = max(row["val_tau"] for row in history)
            print(f"| {model} | {seconds:.1f} | {seconds / args.epochs:.2f} | {best:.3f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
