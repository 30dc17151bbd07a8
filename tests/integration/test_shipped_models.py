"""The learned scorers' shipped weights: what their sidecars promise, and `vidgist summarize
--scorer NAME` working with torch made unimportable (the runtime must never need it)."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import SAMPLE

from vidgist.models import list_scorers, scorer_learns
from vidgist.models.learned import SHIPPED

LEARNED = [name for name in list_scorers() if scorer_learns(name)]


@pytest.mark.parametrize("name", LEARNED)
def test_sidecar_describes_weights_kept_apart_from_realbench(name):
    meta = json.loads((SHIPPED / f"{name}.json").read_text())
    assert meta["model"] == name
    assert meta["features"] == {"extractor": "efficientnet-lite0", "dim": 1280, "sample_fps": 2.0}
    assert meta["onnx_parity"] < 1e-4  # the export matched torch when it was made
    # realbench composes its evaluation videos at seed 0; training videos end in their seed
    assert all(not key.endswith("-0") for key in meta["train_keys"] + meta["val_keys"])


def test_every_shipped_scorer_summarizes_without_torch(tmp_path):
    outs = {name: tmp_path / name for name in LEARNED}
    calls = "; ".join(
        f"assert main(['summarize', {str(SAMPLE)!r}, '-o', {str(out)!r}, '--scorer', {name!r}, "
        "'--no-video', '--no-storyboard', '-q']) == 0"
        for name, out in outs.items()
    )
    code = f"import sys; sys.modules['torch'] = None; from vidgist.cli.main import main; {calls}"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    curves = {}
    for name, out in outs.items():
        result = json.loads((out / "summary.json").read_text())
        assert result["settings"]["scorer"] == name and result["segments"]
        curves[name] = np.array(result["frames"]["scores"])
    # four different networks: no two score the sample the same way
    names = list(curves)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not np.allclose(curves[a], curves[b], atol=1e-3), (a, b)
