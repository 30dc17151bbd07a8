"""From importance to a summary: the budget, summary units, scene coverage, knapsack, then
filling the slack.

How scenes, units and the budget interact: the budget is never less than one watchable piece
(MIN_PIECE, or the whole video when it is shorter). The units are the shots cut to at most
`unit_length`: the budget shared among the video's distinct scenes, within [MIN_PIECE, the
longest shot]. Then every scene gets a glimpse, coarse scenes before fine ones, while the
budget allows (the most scenes first), and the rest of the budget goes to the most valuable
units wherever they are. No unit or piece shorter than MIN_SEGMENT is ever taken, and none
that would start or end inside a word.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..models.base import shot_index
from ..speech.pauses import CutPoints
from ..types import Interval, Shot
from .knapsack import knapsack, knapsack_one_per_group

MAX_CELLS = 20_000  # knapsack capacity units; the unit grows past this so memory stays bounded
MIN_PIECE = 1.5  # seconds: the shortest piece worth watching; the least budget, the least unit
MIN_SEGMENT = 1.0  # seconds: no unit or piece shorter than this is taken (no flash cuts)
MIN_FILL = MIN_SEGMENT  # leftover budget smaller than this is left unused
# picks this close are played as one: a gap of a few frames (two units cut in the same pause,
# 83 ms apart on the bundled sample) shows as a jump of the picture, not as a cut
BRIDGE = 0.25
PIECE_SLACK = 1.5  # a scene's piece may run this many times its share of the budget (to reach a pause)
TALKS_THROUGHOUT = 0.75  # share of a video in speech from which its glimpses only cut in quiet pauses


def requested_budget(duration: float, ratio: float, seconds: float | None) -> float:
    """What the options ask for: a budget in seconds wins over a ratio; never more than the video."""
    return min(duration, seconds if seconds is not None else ratio * duration)


def budget_seconds(duration: float, ratio: float, seconds: float | None) -> float:
    """The budget the selection gets: the request, raised to one watchable piece (MIN_PIECE, or
    the whole video when it is shorter), because a summary too short to watch is no summary."""
    return min(duration, max(requested_budget(duration, ratio, seconds), MIN_PIECE))


def unit_length(budget: float, scenes: int, longest: float) -> float:
    """The longest summary unit: the budget shared by the scenes, so that each can have a piece
    (14 s over 5 scenes: 2.8 s), within [MIN_PIECE, longest]."""
    return float(np.clip(budget / max(1, scenes), MIN_PIECE, max(MIN_PIECE, longest)))


def split_shots(shots: list[Interval], length: float, scenes: np.ndarray | None = None) -> list[Interval]:
    """The summary units: the shots cut evenly into pieces of at most `length` seconds (none
    under MIN_PIECE unless the shot is), and any piece under MIN_SEGMENT joined to a neighbour,
    across its cut: a flash between two cuts is no unit of its own. It joins the neighbour of
    its own scene (scenes: (K,) per shot) where one is, else the shorter."""
    pieces, labels = [], []
    for s, label in zip(shots, np.zeros(len(shots), int) if scenes is None else scenes):
        n = max(1, min(math.ceil(s.duration / length - 1e-9), math.floor(s.duration / MIN_PIECE)))
        step = s.duration / n
        pieces += [Interval(s.start + k * step, s.end if k == n - 1 else s.start + (k + 1) * step) for k in range(n)]
        labels += [int(label)] * n
    while len(pieces) > 1:
        short = min(range(len(pieces)), key=lambda i: pieces[i].duration)
        if pieces[short].duration >= MIN_SEGMENT:
            break
        sides = [j for j in (short - 1, short + 1) if 0 <= j < len(pieces)]
        into = min([j for j in sides if labels[j] == labels[short]] or sides, key=lambda j: pieces[j].duration)
        a, b = sorted((short, into))
        pieces[a : b + 1], labels[a : b + 1] = [Interval(pieces[a].start, pieces[b].end)], [labels[into]]
    return pieces


def score_shots(shots: list[Interval], times: np.ndarray, scores: np.ndarray,
                scenes: np.ndarray | None = None) -> list[Shot]:
    """Each shot's score is the mean of its frames' scores (the nearest frame's if it has none);
    scenes: (K,) each shot's scene number, -1 for none."""
    of_shot = shot_index(times, shots) if len(times) else np.zeros(0, int)
    out = []
    for k, s in enumerate(shots):
        inside = scores[of_shot == k]
        if len(inside):
            value = float(inside.mean())
        elif len(times):
            value = float(scores[np.abs(times - (s.start + s.end) / 2).argmin()])
        else:
            value = 0.0
        out.append(Shot(s.start, s.end, value, -1 if scenes is None else int(scenes[k])))
    return out


def select(shots: list[Shot], times: np.ndarray, scores: np.ndarray, budget: float,
           unclean: list[int] | None = None, cut_points: CutPoints | None = None,
           value_seconds: float = math.inf, first: np.ndarray | None = None,
           cores: list[Interval] | None = None, coarser: list[np.ndarray] = (),
           spine: list[Shot] = (), spine_budget: float = math.inf,
           talks: np.ndarray | None = None) -> list[Interval]:
    """Sorted, non-overlapping segments of total length <= budget.

    A shot's value is score x length (importance per second times seconds), counting at most
    `value_seconds` of it. Shots under MIN_SEGMENT and shots with an end that would cut speech
    outside a pause (`unclean` > 0) are never taken. The budget is spent in turn on:

    1. the shots `first` marks (what a query asks for), an exact knapsack over them alone;
    2. the `spine`: the key sentences of the text summary (each placed with clean ends), most
       important first, each that fits whole in `spine_budget` seconds (what the budget leaves
       for them after glimpses of the scenes);
    3. every scene not shown yet, coarse ones first (`coarser`: coarse to fine, (n,) a scene
       number per shot, -1 for none), then the finest (`Shot.scene`): a glimpse of it, its best
       shot with both ends clean, or a shorter piece of one where they are all longer than the
       scene's share of the budget (a clause when a whole sentence does not fit); an exact
       knapsack taking at most one per scene, the most scenes first, then the best glimpses;
       at each coarser level (or the only one) first the scenes where nothing is said
       (`talks`: (n,) whether each shot has speech; the spine shows none of them), a glimpse
       no longer than its share;
    4. the most valuable other shots, an exact knapsack;
    5. the leftover, if any: the best part of the best unused shots.

    No two chosen pieces overlap.

    cut_points: where pieces may start and end without cutting a word; None: anywhere.
    cores: the part of each shot that shows its scene (a shot that speech joined across a
    scene change shows two), where a scene's piece is cut from; None: the whole shot.
    """
    if budget <= 0 or not shots:
        return []
    if budget >= shots[-1].end - shots[0].start - 1e-9:
        return merge(list(shots))  # everything fits: the whole video
    clean = np.asarray([not u for u in (unclean or [0] * len(shots))], bool)
    pick = _Picker(budget, value_seconds)
    pick.add(shots, np.arange(len(shots)), clean)
    n = len(shots)
    if first is not None:
        pick.spend(np.asarray(first, bool))
    scene_of_shot = np.asarray([s.scene for s in shots])
    quiet = set(scene_of_shot[scene_of_shot >= 0])  # scenes where nothing is said
    if talks is not None:
        quiet -= set(scene_of_shot[np.asarray(talks, bool)])
    pick.add(spine, shot_index(_middles(spine), shots), np.ones(len(spine), bool))
    for k in range(n, n + len(spine)):
        pick.take_joined(k, [j for j in pick.chosen if j >= n], reserve=max(0.0, budget - spine_budget))
    # a glimpse of each scene not shown yet: its share of the budget left
    unseen = set(scene_of_shot[scene_of_shot >= 0]) - set(scene_of_shot[pick.sources()])
    share = max(MIN_PIECE, pick.left() / max(1, len(unseen)))
    pieces, source = _scene_pieces(shots, cores or shots, clean, times, scores, share, cut_points, unseen)
    pick.add(pieces, np.asarray(source, int), np.ones(len(pieces), bool))
    # a glimpse is worth most at the scene's share: a longer one costs what the next scene may need
    glimpse = np.asarray([u.score * min(u.duration, share) * min(1.0, share / u.duration) for u in pick.units])
    fine = scene_of_shot[pick.source]
    levels = [np.asarray(c)[pick.source] for c in coarser if len(set(c) - {-1}) > 1] + [fine]
    # coarse to fine, the most scenes first; at each level but the finest (unless it is the only
    # one) first the scenes where nothing is said (the spine shows none of them), a glimpse of
    # each no longer than its share: at the finest, shades of one quiet scene would take the
    # place of another scene (realbench: a cartoon split in three took a talking scene's place)
    quiet_glimpse = np.isin(fine, list(quiet)) & np.asarray([u.duration <= share + 1e-6 for u in pick.units], bool)
    for k, level in enumerate(levels):
        quiet_first = k < len(levels) - 1 or len(levels) == 1
        for among in ((quiet_glimpse, fine >= 0) if quiet_first else (fine >= 0,)):  # fine >= 0: not a flash
            unseen_level = _unseen(level, pick.chosen)
            pick.spend((unseen_level >= 0) & among, groups=unseen_level, glimpse=glimpse)
    pick.spend(np.arange(len(pick.units)) < n)  # then value, among the shots
    picked = [Interval(pick.units[i].start, pick.units[i].end) for i in pick.chosen]
    rest = [s for s in shots if not any(_overlaps(s, p) for p in picked)]
    place = cut_points.place if cut_points is not None else None
    segments = merge(picked + _fill(rest, budget - sum(p.duration for p in picked), times, scores, place, picked))
    return bridged(segments, budget - sum(s.duration for s in segments))


class _Picker:
    """The units the budget may go to (the shots, and pieces of them that overlap them), the
    ones chosen, and the exact knapsacks that choose: no two chosen units overlap."""

    def __init__(self, budget: float, value_seconds: float):
        self.step = max(0.01, budget / MAX_CELLS)
        self.capacity = int(budget / self.step + 1e-9)
        self.value_seconds = value_seconds
        self.units: list[Shot] = []
        self.source = np.zeros(0, int)  # the shot each unit is (part of)
        self.usable = np.zeros(0, bool)
        self.chosen: list[int] = []

    def add(self, units, source: np.ndarray, usable: np.ndarray) -> None:
        self.units += list(units)
        self.source = np.concatenate([self.source, np.asarray(source, int)])
        long_enough = np.asarray([u.duration >= MIN_SEGMENT for u in units], bool)
        self.usable = np.concatenate([self.usable, np.asarray(usable, bool) & long_enough])

    def sources(self) -> np.ndarray:
        return self.source[self.chosen]

    def weights(self) -> np.ndarray:
        return np.asarray([math.ceil(u.duration / self.step - 1e-9) for u in self.units], int)

    def values(self) -> np.ndarray:
        return np.where(self.usable, [u.score * min(u.duration, self.value_seconds) for u in self.units], 0.0)

    def cells_left(self) -> int:
        """The knapsack cells (of `step` seconds) the chosen units leave."""
        return self.capacity - int(self.weights()[self.chosen].sum())

    def left(self) -> float:
        return self.cells_left() * self.step

    def free(self) -> np.ndarray:
        """The units that overlap nothing chosen so far."""
        starts, ends = np.asarray([u.start for u in self.units]), np.asarray([u.end for u in self.units])
        taken = np.zeros(len(self.units), bool)
        for i in self.chosen:
            taken |= (starts < self.units[i].end) & (self.units[i].start < ends)
        return ~taken

    def take_joined(self, k: int, joinable: list[int], reserve: float = 0.0) -> None:
        """Take unit k whole, joined with any of the chosen `joinable` units it overlaps (two
        sentences with no pause between them are shown as one piece), where that leaves
        `reserve` seconds; else leave it."""
        unit = self.units[k]
        overlapping = [j for j in self.chosen if _overlaps(self.units[j], unit)]
        if not self.usable[k] or any(j not in joinable for j in overlapping):
            return
        joined = Shot(min([unit.start, *(self.units[j].start for j in overlapping)]),
                      max([unit.end, *(self.units[j].end for j in overlapping)]), unit.score, unit.scene)
        if joined.duration - sum(self.units[j].duration for j in overlapping) <= self.left() - reserve + 1e-9:
            self.units[k] = joined
            self.chosen = [j for j in self.chosen if j not in overlapping] + [k]

    def spend(self, candidates: np.ndarray, groups: np.ndarray | None = None, glimpse: np.ndarray | None = None) -> None:
        """An exact knapsack over the candidates free to take, in the budget left; with groups,
        at most one per group: the most groups first (each is worth more than all values
        together), then the best glimpses."""
        values, weights = self.values(), self.weights()
        index = np.flatnonzero(np.resize(candidates, len(self.units)) & (values > 0) & self.free())
        left = self.cells_left()
        if groups is None:
            found = knapsack(values[index], weights[index], left)
        else:
            found = knapsack_one_per_group(1.0 + values.sum() + glimpse[index], weights[index], groups[index], left)
        self.chosen.extend(int(index[i]) for i in found)


def _scene_pieces(shots: list[Shot], cores: list[Interval], clean: np.ndarray, times: np.ndarray,
                  scores: np.ndarray, share: float, cut_points: CutPoints | None,
                  scenes: set[int]) -> tuple[list[Shot], list[int]]:
    """For each of the scenes whose clean shots are all longer than its share of the budget (a
    talking scene cut in sentences, a long take), a piece of about that share from the core of
    one of its shots, the best first, with clean ends; and the shot each piece came from. The
    shots stay candidates too."""
    out, source = [], []
    for scene in sorted(scenes):
        members = [k for k, s in enumerate(shots) if s.scene == scene and s.duration >= MIN_SEGMENT]
        if not members or any(clean[k] and shots[k].duration <= share + 1e-9 for k in members):
            continue
        for k in sorted(members, key=lambda k: -shots[k].score):
            core = Shot(cores[k].start, cores[k].end, shots[k].score, scene)
            piece = _piece_inside(core, share, times, scores, cut_points)
            if piece is not None:
                out.append(Shot(piece.start, piece.end, shots[k].score, scene))
                source.append(k)
                break
    return out, source


def _piece_inside(shot: Shot, share: float, times: np.ndarray, scores: np.ndarray,
                  cut_points: CutPoints | None) -> Interval | None:
    """A stretch of the shot MIN_SEGMENT to PIECE_SLACK x share long with clean ends: its best
    part of `share` seconds where that is clean (moved to pauses if need be), else the
    best-scoring stretch between clean cut points (or words, see below); None where speech
    allows none."""
    piece = _best_part(shot, min(share, shot.duration), times, scores)
    if cut_points is None:
        return piece
    longest = PIECE_SLACK * share
    placed = cut_points.place(piece)
    if placed is not None and shot.start <= placed.start and placed.end <= shot.end and placed.duration <= longest:
        return placed
    # a scene that talks without a quiet breath, among others that do not talk throughout,
    # gets a glimpse cut between two words rather than none (where the video is all talk,
    # its sentences lead and are never cut short)
    for between_words in (False, cut_points.speech_share() < TALKS_THROUGHOUT):
        points = cut_points.clean_points(shot, between_words)
        options = [Interval(a, b) for a in points for b in points if MIN_SEGMENT <= b - a <= longest]
        if options:
            return max(options, key=lambda iv: (_mean_score(iv, times, scores), -iv.duration))
    return None


def _mean_score(iv: Interval, times: np.ndarray, scores: np.ndarray) -> float:
    inside = (times >= iv.start) & (times < iv.end)
    return float(scores[inside].mean()) if inside.any() else 0.0


def _fill(shots: list[Shot], slack: float, times: np.ndarray, scores: np.ndarray,
          place: Callable[[Interval], Interval | None] | None, picked: list[Interval]) -> list[Interval]:
    """The leftover budget: the best part of the best shots, each where `place` accepts it."""
    out: list[Interval] = []
    refused = None  # the best piece `place` turned down: better than an empty summary
    for shot in sorted(shots, key=lambda s: -s.score):
        if slack < MIN_FILL:
            break
        if shot.duration < MIN_SEGMENT:
            continue
        piece = _best_part(shot, min(slack, shot.duration), times, scores)
        if place is not None:
            placed = place(piece)
            if placed is None or placed.duration > slack + 1e-9:
                refused = refused or piece
                continue
            piece = placed
        out.append(piece)
        slack -= piece.duration
    return out if out or picked or refused is None else [refused]


def _unseen(level: np.ndarray, chosen: list[int]) -> np.ndarray:
    """The level's scene numbers, -1 for the scenes the chosen units show already."""
    return np.where(np.isin(level, level[chosen]), -1, level) if chosen else level


def _middles(intervals) -> np.ndarray:
    return np.asarray([(iv.start + iv.end) / 2 for iv in intervals], float)


def _overlaps(a: Interval, b: Interval) -> bool:
    return a.start < b.end and b.start < a.end


def _best_part(shot: Shot, length: float, times: np.ndarray, scores: np.ndarray) -> Interval:
    """A `length`-second piece of the shot, centred on its highest-scoring frame."""
    inside = np.flatnonzero((times >= shot.start) & (times < shot.end))
    centre = float(times[inside[scores[inside].argmax()]]) if len(inside) else (shot.start + shot.end) / 2
    start = min(max(shot.start, centre - length / 2), shot.end - length)
    return Interval(start, start + length)


def bridged(segments: list[Interval], spare: float) -> list[Interval]:
    """Sorted disjoint segments with the gaps shorter than BRIDGE filled, the shortest first, as
    far as `spare` seconds of budget go."""
    gaps = sorted((b.start - a.end, a.end) for a, b in zip(segments, segments[1:]) if b.start - a.end < BRIDGE)
    fills = []
    for gap, at in gaps:
        if gap > spare:
            break
        spare -= gap
        fills.append(Interval(at, at + gap))
    return merge(segments + fills)


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sort, and join intervals that touch or overlap."""
    out: list[Interval] = []
    for iv in sorted(intervals, key=lambda iv: iv.start):
        if out and iv.start <= out[-1].end + 1e-6:
            out[-1] = Interval(out[-1].start, max(out[-1].end, iv.end))
        else:
            out.append(iv)
    return out
