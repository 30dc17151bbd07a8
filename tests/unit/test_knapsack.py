import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vidgist.selection import knapsack, knapsack_one_per_group


def brute_force(values, weights, capacity, groups=None) -> float:
    best = 0.0
    for r in range(len(values) + 1):
        for combo in itertools.combinations(range(len(values)), r):
            taken = [groups[i] for i in combo] if groups is not None else []
            if groups is not None and (len(set(taken)) < len(taken) or min(taken, default=0) < 0):
                continue
            if sum(weights[i] for i in combo) <= capacity:
                best = max(best, sum(values[i] for i in combo))
    return best


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 10, allow_nan=False), st.integers(0, 12)), min_size=0, max_size=9),
    st.integers(0, 40),
)
def test_knapsack_is_optimal_and_feasible(items, capacity):
    values = [v for v, _ in items]
    weights = [w for _, w in items]
    chosen = knapsack(np.array(values), np.array(weights, dtype=int), capacity)
    assert sum(weights[i] for i in chosen) <= capacity
    assert chosen == sorted(set(chosen))
    assert abs(sum(values[i] for i in chosen) - brute_force(values, weights, capacity)) < 1e-9


def test_knapsack_keeps_float_values_unquantised():
    # 1.0004 + 1.0004 beats 2.0007 only if values are not rounded to 3 decimals
    assert knapsack(np.array([2.0007, 1.0004, 1.0004]), np.array([2, 1, 1]), 2) == [1, 2]


def test_knapsack_nothing_fits():
    assert knapsack(np.array([5.0, 3.0]), np.array([10, 11]), 9) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 10, allow_nan=False), st.integers(0, 12), st.integers(-1, 3)),
             min_size=0, max_size=9),
    st.integers(0, 40),
)
def test_one_per_group_is_optimal_and_feasible(items, capacity):
    values, weights, groups = ([item[k] for item in items] for k in range(3))
    chosen = knapsack_one_per_group(np.array(values), np.array(weights, dtype=int), np.array(groups, dtype=int),
                                    capacity)
    assert sum(weights[i] for i in chosen) <= capacity
    picked_groups = [groups[i] for i in chosen]
    assert len(set(picked_groups)) == len(picked_groups) and all(g >= 0 for g in picked_groups)
    assert abs(sum(values[i] for i in chosen) - brute_force(values, weights, capacity, groups)) < 1e-9
