"""Long recordings are transcribed a window at a time, cut where it is quiet."""

import numpy as np

from vidgist.speech.whisper import CUT_SEARCH, WINDOW, windows

RATE = 100  # samples per second: the arithmetic is the same at 16 kHz, the arrays are small


def spans(pieces):
    """(start, end) sample ranges of the windows, checking each holds the right samples."""
    whole = np.concatenate(pieces)
    out = []
    for start, pcm in windows(pieces, RATE):
        assert np.array_equal(pcm, whole[start : start + len(pcm)])
        out.append((start, start + len(pcm)))
    return out


def test_a_file_up_to_one_window_is_one_window():
    pcm = np.arange(int(WINDOW * RATE), dtype=np.float32)
    assert spans(np.array_split(pcm, 7)) == [(0, len(pcm))]


def test_long_audio_is_cut_in_its_quiet_moments_and_covered_whole():
    rng = np.random.default_rng(0)
    pcm = rng.normal(0, 0.3, int(3.5 * WINDOW * RATE)).astype(np.float32)
    # one quiet second inside each window's search range, at different depths into it
    quiet = [WINDOW - 50, 2 * WINDOW - 70, 3 * WINDOW - 90]
    for t in quiet:
        pcm[int(t * RATE) : int((t + 1) * RATE)] = 0.0
    found = spans(np.array_split(pcm, 1000))  # decoded pieces, as the stream hands them on
    assert found == spans([pcm])  # the same windows however the audio comes
    assert found[0][0] == 0 and found[-1][1] == len(pcm)
    assert all(a[1] == b[0] for a, b in zip(found, found[1:]))  # back to back, nothing lost
    assert all(end - start <= WINDOW * RATE for start, end in found)
    for (_, end), t in zip(found, quiet):
        assert t * RATE <= end <= (t + 1) * RATE, (end / RATE, t)
    assert all(end - start >= (WINDOW - CUT_SEARCH - 40) * RATE for start, end in found[:-1])
