"""Selection: knapsack and budget rules, shared by the product and the benchmark."""

from .budget import budget_seconds, merge, score_shots, select
from .knapsack import knapsack

__all__ = ["budget_seconds", "knapsack", "merge", "score_shots", "select"]
