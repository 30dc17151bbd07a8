"""Every registered frame encoder honours the interface on real frames."""

import numpy as np
import pytest
from conftest import SAMPLE

from vidgist.features import ENCODERS, create_encoder
from vidgist.media.decode import MediaReader, VideoSample
from vidgist.media.probe import probe


@pytest.fixture(scope="module")
def real_frames():
    frames = [s.full() for s in MediaReader(probe(SAMPLE), 0.5, 1.0, audio=False)
              if isinstance(s, VideoSample) and s.frame is not None]
    return np.stack(frames[3:11])  # past the fade-in: 8 different real pictures


@pytest.mark.parametrize("name", sorted(ENCODERS))
def test_encoder_contract(name, real_frames):
    encoder = create_encoder(name, threads=1)
    features = encoder.encode(real_frames)
    assert features.shape == (len(real_frames), encoder.dim) and features.dtype == np.float32
    assert np.isfinite(features).all()
    # batching does not change a frame's features
    assert np.allclose(encoder.encode(real_frames[2:3])[0], features[2], atol=1e-4)
    # different pictures, different features; the same picture, the same features
    cos = features @ features.T / np.outer(np.linalg.norm(features, axis=1), np.linalg.norm(features, axis=1))
    assert cos[~np.eye(len(cos), dtype=bool)].min() < 0.95


def test_unknown_encoder_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown frame encoder"):
        create_encoder("resnet-9000")
