"""`vidgist train`: learnable synthetic data, ONNX parity, unsupervised training on real footage,
resuming, and learned scorers running in the product without torch."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import SAMPLE, run_cli

torch = pytest.importorskip("torch")

from vidgist.bench.synthetic import make_h5, make_splits  # noqa: E402
from vidgist.train.export import export_onnx, onnx_torch_difference  # noqa: E402
from vidgist.train.fit import Sequence, TrainOptions, fit  # noqa: E402
from vidgist.train.nets import NETS, NetConfig  # noqa: E402

H5 = "eccv16_dataset_tvsum_google_pool5.h5"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    d = tmp_path_factory.mktemp("syn")
    return make_h5(d / H5, n_videos=30, dim=8), make_splits(d / "splits.json", n_videos=30)


@pytest.mark.parametrize("model", ["lstm", "attention"])
def test_supervised_models_learn_a_learnable_target(model, synthetic, tmp_path):
    """Importance a fixed nonlinear function of the features plus noise: a model that learns it
    ranks test frames well (tau > 0.5) where random scores get about 0."""
    h5, splits = synthetic
    out = tmp_path / model
    proc = run_cli("train", "--h5", h5, "--splits", splits, "--dataset", "tvsum", "--model", model,
                   "--out", out, "--epochs", "40", "--hidden", "64", "-q")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["tau"] > 0.5
    report = run_cli("bench", "protocol", "--h5", h5, "--splits", splits, "--dataset", "tvsum",
                     "--scorer", model, "--checkpoint", out, "--json")
    result = json.loads(report.stdout)
    assert result["tau"] > 0.5 and abs(result["random_tau"]) < 0.1
    assert all(s["tau"] > 0.3 for s in result["per_split"])
    meta = json.loads((out / "split_0" / f"{model}.json").read_text())
    test_keys = json.loads(splits.read_text())[0]["test_keys"]
    assert not set(meta["train_keys"] + meta["val_keys"]) & set(test_keys)  # never selected on test


def test_a_single_model_is_refused_on_splits_whose_test_videos_it_saw(synthetic, tmp_path):
    h5, splits = synthetic
    out = tmp_path / "lstm"
    assert run_cli("train", "--h5", h5, "--splits", splits, "--dataset", "tvsum", "--model", "lstm",
                   "--out", out, "--epochs", "1", "--hidden", "16", "-q").returncode == 0
    proc = run_cli("bench", "protocol", "--h5", h5, "--splits", splits, "--dataset", "tvsum",
                   "--scorer", "lstm", "--checkpoint", out / "split_0" / "lstm.onnx")
    assert proc.returncode == 3 and "trained or selected on test videos" in proc.stderr


@pytest.mark.parametrize("model", sorted(NETS))
def test_onnx_matches_torch_at_any_length(model, tmp_path):
    torch.manual_seed(0)
    net = NETS[model](NetConfig(dim=24, hidden=16)).eval()
    path = export_onnx(model, net, tmp_path / f"{model}.onnx", {"features": {"dim": 24, "extractor": "test"}})
    rng = np.random.default_rng(1)
    for t in (5, 200):  # shorter and longer than the export's example input
        assert onnx_torch_difference(path, net, rng.normal(size=(t, 24)).astype(np.float32)) < 1e-4


def test_resume_continues_where_it_stopped(tmp_path):
    rng = np.random.default_rng(0)
    data = [Sequence(f"v{i}", rng.normal(size=(30, 8)).astype(np.float32), rng.random(30).astype(np.float32))
            for i in range(4)]
    options = TrainOptions(model="lstm", epochs=2, net=NetConfig(dim=8, hidden=8))
    fit(data[:3], data[3:], options, tmp_path, {})
    options.epochs = 4
    result = fit(data[:3], data[3:], options, tmp_path, {})
    assert [row["epoch"] for row in result.history] == [0, 1, 2, 3]


@pytest.fixture(scope="module")
def dr_dsn(tmp_path_factory, scenes_clip):
    """dr-dsn trained without labels on real footage (the bundled sample) and a generated clip."""
    folder = tmp_path_factory.mktemp("videos")
    for clip in (SAMPLE, scenes_clip):
        (folder / clip.name).symlink_to(clip)
    out = tmp_path_factory.mktemp("dr-dsn")
    proc = run_cli("train", "--videos", folder, "--model", "dr-dsn", "--out", out, "--epochs", "25",
                   "--hidden", "32", "-q")
    assert proc.returncode == 0, proc.stderr
    return out


def test_unsupervised_training_raises_the_reward(dr_dsn):
    rewards = [row["reward"] for row in json.loads((dr_dsn / "history.json").read_text())]
    assert np.mean(rewards[-5:]) > np.mean(rewards[:5])


def test_learned_scorer_runs_in_summarize_without_torch(dr_dsn, tmp_path):
    """torch made unimportable: the product path must not need it."""
    code = ("import sys; sys.modules['torch'] = None; from vidgist.cli.main import main; "
            f"sys.exit(main(['summarize', {str(SAMPLE)!r}, '-o', {str(tmp_path / 'o')!r}, '--scorer', 'dr-dsn', "
            f"'--checkpoint', {str(dr_dsn / 'dr-dsn.onnx')!r}, '--no-video', '--no-storyboard', '-q']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert result["settings"]["scorer"] == "dr-dsn" and result["segments"]
    assert np.std(result["frames"]["scores"]) > 0.001


def test_train_without_labels_refuses_supervised_models(tmp_path):
    proc = run_cli("train", "--videos", tmp_path, "--model", "lstm", "--out", tmp_path / "o")
    assert proc.returncode == 3 and "needs labels" in proc.stderr
