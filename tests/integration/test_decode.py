"""The streaming decode pass on generated clips whose timing is known exactly."""

import numpy as np
import pytest
from PIL import Image
from clips import Scene, make_clip, scene_picture

from vidgist.media.decode import AudioSample, MediaReader, VideoSample, audio_pieces, decode_audio
from vidgist.media.probe import probe


def decode_all(path, **kw):
    reader = MediaReader(probe(path), sample_fps=2.0, cut_fps=15.0, **kw)
    items = list(reader)
    video = [i for i in items if isinstance(i, VideoSample)]
    audio = [i for i in items if isinstance(i, AudioSample)]
    return reader, video, audio


def test_samples_at_2fps_and_small_frames_for_cuts(scenes_clip):
    reader, video, audio = decode_all(scenes_clip)
    full = [v.time for v in video if v.frame is not None]
    # frames nothing refers to are not decoded, so a sample may come up to 3 frames late
    assert np.allclose(full, np.arange(0, 14, 0.5), atol=3 / 25 + 1e-6)
    assert all(v.full().shape == (224, 224, 3) for v in video if v.frame is not None)
    assert 10 * 14 <= len(video) <= 15 * 14 + 28  # cut_fps, bounded by the source's 25 fps
    assert reader.end == pytest.approx(14.0, abs=0.05)
    seconds = sum(len(a.pcm) for a in audio) / 16000
    assert seconds == pytest.approx(14.0, abs=0.05)


def test_rotation_metadata_is_applied(tmp_path):
    path = make_clip(tmp_path / "rot.mp4", [Scene(2, 7)], size=(320, 180), rotation=90, tone_hz=None)
    info = probe(path)
    assert (info.width, info.height, info.rotation) == (180, 320, 90)
    _, video, _ = decode_all(path)
    assert video[0].small.shape[0] > video[0].small.shape[1]  # portrait after rotation
    # the picture is the scene turned a quarter counter-clockwise, as players show it
    expected = np.rot90(scene_picture(7, 320 + 64, 180)[:, :320], 1)
    got = video[0].full().astype(float)
    ref = np.asarray(Image.fromarray(expected).resize((224, 224)), float)
    wrong = np.asarray(Image.fromarray(np.rot90(expected, 2)).resize((224, 224)), float)
    assert np.abs(got - ref).mean() < 0.5 * np.abs(got - wrong).mean()


def test_variable_frame_rate_keeps_true_times(tmp_path):
    path = make_clip(tmp_path / "vfr.mp4", [Scene(6, 3)], fps=30, vfr_jitter=0.45, tone_hz=None)
    reader, video, _ = decode_all(path)
    times = [v.time for v in video]
    assert times == sorted(times)
    full = [v.time for v in video if v.frame is not None]
    assert len(full) == 12 and np.all(np.diff(full) > 0.4) and np.all(np.diff(full) < 0.6)
    assert reader.end == pytest.approx(6.0, abs=0.1)


def test_non_integer_rate(tmp_path):
    path = make_clip(tmp_path / "ntsc.mp4", [Scene(3, 5)], fps=30000 / 1001, tone_hz=None)
    info = probe(path)
    assert info.fps == pytest.approx(29.97, abs=0.01)
    reader, video, _ = decode_all(path)
    assert reader.end == pytest.approx(3.0, abs=0.05)


def test_audio_for_speech_is_laid_from_time_zero_and_streams(tmp_path):
    """A track that starts 0.5 s late gets silence before it; the pieces speech recognition
    streams are the whole track, end to end."""
    import subprocess

    path = tmp_path / "late.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=gray:s=64x64:r=25:d=3",
                    "-itsoffset", "0.5", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:d=2.5",
                    "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-c:a", "aac", str(path)], check=True)
    info = probe(path)
    pcm = decode_audio(info)
    pieces = list(audio_pieces(info))
    assert len(pieces) > 10 and np.array_equal(np.concatenate(pieces), pcm)
    rms = [float(np.sqrt(np.mean(pcm[i : i + 1600] ** 2))) for i in range(0, len(pcm) - 1600, 1600)]
    assert max(rms[:4]) < 1e-3  # 0 to 0.4 s: nothing yet
    assert min(rms[7:28]) > 0.05  # 0.7 to 2.8 s: the tone (amplitude 1/8: rms 0.088)
    assert abs(len(pcm) / 16_000 - 3.0) < 0.1
