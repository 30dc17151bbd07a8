"""Speech: the transcript with word times and language, and the pauses that make clean cut points."""

from .base import Transcriber, Transcript, check_speech, create_transcriber, speech_modes
from .pauses import CutPoints, find_pauses

__all__ = ["CutPoints", "Transcriber", "Transcript", "check_speech", "create_transcriber", "find_pauses", "speech_modes"]
