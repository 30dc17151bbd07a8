"""Train the four learned scorers on videos composed from ../shared/media (seeds 1001-1003, never
realbench's) and export them where the package looks for shipped weights. Needs the train extra.

    python scripts/train_shipped_models.py [--media ../shared/media] [--out src/vidgist/models/weights]

Then `vidgist bench real --media ../shared/media --scorer greedy --scorer lstm ...` decides which
earn their place (README, "Models").
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from vidgist.train import TrainOptions, export_best
from vidgist.train.composed import SETTINGS, TASKS, composed_sequences
from vidgist.train.fit import fit
from vidgist.train.nets import SUPERVISED, NetConfig

SEEDS = (1001, 1002, 1003)
# DR-DSN's policy saturates (every probability 0 or 1) within a few epochs at 1e-3
LEARNING_RATE = {"lstm": 1e-3, "attention": 1e-3, "sumgan": 1e-3, "dr-dsn": 1e-4}
VAL_SEED = 1003  # supervised models choose their epoch on this seed's videos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--media", type=Path, default=Path("../shared/media"))
    parser.add_argument("--work", type=Path, default=Path("bench-out/train-shipped"))
    parser.add_argument("--out", type=Path, default=Path("src/vidgist/models/weights"))
    parser.add_argument("--models", nargs="+", default=["lstm", "attention", "sumgan", "dr-dsn"])
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args()
    sequences = composed_sequences(args.media, args.work, SEEDS, progress=print)
    for model in args.models:
        val = [s for s in sequences if s.key.endswith(str(VAL_SEED))] if model in SUPERVISED else []
        train = [s for s in sequences if s not in val]
        if model not in SUPERVISED:
            train = [type(s)(s.key, s.features) for s in train]  # no labels: none may leak in
        provenance = {
            "features": {"extractor": "efficientnet-lite0", "dim": int(train[0].features.shape[1]), "sample_fps": 2.0},
            "data": f"{TASKS} composed from {os.path.relpath(args.media)} (seeds {SEEDS}; realbench evaluates seed 0)",
            "compose": {"needle_seconds": SETTINGS.needle_seconds, "coverage_length": SETTINGS.coverage_length},
            "labels": "vidgist.train.composed.provenance_importance" if model in SUPERVISED else None,
            "train_keys": [s.key for s in train], "val_keys": [s.key for s in val],
            "selection": "best validation tau" if val else "last epoch (no labels)",
        }
        options = TrainOptions(model=model, epochs=args.epochs, lr=LEARNING_RATE[model], net=NetConfig(hidden=128))
        folder = args.work / "runs" / model
        result = fit(train, val, options, folder, provenance, log=lambda row: print(model, row))
        export_best(model, folder, provenance, args.out / f"{model}.onnx")
        (args.out / f"{model}.history.json").write_text(json.dumps(result.history))
        print(f"{model}: kept epoch {result.best_epoch}, validation tau {result.best_val}")


if __name__ == "__main__":
    main()
