"""summary.md: the summary as a page to read: chapters, the sentences that carry the video
with their times, and the storyboard."""

from __future__ import annotations

from ..types import Summary, clock
from ..text.chapters import chapters_txt

SOURCE_LABEL = {"speech": "what is said", "screen": "what is shown and written", "labels": "what is shown"}


def summary_markdown(summary: Summary) -> str:
    a, text = summary.analysis, summary.text
    lines = [f"# {a.info.path.name}", "",
             f"{clock(a.duration)} long; the highlight keeps {clock(summary.duration)} "
             f"in {len(summary.segments)} segments."]
    if text and text.language:
        lines[-1] += f" Language: {text.language}."
    if text and text.summary:
        lines += ["", f"## Summary ({SOURCE_LABEL.get(text.source, text.source)})", ""]
        lines += [f"- **{clock(s.start)}** {s.text}" + (" ▶" if summary.in_highlight(s) else "") for s in text.summary]
        if summary.segments and any(summary.in_highlight(s) for s in text.summary):
            lines += ["", "▶ said in the highlight video."]
    if text and text.chapters and (len(text.chapters) > 1 or text.chapters[0].title):
        lines += ["", "## Chapters", ""]
        lines += [f"- {line}" for line in chapters_txt(text.chapters).splitlines()]
    if "storyboard" in summary.outputs:
        lines += ["", "## Storyboard", "", f"![storyboard]({summary.outputs['storyboard']})"]
    if "transcript" in summary.outputs:
        lines += ["", f"Full transcript: [{summary.outputs['transcript']}]({summary.outputs['transcript']})"]
    return "\n".join(lines) + "\n"
