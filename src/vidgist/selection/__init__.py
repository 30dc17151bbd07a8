"""Selection: knapsack and budget rules, shared by the product and the benchmark."""

from .budget import budget_seconds, merge, requested_budget, score_shots, select, split_shots, unit_length
from .knapsack import knapsack, knapsack_one_per_group

__all__ = ["budget_seconds", "knapsack", "knapsack_one_per_group", "merge", "requested_budget", "score_shots",
           "select", "split_shots", "unit_length"]
