"""Importance scorers behind one interface and one registry."""

from . import greedy, learned  # noqa: F401  (registers the built-in scorers)
from .base import Scorer, ScoringContext
from .registry import create_scorer, list_scorers, register_scorer, scorer_learns

__all__ = ["Scorer", "ScoringContext", "create_scorer", "list_scorers", "register_scorer", "scorer_learns"]
