"""Cut points in speech: pauses from word gaps and the level envelope, and the cutting rules."""

import numpy as np

from vidgist.speech.pauses import BREATH, FRAME, MAX_UNIT, find_pauses
from vidgist.types import Interval, Word

DURATION = 40.0


def level(loud: list[tuple[float, float]], music: list[tuple[float, float]] = ()) -> np.ndarray:
    """-60 dB silence, -20 dB where someone speaks, -22 dB where music plays."""
    db = np.full(int(DURATION / FRAME), -60.0, np.float32)
    for spans, value in ((music, -22.0), (loud, -20.0)):
        for a, b in spans:
            db[int(a / FRAME) : int(b / FRAME)] = value
    return db


# two sentences with a silence between them, then talk over music with only short word gaps
WORDS = [Word(1.0, 1.4, text=" One"), Word(1.45, 1.9, text=" two."), Word(2.6, 3.0, text=" Three"),
         Word(3.05, 3.5, text=" four."), Word(10.0, 10.5, text=" Over"), Word(10.8, 11.3, text=" music.")]
LOUD = [(w.start, w.end) for w in WORDS]


def test_quiet_pause_between_sentences_and_music_gap_is_not_quiet():
    cp = find_pauses(level(LOUD, music=[(9.0, 12.0)]), WORDS, DURATION, cuts=[])
    quiet = [(p.start, p.end) for p in cp.pauses if p.quiet]
    assert any(a <= 2.0 and b >= 2.5 for a, b in quiet)  # the silence after "two."
    gap = [p for p in cp.pauses if p.start >= 10.4 and p.end <= 10.9]
    assert gap and not gap[0].quiet  # a word gap over music: a pause, but not a quiet one
    assert not any(p.start < 1.45 < p.end for p in cp.pauses)  # 50 ms between words is no pause


def test_boundary_inside_a_word_moves_to_the_nearest_quiet_pause():
    cp = find_pauses(level(LOUD), WORDS, DURATION, cuts=[])
    t = cp.snap(1.6)  # inside "two."
    assert 1.9 <= t <= 2.6 and cp.is_clean(t)
    assert cp.snap(2.2) == 2.2  # already in the silence


def test_picture_cut_away_from_speech_is_clean_but_an_arbitrary_time_is_not():
    cp = find_pauses(level(LOUD, music=[(9.0, 40.0)]), WORDS, DURATION, cuts=[25.0])
    assert cp.is_clean(25.0) and not cp.is_clean(30.0)  # music, no cut in the picture at 30 s
    assert not cp.is_clean(10.6)  # in speech over music, no quiet pause there


def test_units_keep_clean_boundaries_and_drop_the_others_up_to_max_unit():
    cp = find_pauses(level(LOUD, music=[(12.0, 40.0)]), WORDS, DURATION, cuts=[25.0])
    shots = [Interval(a, b) for a, b in [(0, 1.6), (1.6, 25.0), (25.0, 30.0), (30.0, 40.0)]]
    units, unclean = cp.units(shots)
    starts = [u.start for u in units]
    assert 25.0 in starts  # a picture cut away from speech
    assert any(1.9 <= s <= 2.6 for s in starts)  # 1.6 (mid-word) snapped into the silence
    assert 30.0 not in starts  # not clean: the unit 25-40 (15 s) stays whole
    assert all(u.duration <= MAX_UNIT + 1e-9 or n == 0 for u, n in zip(units, unclean))
    assert units[0].start == 0 and units[-1].end == DURATION
    assert all(a.end == b.start for a, b in zip(units, units[1:]))


def test_place_refuses_a_piece_that_cannot_end_in_a_pause():
    cp = find_pauses(level(LOUD, music=[(9.0, 40.0)]), WORDS, DURATION, cuts=[])
    assert cp.place(Interval(10.1, 11.0)) is None  # both ends in speech over music
    placed = cp.place(Interval(1.2, 3.2))
    assert placed is not None and cp.is_clean(placed.start) and cp.is_clean(placed.end)


def test_without_speech_nothing_moves():
    cp = find_pauses(level([]), [], DURATION, cuts=[])
    shots = [Interval(0, 7.3), Interval(7.3, DURATION)]
    assert cp.units(shots) == (shots, [0, 0])
    assert cp.place(Interval(3.3, 5.1)) == Interval(3.3, 5.1)


def test_a_sentence_is_placed_whole_with_a_breath_of_its_pauses():
    cp = find_pauses(level(LOUD, music=[(9.0, 12.0)]), WORDS, DURATION, cuts=[])
    first = cp.around(Interval(1.0, 1.9))  # "One two.": silence before it and after it
    assert first is not None and first.start <= 1.0 and first.end >= 1.9
    assert abs(first.start - (1.0 - BREATH)) <= 0.05 and 1.9 < first.end <= 2.6  # a breath, not the next word
    assert cp.is_clean(first.start) and cp.is_clean(first.end)
    # "Over music.": no quiet pause, but the pauses between words over music still cut no word
    music = cp.around(Interval(10.0, 11.3))
    assert music is not None and 8.0 <= music.start <= 10.0 and 11.3 <= music.end <= 13.3
    # a sentence that runs on into the next with no pause near its end takes in the rest of
    # the run, to the pause after it, within reach; beyond reach it cannot be placed
    tight = [Word(1.0, 1.5, text=" On"), *(Word(1.5 + 0.3 * k, 1.8 + 0.3 * k, text=" and") for k in range(20))]
    cp = find_pauses(level([(1.0, 7.5)]), tight, DURATION, cuts=[])
    run = cp.around(Interval(1.0, 3.0))
    assert run is not None and 0.5 <= run.start < 1.0 and 7.5 < run.end <= 8.0
    assert cp.is_clean(run.start) and cp.is_clean(run.end)
    assert cp.around(Interval(1.0, 3.0), reach=3.0) is None
