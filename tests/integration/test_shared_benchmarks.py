"""The opt-in suite over ../shared/benchmarks: the reference figures of docs/PROTOCOL.md, recomputed
from the raw human annotations, and the published split files read unchanged."""

import json

import pytest
from conftest import SHARED_MEDIA, run_cli

from vidgist.bench.datasets import keys_in, read_splits

pytestmark = pytest.mark.shared
BENCH = SHARED_MEDIA.parent / "benchmarks"


@pytest.fixture(scope="module")
def reference():
    proc = run_cli("bench", "reference", "--tvsum", BENCH / "tvsum" / "ydata-tvsum50.mat",
                   "--summe", BENCH / "summe" / "GT", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_tvsum_human_rank_correlation_matches_otani(reference):
    assert round(reference["tvsum_human_tau"], 3) == 0.177
    assert round(reference["tvsum_human_rho"], 3) == 0.204


def test_random_scores_have_no_rank_correlation(reference):
    assert abs(reference["tvsum_random_tau"]) <= 0.005 and abs(reference["tvsum_random_rho"]) <= 0.005


@pytest.mark.parametrize("key, expected", [
    ("tvsum_uniform_human_f1_mean", 25.7), ("tvsum_uniform_human_f1_max", 55.4),
    ("tvsum_uniform_random_f1_mean", 15.2), ("tvsum_uniform_random_f1_max", 30.7),
])
def test_uniform_shot_f1_within_0_2_of_the_reference(reference, key, expected):
    assert reference[key] == pytest.approx(expected, abs=0.2)


def test_summe_humans_agree_more_than_chance(reference):
    assert reference["summe_human_f1_mean"] > reference["summe_uniform_random_f1_mean"] + 10
    assert reference["summe_human_f1_max"] > reference["summe_uniform_random_f1_max"] + 10


@pytest.mark.parametrize("name", sorted(p.name for p in (BENCH / "splits").glob("*")) if BENCH.exists() else [])
def test_published_split_files_read_unchanged(name):
    folds = read_splits(BENCH / "splits" / name)
    assert len(folds) == 5
    dataset = "summe" if "summe" in name else "tvsum"
    h5 = f"eccv16_dataset_{dataset}_google_pool5.h5"
    for fold in folds:
        test = keys_in(fold.test_keys, h5)
        assert test and len(test) == len(fold.test_keys)  # every test video is in the dataset's own file
        assert not set(test) & set(keys_in(fold.train_keys, h5))
