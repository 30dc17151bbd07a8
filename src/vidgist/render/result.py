"""summary.json: the contract other tools rely on (schema vidgist.summary/1, see README)."""

from __future__ import annotations

from ..speech import CutPoints, Transcript
from ..types import Summary

SCHEMA = "vidgist.summary/1"


def _r(x: float) -> float:
    return round(float(x), 3)


def _speech(transcript: Transcript | None, cut_points: CutPoints | None) -> dict | None:
    """What speech recognition found, where speech is and where it pauses: null with speech off."""
    if transcript is None:
        return None
    return {"language": transcript.language, "model": transcript.model,
            "words": [w.to_json() for w in transcript.words],
            "regions": [s.to_json() for s in cut_points.spans] if cut_points else [],
            "pauses": [p.to_json() | {"quiet": p.quiet} for p in cut_points.pauses] if cut_points else []}


def summary_json(summary: Summary) -> dict:
    a, text = summary.analysis, summary.text
    return {
        "schema": SCHEMA,
        "source": {
            "path": str(a.info.path),
            "duration": _r(a.duration),
            "fps": _r(a.info.fps),
            "width": a.info.width,
            "height": a.info.height,
            "rotation": a.info.rotation,
            "has_audio": a.info.has_audio,
            "container": a.info.container,
            "video_codec": a.info.video_codec,
        },
        "settings": summary.settings,
        "budget": _r(summary.budget),
        "budget_requested": _r(summary.budget if summary.requested_budget is None else summary.requested_budget),
        "cuts": [_r(c) for c in a.cuts],
        "shots": [s.to_json() for s in summary.shots],
        "frames": {
            "times": [_r(t) for t in a.times],
            "scores": [round(float(s), 4) for s in a.scores],
            "loudness_db": [round(float(v), 1) for v in a.loudness],
        },
        "segments": [s.to_json() for s in summary.segments],
        "keyframes": [k.to_json() for k in summary.keyframes],
        "speech": _speech(a.transcript, a.cut_points),
        "transcript": [s.to_json() for s in text.transcript] if text else [],
        "summary_text": [s.to_json() | {"in_highlight": summary.in_highlight(s)} for s in text.summary] if text else [],
        "chapters": [c.to_json() for c in text.chapters] if text else [],
        "screen_text": [s.to_json() for s in a.screen],
        "labels": [s.to_json() for s in a.labels],
        "outputs": summary.outputs,
        "warnings": a.warnings,
        "timings": {k: round(v, 3) for k, v in summary.timings.items()},
    }
