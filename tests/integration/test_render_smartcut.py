"""The highlight's smart cut on sources whose every frame says its number.

Each source frame shows its frame number as a row of black and white squares, and the audio
beeps at every tenth frame; B-frames are on and keyframes come every 24 frames. Reading the
numbers back from the output proves which source frames it shows, in which order, when; the
beeps prove the audio keeps to them.
"""

import json
import subprocess
from pathlib import Path

import av
import av.logging
import numpy as np
import pytest

from vidgist import summarize
from vidgist.media.probe import probe
from vidgist.render import smartcut
from vidgist.render.video import render_video
from vidgist.types import Chapter, Interval

FPS = 25
SECONDS = 10
SIZE = (256, 144)
BITS, SQUARE = 12, 16  # the frame number: BITS squares of SQUARE pixels along the top
BEEP_EVERY = 10  # frames; each beep lasts 30 ms
KEYINT = 24  # keyframes at 0, 0.96, 1.92, ... s
# starts more than smartcut.SNAP from a keyframe, but the first
SEGMENTS = [
    Interval(0.0, 0.5),  # starts on the first keyframe: nothing re-encoded
    Interval(1.3, 4.3),  # starts mid-GOP, spans several GOPs
    Interval(5.0, 5.7),  # no keyframe inside: re-encoded whole
    Interval(6.01, 7.5),  # a keyframe inside, a short head
    Interval(8.85, 10.0),  # to the end of the file
]
CHAPTERS = [Chapter(0.0, 2.0, title="one"), Chapter(2.0, 6.0, title="two")]

MARKER = (f"if(lt(Y,{SQUARE}),if(lt(X,{BITS * SQUARE}),255*mod(floor(N/pow(2,floor(X/{SQUARE}))),2),128),"
          "128+80*sin(X/7+N/4)*cos(Y/9-N/6))")  # below the number: moving texture, so frames differ
X264 = ["-c:v", "libx264", "-preset", "veryfast",
        "-x264-params", f"keyint={KEYINT}:min-keyint={KEYINT}:scenecut=0:bframes=3:b-pyramid=normal"]


def make_source(path: Path, video_args: list[str], vfr: bool = False) -> Path:
    vf, timing = f"geq=lum='{MARKER}':cb=128:cr=128", []
    if vfr:  # frames move by up to 12 ms from the 25 fps grid
        vf += ",settb=1/90000,setpts='(N/25+0.012*sin(N*1.7))/TB'"
        timing = ["-enc_time_base:v", "1/90000"]
    beep = f"0.5*sin(2*PI*1000*t)*lt(mod(t,{BEEP_EVERY / FPS}),0.03)"
    subprocess.run(["ffmpeg", "-v", "error", "-y",
                    "-f", "lavfi", "-i", f"color=c=gray:s={SIZE[0]}x{SIZE[1]}:r={FPS}:d={SECONDS}",
                    "-f", "lavfi", "-i", f"aevalsrc='{beep}':s=48000:c=stereo:d={SECONDS}",
                    "-vf", vf, "-fps_mode", "passthrough", *timing, *video_args, "-c:a", "aac", str(path)],
                   check=True)
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("smartcut")
    return {
        "mp4": make_source(folder / "cfr.mp4", X264),
        "mkv": make_source(folder / "cfr.mkv", X264),
        "vfr": make_source(folder / "vfr.mp4", X264, vfr=True),
        "mpeg4": make_source(folder / "mpeg4.mp4", ["-c:v", "mpeg4", "-q:v", "3", "-bf", "2", "-g", str(KEYINT)]),
    }


def numbers(frame: av.VideoFrame, scale: float = 1.0) -> int:
    """The frame number its squares say."""
    grey = frame.to_ndarray(format="gray")
    centre = lambda b: grey[int(SQUARE * scale / 2), int((b + 0.5) * SQUARE * scale)]
    return sum(1 << b for b in range(BITS) if centre(b) > 128)


def decoded(path: Path, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(frame times, frame numbers, decoder errors) of a file's video."""
    times, marks, errors = [], [], []
    level = av.logging.get_level()
    av.logging.set_level(av.logging.ERROR)  # PyAV passes on no messages unless asked
    try:
        with av.logging.Capture() as logs, av.open(str(path)) as container:
            for packet in container.demux(video=0):
                try:
                    frames = packet.decode()
                except av.FFmpegError as e:
                    errors.append(str(e))
                    continue
                for frame in frames:
                    times.append(frame.time)
                    marks.append(numbers(frame, scale))
    finally:
        av.logging.set_level(level)
    errors += [message for lvl, _, message in logs if lvl <= av.logging.ERROR]
    return np.asarray(times), np.asarray(marks), errors


def source_times(path: Path) -> dict[int, float]:
    """Each source frame's time, by its number."""
    times, marks, errors = decoded(path)
    assert not errors and list(marks) == list(range(len(marks)))
    return dict(zip(marks.tolist(), times.tolist()))


def ffmpeg_errors(path: Path) -> str:
    # frames keep their own times: re-timed to a rate, variable-rate video makes the null muxer complain
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-fps_mode", "passthrough",
                           "-enc_time_base:v", "-1", "-f", "null", "-"], capture_output=True, text=True).stderr


def beep_onsets(path: Path) -> np.ndarray:
    """Output times (s) where a beep starts after at least 10 ms of silence."""
    with av.open(str(path)) as container:
        start, pcm = None, []
        for frame in container.decode(audio=0):
            start = frame.time if start is None else start
            pcm.append(frame.to_ndarray().mean(axis=0))
    pcm = np.concatenate(pcm)
    loud = np.flatnonzero(np.abs(pcm) > 0.1)
    return start + loud[np.diff(loud, prepend=-(10**9)) > 480] / 48_000


def check_audio_follows_video(path: Path, times: np.ndarray, marks: np.ndarray, src: dict[int, float],
                              joins: np.ndarray) -> None:
    """Each beep plays within one frame of the source frame it was made with."""
    checked = 0
    for onset in beep_onsets(path):
        if np.any((onset >= joins - 1e-3) & (onset < joins + 0.06)):
            continue  # a segment starting mid-beep fades it in: not a beep's start
        k = max(0, int(np.searchsorted(times, onset + 1e-6)) - 1)
        source_time = src[int(marks[k])] + onset - times[k]  # where this sound is in the source
        beat = BEEP_EVERY / FPS
        assert abs(source_time - round(source_time / beat) * beat) <= 1 / FPS, (onset, source_time)
        checked += 1
    assert checked >= 10


def check_packet_timing(path: Path) -> None:
    with av.open(str(path)) as container:
        packets = [p for p in container.demux(video=0) if p.size]
    dts = [p.dts for p in packets]
    assert all(b > a for a, b in zip(dts, dts[1:])), "dts must increase strictly"
    assert all(p.pts >= p.dts for p in packets)


@pytest.mark.parametrize("kind", ["mp4", "mkv", "vfr"])
def test_smart_cut_copies_and_shows_every_frame_once(sources, tmp_path, kind):
    source = sources[kind]
    info = probe(source)
    src = source_times(source)
    spacing = np.diff(sorted(src.values()))
    assert (spacing.max() - spacing.min() > 0.01) == (kind == "vfr")
    cut = smartcut.cut_plan(info, SEGMENTS)
    plan = smartcut.plan(info, SEGMENTS)
    assert cut == plan.segments and smartcut.cut_plan(info, cut) == cut  # cutting again changes nothing
    for planned, rendered in zip(SEGMENTS, cut):  # starts on the frame shown, ends a few frames off
        assert planned.start - 1 / FPS < rendered.start <= max(planned.start, src[0])
        assert abs(rendered.end - planned.end) <= 4 / FPS
    copies = [c.stop - c.copy for c in plan.cuts]
    assert not plan.cuts[0].head() and copies[0] > 0
    assert copies[1] > 2 * KEYINT and copies[2] == 0 and copies[3] > 0 and copies[4] > 0

    out = tmp_path / "summary.mp4"
    result = render_video(info, SEGMENTS, out, chapters=CHAPTERS)
    assert result.segments == cut
    assert result.frames_copied == sum(copies) and result.frames_encoded > 0

    times, marks, errors = decoded(out)
    assert errors == [] and ffmpeg_errors(out) == ""
    check_packet_timing(out)
    # every source frame of every segment, once, in order, at its own time within its segment
    offset, expected_marks, expected_times, joins = 0.0, [], [], []
    for seg in cut:
        shown = [n for n, t in src.items() if seg.start - 1e-4 <= t < seg.end - 1e-4]
        expected_marks += shown
        expected_times += [offset + src[n] - seg.start for n in shown]
        joins.append(offset)
        offset += seg.duration
    assert marks.tolist() == expected_marks
    assert np.allclose(times, expected_times, atol=1e-3)
    check_audio_follows_video(out, times, marks, src, np.asarray(joins))
    with av.open(str(out)) as container:
        assert [c["metadata"]["title"] for c in container.chapters()] == ["one", "two"]
        assert abs(container.streams.audio[0].duration * container.streams.audio[0].time_base - offset) < 0.03
        assert bytes(container.streams.video[0].codec_context.extradata) == \
            bytes(av.open(str(source)).streams.video[0].codec_context.extradata)


@pytest.mark.parametrize("kind, max_height", [("mpeg4", None), ("mp4", 72)])
def test_other_sources_are_re_encoded_on_the_same_terms(sources, tmp_path, kind, max_height):
    """mpeg4 cannot be copied, a smaller size cannot either: the re-encoding path, frame-exact too."""
    source = sources[kind]
    info = probe(source)
    src = source_times(source)
    assert smartcut.cut_plan(info, SEGMENTS, max_height) == SEGMENTS
    out = tmp_path / "summary.mp4"
    result = render_video(info, SEGMENTS, out, max_height=max_height, chapters=CHAPTERS)
    assert result.frames_copied == 0 and result.segments == SEGMENTS
    scale = (max_height or SIZE[1]) / SIZE[1]
    times, marks, errors = decoded(out, scale)
    assert errors == [] and ffmpeg_errors(out) == ""
    with av.open(str(out)) as container:
        assert container.streams.video[0].codec_context.height == (max_height or SIZE[1])
    edges = np.round(np.cumsum([0.0] + [s.duration for s in SEGMENTS]) * FPS).astype(int)
    expected, last = [], SECONDS * FPS - 1
    for seg, count in zip(SEGMENTS, np.diff(edges)):
        first = int(np.ceil(seg.start * FPS - 1e-6))  # the segment's first frame, then one per tick
        expected += [min(n, last) for n in range(first, first + count)]  # the last one held at the end
    assert marks.tolist() == expected
    assert np.allclose(times, np.arange(len(times)) / FPS, atol=1e-3)
    check_audio_follows_video(out, times, marks, src, edges[:-1] / FPS)


def test_a_failing_copy_falls_back_to_a_whole_re_encode(sources, tmp_path, monkeypatch):
    source = sources["mp4"]

    def broken(self, k):
        raise av.InvalidDataError(1094995529, "broken on purpose")

    monkeypatch.setattr(smartcut.CopiedVideo, "write", broken)
    out = tmp_path / "summary.mp4"
    result = render_video(probe(source), SEGMENTS, out)
    assert result.frames_copied == 0 and result.frames_encoded > 0
    _, marks, errors = decoded(out)
    assert errors == [] and len(marks) == result.frames_encoded


def test_summary_json_times_the_segments_as_rendered(sources, tmp_path):
    out = tmp_path / "out"
    summarize(sources["mp4"], out, duration=4, speech="off", ocr=False, storyboard=False)
    result = json.loads((out / "summary.json").read_text())
    src = source_times(sources["mp4"])
    times, marks, errors = decoded(out / "summary.mp4")
    assert errors == []
    shown = []
    for seg in result["segments"]:
        assert abs(seg["start"] * FPS - round(seg["start"] * FPS)) < 0.03  # on frames
        shown += [n for n, t in src.items() if seg["start"] - 2e-3 <= t < seg["end"] - 2e-3]
    assert marks.tolist() == shown
    assert result["settings"]["max_height"] is None


def test_a_start_near_a_keyframe_moves_onto_it(sources):
    """A planned start up to SNAP before or after a keyframe (the cut detector's few frames off
    an encoder's cut) starts on the keyframe, and its segment is copied from its first frame."""
    info = probe(sources["mp4"])
    planned = [Interval(1.92 - 0.1, 2.5), Interval(3.84 + 0.12, 4.5), Interval(6.3, 7.0)]
    plan = smartcut.plan(info, planned)
    starts = [round(s.start, 3) for s in plan.segments]
    assert starts[:2] == [1.92, 3.84] and abs(starts[2] - 6.3) < 1 / FPS  # 6.3: 0.54 s from any
    assert [bool(c.head()) for c in plan.cuts] == [False, False, True]


@pytest.mark.parametrize("kind", ["mp4", "vfr"])
def test_segments_planned_back_to_back_stay_back_to_back(sources, tmp_path, kind):
    """A copied run ends at a clean cut a frame or two short of its planned end; the segment
    after it then starts on the first frame left out, so no frame of the source goes missing."""
    source = sources[kind]
    info = probe(source)
    src = source_times(source)
    planned = [Interval(1.3, 2.5), Interval(2.5, 4.1), Interval(4.1, 4.9), Interval(6.0, 7.0)]
    cut = smartcut.cut_plan(info, planned)
    assert cut[0].end == cut[1].start and cut[1].end == cut[2].start and cut[2].end < cut[3].start
    out = tmp_path / "summary.mp4"
    render_video(info, planned, out)
    _, marks, errors = decoded(out)
    first = min(n for n, t in src.items() if t >= cut[0].start - 1e-4)
    last = max(n for n, t in src.items() if t < cut[2].end - 1e-4)
    assert errors == [] and marks.tolist()[: last - first + 1] == list(range(first, last + 1))
