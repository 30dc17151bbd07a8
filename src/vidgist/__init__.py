"""vidgist: the gist of a long video, offline, on a CPU."""

from .errors import InputError, OutputError, VidgistError
from .models import list_scorers
from .options import SummarizeOptions
from .pipeline import Summarizer, summarize
from .types import Analysis, Interval, Keyframe, MediaInfo, Shot, Summary
from .version import VERSION as __version__

__all__ = [
    "Analysis", "InputError", "Interval", "Keyframe", "MediaInfo", "OutputError", "Shot",
    "Summarizer", "Summary", "SummarizeOptions", "VidgistError", "list_scorers", "summarize",
    "__version__",
]
