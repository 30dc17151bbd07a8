"""The scorer registry: one list for the CLI, the benchmark and training."""

from __future__ import annotations

from .base import Scorer

_SCORERS: dict[str, type[Scorer]] = {}


def register_scorer(cls: type[Scorer]) -> type[Scorer]:
    if cls.name in _SCORERS:
        raise ValueError(f"scorer {cls.name!r} registered twice")
    _SCORERS[cls.name] = cls
    return cls


def list_scorers() -> list[str]:
    return sorted(_SCORERS)


def scorer_learns(name: str) -> bool:
    """Whether the scorer has weights (and so takes a checkpoint)."""
    if name not in _SCORERS:
        raise ValueError(f"unknown scorer {name!r}; choose from {', '.join(list_scorers())}")
    return _SCORERS[name].learns


def check_checkpoint(name: str, checkpoint) -> None:
    """Weights only for scorers that learn: a checkpoint for any other is a mistake worth saying."""
    if not scorer_learns(name) and checkpoint is not None:
        raise ValueError(f"scorer {name!r} learns nothing and takes no checkpoint")


def create_scorer(name: str, checkpoint=None, **kwargs) -> Scorer:
    """A registered scorer; `checkpoint` (weights) only for those that learn."""
    check_checkpoint(name, checkpoint)
    if checkpoint is not None:
        kwargs["checkpoint"] = checkpoint
    return _SCORERS[name](**kwargs)
