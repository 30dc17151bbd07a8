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


def create_scorer(name: str, **kwargs) -> Scorer:
    if name not in _SCORERS:
        raise ValueError(f"unknown scorer {name!r}; choose from {', '.join(list_scorers())}")
    return _SCORERS[name](**kwargs)
