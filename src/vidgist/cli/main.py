"""The `vidgist` command: a thin shell that parses, calls the library and reports.

Exit codes: 0 success; 1 internal error; 2 bad usage; 3 unreadable or unsupported input;
4 output cannot be written; 130 interrupted. With several inputs, each is summarized even if
another fails, and the exit code is that of the first failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..errors import VidgistError
from ..models import list_scorers
from ..options import SummarizeOptions
from ..pipeline import Summarizer
from ..render import summary_json
from ..speech import speech_modes
from ..version import VERSION
from . import bench, library, serve, train
from .progress import ProgressBars

EXIT_INTERNAL, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vidgist", description="The gist of a long video, offline.")
    parser.add_argument("--version", action="version", version=f"vidgist {VERSION}")
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("summarize", help="highlight video, storyboard and summary.json for each input")
    s.add_argument("inputs", nargs="+", type=Path, metavar="INPUT")
    s.add_argument("-o", "--output", type=Path, default=Path("vidgist-out"),
                   help="output folder (default: vidgist-out); with several inputs, one subfolder each")
    budget = s.add_mutually_exclusive_group()
    budget.add_argument("--ratio", type=float, default=0.15, help="summary length as a share of the video (0.15)")
    budget.add_argument("--duration", type=float, metavar="SECONDS", help="summary length in seconds")
    s.add_argument("--scorer", default="greedy", choices=list_scorers(), help="importance scorer (greedy)")
    s.add_argument("--checkpoint", type=Path, help="weights for a learned scorer (an .onnx from vidgist train)")
    s.add_argument("--speech", default="accurate", choices=[*speech_modes(), "off"],
                   help="speech recognition: accurate (Whisper base, any language; default), "
                        "fast (Whisper tiny.en, English only) or off")
    s.add_argument("--language", metavar="CODE", help="the spoken language (en, zh, ...); default: detected")
    s.add_argument("--no-ocr", action="store_true", help="do not read on-screen text")
    s.add_argument("--no-video", action="store_true", help="skip summary.mp4")
    s.add_argument("--max-height", type=int, metavar="PIXELS",
                   help="scale summary.mp4 down to at most this height; a taller source is then re-encoded "
                        "instead of copied (default: the source's size)")
    s.add_argument("--no-storyboard", action="store_true", help="skip storyboard.jpg and keyframes/")
    s.add_argument("--no-cache", action="store_true", help="neither read nor write the analysis cache")
    s.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    bench.add_parser(commands)
    train.add_parser(commands)
    serve.add_parser(commands)
    library.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("bench", "train", "serve", "index", "search"):
        commands = {"bench": bench, "train": train, "serve": serve, "index": library, "search": library}
        return _guarded(lambda: commands[args.command].run(args, parser))
    try:
        options = SummarizeOptions(ratio=args.ratio, duration=args.duration, scorer=args.scorer,
                                   checkpoint=args.checkpoint, speech=args.speech, language=args.language,
                                   ocr=not args.no_ocr,
                                   video=not args.no_video, storyboard=not args.no_storyboard,
                                   max_height=args.max_height,
                                   cache=not args.no_cache)
    except ValueError as e:
        parser.error(str(e))  # exits 2
    try:
        return _summarize_all(args, options)
    except KeyboardInterrupt:
        print("vidgist: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _guarded(command) -> int:
    """One line and an exit code for anything a command raises; the traceback only on request."""
    try:
        return command()
    except VidgistError as e:
        print(f"vidgist: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("vidgist: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:
        if os.environ.get("VIDGIST_DEBUG"):
            raise
        print(f"vidgist: internal error: {e!r} (set VIDGIST_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL


def _summarize_all(args, options: SummarizeOptions) -> int:
    outdirs = _output_folders(args.inputs, args.output)
    bars = ProgressBars(enabled=not args.quiet and sys.stderr.isatty())
    summarizer = Summarizer(options, bars.update)
    results, exit_code = [], 0
    for path, outdir in zip(args.inputs, outdirs):
        try:
            summary = summarizer.summarize(path, outdir)
            results.append(summary_json(summary) | {"outdir": str(outdir)})
            for warning in summary.analysis.warnings:
                print(f"vidgist: warning: {path}: {warning}", file=sys.stderr)
            if not args.json:
                print(f"{path}: {summary.duration:.1f} s of {summary.analysis.duration:.1f} s "
                      f"in {len(summary.segments)} segments -> {outdir}")
        except VidgistError as e:
            exit_code = exit_code or e.exit_code
            results.append({"input": str(path), "error": str(e), "exit_code": e.exit_code})
            print(f"vidgist: error: {e}", file=sys.stderr)
        except Exception as e:  # a bug: one line, and the traceback only on request
            exit_code = exit_code or EXIT_INTERNAL
            results.append({"input": str(path), "error": repr(e), "exit_code": EXIT_INTERNAL})
            print(f"vidgist: internal error on {path}: {e!r} (set VIDGIST_DEBUG=1 for details)", file=sys.stderr)
            if os.environ.get("VIDGIST_DEBUG"):
                raise
        finally:
            bars.close()
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results, indent=1))
    return exit_code


def _output_folders(inputs: list[Path], output: Path) -> list[Path]:
    """One input: the output folder itself. Several: a subfolder per input, named by its stem."""
    if len(inputs) == 1:
        return [output]
    seen: dict[str, int] = {}
    folders = []
    for path in inputs:
        stem = path.stem or "input"
        seen[stem] = seen.get(stem, 0) + 1
        folders.append(output / (stem if seen[stem] == 1 else f"{stem}_{seen[stem]}"))
    return folders


if __name__ == "__main__":
    sys.exit(main())
