"""Speech through `vidgist summarize`, on narrations generated with espeak-ng so the words and
the silences between sentences are known exactly: the transcript, cuts only in silences, the
text summary, chapters and subtitle files, Chinese, audio-only input, --speech fast|off."""

import json
import re
import shutil

import av
import jiwer
import pytest
from clips import make_narrated_clip
from conftest import run_cli

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")

ENGLISH = ["The weather today is sunny and warm.", "We walked along the river to the old bridge.",
           "In the afternoon we cooked dinner for our friends.", "After dinner everyone played music together.",
           "Tomorrow we will travel to the mountains by train.", "The journey takes about three hours."]
CHINESE = ["今天天气很好。", "我们去公园散步。", "下午我们在家里做饭。", "晚上一起看电影。"]


def words_only(text: str) -> str:
    return " ".join(re.sub(r"[^a-z' ]", " ", text.lower()).split())


def han_only(text: str) -> str:
    return re.sub(r"[^\u4e00-\u9fff]", "", text)


def in_silence(t: float, spans: list[tuple[float, float]], duration: float) -> bool:
    """Not inside any spoken sentence (the file's own ends count as silent)."""
    return t <= 0.05 or t >= duration - 0.05 or not any(a < t < b for a, b in spans)


def summarize(path, out, *args):
    proc = run_cli("summarize", path, "-o", out, "-q", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("narrated")
    spans = make_narrated_clip(folder / "talk.mp4", ENGLISH)
    return folder / "talk.mp4", spans, summarize(folder / "talk.mp4", folder / "out", "--ratio", "0.3"), folder / "out"


def test_transcript_is_what_was_said(narrated):
    _, spans, result, _ = narrated
    assert result["speech"]["language"] == "en" and result["speech"]["model"] == "whisper-base"
    said = " ".join(s["text"] for s in result["transcript"])
    assert jiwer.wer(words_only(" ".join(ENGLISH)), words_only(said)) <= 0.05  # measured: 0.0
    # one transcript sentence per spoken sentence, at its time (espeak's own silences between)
    assert len(result["transcript"]) == len(ENGLISH)
    for cue, (a, b) in zip(result["transcript"], spans):
        assert abs(cue["start"] - a) < 0.3 and abs(cue["end"] - b) < 0.3


def test_every_cut_of_the_highlight_falls_in_a_silence(narrated):
    """The scenes change every 3.7 s wherever the speech is; the summary still never starts or
    ends inside a sentence."""
    _, spans, result, _ = narrated
    duration = result["source"]["duration"]
    assert result["segments"]
    for seg in result["segments"]:
        for t in (seg["start"], seg["end"]):
            assert in_silence(t, spans, duration), (t, spans)


def test_text_summary_chapters_and_files(narrated):
    path, _, result, out = narrated
    transcript = {(s["start"], s["end"], s["text"]) for s in result["transcript"]}
    assert 1 <= len(result["summary_text"]) <= len(ENGLISH)
    assert all((s["start"], s["end"], s["text"]) in transcript for s in result["summary_text"])  # extractive
    assert result["chapters"][0]["start"] == 0 and result["chapters"][-1]["end"] == result["source"]["duration"]
    assert (out / "chapters.txt").read_text().startswith("0:00 ")
    srt = (out / "transcript.srt").read_text()
    assert srt.count(" --> ") == len(ENGLISH) and "00:00:00,600 --> " in srt  # first sentence at 0.6 s
    assert (out / "transcript.vtt").read_text().startswith("WEBVTT\n")
    lines = (out / "transcript.txt").read_text().splitlines()
    assert len(lines) == len(ENGLISH) and lines[0].startswith("[0:00] The weather")
    # the highlight's subtitles run on its own clock: none past its end
    summary_seconds = sum(s["end"] - s["start"] for s in result["segments"])
    ends = [int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
            for h, m, s, ms in re.findall(r"--> (\d+):(\d+):(\d+),(\d+)", (out / "summary.srt").read_text())]
    assert ends and max(ends) <= summary_seconds + 0.01
    page = (out / "summary.md").read_text()
    assert page.startswith("# talk.mp4") and all(s["text"] in page for s in result["summary_text"])
    with av.open(str(out / "summary.mp4")) as container:  # chapter marks in the highlight itself
        assert [c["metadata"]["title"] for c in container.chapters()]


def test_chinese_speech_runs_the_chinese_path(tmp_path):
    """espeak-ng's Mandarin (pinyin read with crude tones) is barely intelligible to Whisper base:
    it is detected as Thai, so the language is given; the character error rate was 0.55-1.0
    across speaking rates and audio paths when fed to faster-whisper directly, and 1.0 through
    the pipeline (romanised syllables, no characters). So this asserts what holds on such input:
    the run completes as Chinese, the transcript is the same on every run (seeded fallback
    sampling), and it never runs away (a hallucination loop made CER 3.1 and 4.2 before). The
    CER is printed; the summary of Chinese text is tested below from the known text."""
    make_narrated_clip(tmp_path / "zh.flac", CHINESE, voice="cmn-latn-pinyin", wpm=150)
    runs = [summarize(tmp_path / "zh.flac", tmp_path / f"out{k}", "--language", "zh", "--no-video", "--no-cache")
            for k in range(2)]
    heard = ["".join(s["text"] for s in r["transcript"]) for r in runs]
    error = jiwer.cer(han_only("".join(CHINESE)), han_only(heard[0]) or "-")
    print(f"Chinese CER {error:.3f}: {heard[0]}")
    assert runs[0]["speech"]["language"] == "zh" and heard[0] == heard[1]
    # one syllable a character: more words than twice the syllables said would be a runaway
    assert len(runs[0]["speech"]["words"]) <= 2 * len(han_only("".join(CHINESE)))


def test_chinese_text_summary_and_chapters(tmp_path):
    """The text path on Chinese: the known text with the times espeak-ng spoke it, as Whisper
    words would come (characters without spaces, no punctuation: the pauses split sentences)."""
    from clips import speak

    from vidgist.speech import Transcript
    from vidgist.text.gist import summarize_text
    from vidgist.types import Word

    _, spans = speak(CHINESE, "cmn-latn-pinyin", wpm=150)
    words = []
    for text, (a, b) in zip(CHINESE, spans):
        chars = han_only(text)
        step = (b - a) / len(chars)
        words += [Word(a + k * step, a + (k + 1) * step, text=c) for k, c in enumerate(chars)]
    text = summarize_text(Transcript("zh", words, "test"), [], [], spans[-1][1] + 1.0)
    assert [s.text for s in text.transcript] == [han_only(t) for t in CHINESE]
    assert text.language == "zh" and 1 <= len(text.summary) <= 3
    assert all(s in text.transcript for s in text.summary)
    assert text.chapters[0].title and all(han_only(c.title) for c in text.chapters)


def test_audio_only_gives_an_audio_highlight(tmp_path):
    spans = make_narrated_clip(tmp_path / "talk.flac", ENGLISH)
    result = summarize(tmp_path / "talk.flac", tmp_path / "out", "--ratio", "0.3")
    out = tmp_path / "out"
    assert result["outputs"]["audio"] == "summary.m4a" and not (out / "summary.mp4").exists()
    assert not (out / "storyboard.jpg").exists() and result["source"]["width"] == 0
    assert jiwer.wer(words_only(" ".join(ENGLISH)), words_only(" ".join(s["text"] for s in result["transcript"]))) <= 0.05
    duration = result["source"]["duration"]
    assert result["segments"] and all(in_silence(t, spans, duration) for s in result["segments"] for t in (s["start"], s["end"]))
    with av.open(str(out / "summary.m4a")) as container:
        assert not container.streams.video and container.streams.audio
        seconds = container.duration / 1_000_000
    assert abs(seconds - sum(s["end"] - s["start"] for s in result["segments"])) < 0.1


def test_fast_speech_and_speech_off(narrated, tmp_path):
    path = narrated[0]
    fast = summarize(path, tmp_path / "fast", "--speech", "fast", "--no-video", "--no-storyboard")
    assert fast["speech"]["model"] == "whisper-tiny.en"
    assert jiwer.wer(words_only(" ".join(ENGLISH)), words_only(" ".join(s["text"] for s in fast["transcript"]))) <= 0.1
    off = summarize(path, tmp_path / "off", "--speech", "off", "--no-video", "--no-storyboard")
    assert off["speech"] is None and off["transcript"] == [] and not (tmp_path / "off" / "transcript.srt").exists()


def test_fast_speech_refuses_chinese(tmp_path, narrated):
    proc = run_cli("summarize", narrated[0], "-o", tmp_path / "o", "--speech", "fast", "--language", "zh")
    assert proc.returncode == 2 and "transcribes only en" in proc.stderr
