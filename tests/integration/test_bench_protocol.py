"""`vidgist bench protocol` and the dataset readers on synthetic files of the standard layout."""

import json

import numpy as np
import pytest
from conftest import run_cli

from vidgist.bench import protocol as P
from vidgist.bench.datasets import keys_in, read_h5, read_splits, split_key
from vidgist.bench.evaluate import evaluate_splits
from vidgist.bench.synthetic import make_h5, make_splits, target
from vidgist.errors import InputError
from vidgist.models.base import Scorer


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    d = tmp_path_factory.mktemp("h5")
    # noise-free importance: the oracle below must then rank perfectly
    return make_h5(d / "eccv16_dataset_tvsum_google_pool5.h5", noise=0.0), make_splits(d / "splits.json")


def test_reader_gives_every_standard_key(tmp_path):
    videos = read_h5(make_h5(tmp_path / "summe.h5", n_videos=3, summe=True))
    assert list(videos) == ["video_1", "video_2", "video_3"]
    v = videos["video_2"]
    assert v.features.dtype == np.float32 and v.features.shape == (len(v.picks), 16)
    assert v.user_summary.shape == (5, v.n_frames)
    assert v.change_points[0, 0] == 0 and v.change_points[-1, 1] == v.n_frames - 1
    assert v.name == "clip 2"
    assert v.gtscore.shape == v.picks.shape


def test_split_keys_in_every_published_form(tmp_path):
    assert split_key("video_3") == "video_3"
    assert split_key("../datasets/eccv16_dataset_tvsum_google_pool5.h5/video_35") == \
        "eccv16_dataset_tvsum_google_pool5/video_35"
    keys = ["eccv16_dataset_tvsum_google_pool5/video_1", "eccv16_dataset_ovp_google_pool5/video_2", "video_7"]
    assert keys_in(keys, "/x/eccv16_dataset_tvsum_google_pool5.h5") == ["video_1", "video_7"]
    yml = make_splits(tmp_path / "s.yml", prefix="../datasets/eccv16_dataset_tvsum_google_pool5.h5/")
    folds = read_splits(yml)
    assert len(folds) == 5 and folds[0].test_keys[0] == "eccv16_dataset_tvsum_google_pool5/video_1"


class Oracle(Scorer):
    """Scores every frame by the synthetic dataset's true importance: the evaluation must rank it
    far above random, which a wrong upsampling, budget or aggregate would not."""

    name = "oracle"

    def score(self, features, context):
        return target(features)


def test_oracle_beats_random_and_ranks_perfectly_against_gtscore(dataset):
    h5, splits = dataset
    result = evaluate_splits(h5, splits, lambda split: Oracle(), P.Aggregate.MEAN)
    assert result["tau"] == pytest.approx(1.0) and result["rho"] == pytest.approx(1.0)
    assert result["random_tau"] == pytest.approx(0.0, abs=0.1)
    assert result["f1"] > result["random_f1"] + 15
    assert len(result["per_split"]) == 5
    assert sum(s["test_videos"] for s in result["per_split"]) == 10


def test_cli_reports_splits_beside_random(dataset, tmp_path):
    h5, splits = dataset
    yml = make_splits(tmp_path / "s.yml", prefix="../datasets/eccv16_dataset_tvsum_google_pool5.h5/")
    outputs = []
    for split_file in (splits, yml):  # the same folds in both formats give the same numbers
        proc = run_cli("bench", "protocol", "--h5", h5, "--splits", split_file, "--dataset", "tvsum",
                       "--scorer", "greedy", "--json")
        assert proc.returncode == 0, proc.stderr
        outputs.append(json.loads(proc.stdout))
    result = outputs[0]
    assert {"f1", "tau", "rho", "random_f1", "per_split"} <= result.keys()
    assert result == outputs[1]
    assert 0 < result["f1"] <= 100 and 0 < result["random_f1"] <= 100
    assert result["aggregate"] == "mean" and "gtscore" in result["rank_reference"]
    assert result["f1"] == pytest.approx(np.mean([s["f1"] for s in result["per_split"]]), abs=0.01)


def test_summe_takes_the_best_user_so_scores_at_least_tvsum(dataset):
    h5, splits = dataset
    summe = evaluate_splits(h5, splits, lambda split: Oracle(), P.Aggregate.MAX)
    tvsum = evaluate_splits(h5, splits, lambda split: Oracle(), P.Aggregate.MEAN)
    assert summe["f1"] >= tvsum["f1"] and summe["aggregate"] == "max"


def test_missing_test_video_is_an_input_error(dataset, tmp_path):
    h5, _ = dataset
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"train_keys": ["video_1"], "test_keys": ["video_99"]}]))
    with pytest.raises(InputError, match="video_99"):
        evaluate_splits(h5, bad, lambda split: Oracle(), P.Aggregate.MEAN)
    proc = run_cli("bench", "protocol", "--h5", h5, "--splits", bad, "--dataset", "tvsum")
    assert proc.returncode == 3 and "video_99" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_files_exit_3_in_one_line(tmp_path, dataset):
    _, splits = dataset
    junk = tmp_path / "junk.h5"
    junk.write_text("not hdf5")
    for h5 in (tmp_path / "missing.h5", junk):
        proc = run_cli("bench", "protocol", "--h5", h5, "--splits", splits, "--dataset", "tvsum")
        assert proc.returncode == 3 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_dataset_must_be_named(dataset):
    h5, splits = dataset
    proc = run_cli("bench", "protocol", "--h5", h5, "--splits", splits)
    assert proc.returncode == 2 and "--dataset" in proc.stderr
