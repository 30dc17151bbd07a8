"""Smart cut: the highlight copies the source's compressed video wherever it can.

Inside each segment the packets from its first IDR keyframe on are copied untouched; only the
head before that keyframe (the whole segment when it holds none) is decoded, from the keyframe
before it, and re-encoded. A copied run ends at a clean cut: a decode-order prefix whose frames
all display before every dropped frame, so no kept frame refers to or waits for a dropped one.
`cut_plan` finds these cuts from a packet scan alone (no decoding), so that the segments,
subtitles and chapters are timed exactly as rendered: a segment starts at the frame shown at its
planned start, or on a keyframe within SNAP of it, and ends a few frames from its planned end.

Joins are always IDR frames preceded in-band by the parameter sets they need: re-encoded pieces
carry their own under an id the source does not use, and each copied IDR gets the source's
(from its avcC, which stays the track's). Timestamps keep the source's frame spacing, so
variable-rate video passes through.

H.264 in MP4/MOV/MKV, progressive 8-bit 4:2:0, upright, kept at its size; anything else is
Refused and rendered by re-encoding.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from av.video.frame import PictureType

from ..types import Interval, MediaInfo

CONTAINERS = ("mov", "matroska")  # probe's names for MP4/MOV/M4V and MKV
PIXEL_FORMATS = ("yuv420p", "yuvj420p")
REORDER = 32  # packets: no frame displays before one this far behind it in decode order (DPB <= 16)
# Seconds a segment's start moves to land on a keyframe. Encoders put one at each cut, and the
# cut detector, which sees every second frame, places cuts up to 3 frames from it: on the
# 10-minute benchmark, where GOPs average 5.8 s, a start 1 frame before a keyframe otherwise
# decodes the whole GOP before it to re-encode that one frame.
SNAP = 0.15
SEEK_MARGIN = 1.0  # seconds before a segment to seek to; more when that lands after its start
# x264 for every re-encoded frame: the heads here, whole highlights in video.py. Re-encoding all
# of the bench highlight (90 s of 720p30; medians of 3 on 2 busy cores), veryfast took 40.7 s of
# CPU (29.3 s wall) for 10.9 MB, superfast 30.6 s (29.2 s) for 16.5 MB, ultrafast 25.0 s (18.7 s)
# for 31.0 MB. superfast grows the file by dropping macroblock-tree rate control; with it back
# on: 31.2 s (22.4 s) for 11.5 MB, superfast's speed at veryfast's size. ultrafast, faster
# still, nearly triples the file (no CABAC, no deblocking).
X264_OPTIONS = {"preset": "superfast", "crf": "23", "x264-params": "mbtree=1:rc-lookahead=10"}

NAL_SLICE, NAL_IDR, NAL_SEI, NAL_SPS, NAL_PPS, NAL_AUD = 1, 5, 6, 7, 8, 9


class Refused(Exception):
    """This source (or segment list) cannot be smart-cut: render it by re-encoding."""


@dataclass(frozen=True)
class Source:
    """Stream facts the cut and the join need, in the stream's own ticks."""

    time_base: Fraction
    origin: int  # ticks of time 0 of the source timeline (the container's start)
    frame: int  # ticks of one frame at the average rate: the last frame's length when unknown
    length_size: int  # bytes of each NAL unit's length prefix
    parameter_sets: bytes  # the avcC's SPS and PPS, length-prefixed: put before each copied IDR
    free_id: int  # an SPS and PPS id the source does not use: the re-encoded heads'
    profile_idc: int
    level_idc: int

    def ticks(self, seconds: float) -> int:
        return self.origin + round(Fraction(seconds) / self.time_base)

    def seconds(self, ticks: int) -> float:
        return float((ticks - self.origin) * self.time_base)


@dataclass(frozen=True)
class Cut:
    """How one segment is rendered: its window of packets (decode order, from the keyframe that
    demuxing after a seek to `seek` starts at) is decoded up to `copy` for the frames shown in
    [start, the copied IDR's pts), and packets [copy, stop) are copied. copy == stop: nothing is
    copied and the frames of [start, end) are all re-encoded."""

    seek: int
    pts: tuple[int, ...]  # of the window's packets
    start: int  # ticks: the first frame shown
    end: int  # ticks: the end of the last frame shown
    copy: int
    stop: int

    @property
    def head_end(self) -> int:
        return self.pts[self.copy] if self.copy < self.stop else self.end

    def head(self) -> list[int]:
        """pts of the re-encoded frames, in display order."""
        return sorted(p for p in self.pts[: self.copy] if self.start <= p < self.head_end)


@dataclass(frozen=True)
class Plan:
    """The cuts of every segment, and the output's timing."""

    source: Source
    cuts: list[Cut]

    @property
    def segments(self) -> list[Interval]:
        """The segments as rendered, in the source timeline."""
        return [Interval(self.source.seconds(c.start), self.source.seconds(c.end)) for c in self.cuts]

    def offsets(self) -> list[int]:
        """Each segment's start in the output, in ticks: back to back from 0."""
        return np.cumsum([0] + [c.end - c.start for c in self.cuts[:-1]]).tolist()

    def decode_times(self) -> list[int]:
        """Output dts of every packet in output order: the display times, sorted, moved back by
        the largest reordering, so they increase strictly and none follows its own pts."""
        order = []
        for cut, offset in zip(self.cuts, self.offsets()):
            shift = offset - cut.start
            order += [p + shift for p in cut.head()] + [p + shift for p in cut.pts[cut.copy : cut.stop]]
        ordered = np.sort(order)
        delay = int(np.max(ordered - np.asarray(order))) if order else 0
        return (ordered - delay).tolist()


def cut_plan(info: MediaInfo, segments: list[Interval], max_height: int | None = None,
             until: float | None = None) -> list[Interval]:
    """The segments as the highlight will render them (see the module docstring): each starts on
    the frame shown at its planned start (or a keyframe within SNAP of it) and ends at the clean
    cut nearest its planned end that neither overlaps the next segment nor passes `until`
    (seconds, where the readable video ends; None: its last packet). Unchanged for sources that
    are re-encoded."""
    try:
        return plan(info, segments, max_height, until).segments
    except (Refused, av.FFmpegError):
        return list(segments)


def plan(info: MediaInfo, segments: list[Interval], max_height: int | None = None,
         until: float | None = None) -> Plan:
    """Where each segment is cut, from a packet scan around it. Refused: re-encode instead."""
    if not segments:
        raise Refused("nothing to render")
    with opened(info, max_height) as (container, stream, source):
        windows = [_window(container, stream, source, source.ticks(s.start), source.ticks(s.end))
                   for s in segments]
        snap = round(Fraction(SNAP) / source.time_base)
        floors = [-1] + [source.ticks(s.end) for s in segments[:-1]]  # a start stays after the last end
        starts = [_start(w, source.ticks(s.start), snap, floor) for w, s, floor in zip(windows, segments, floors)]
        limits = starts[1:] + [None if until is None else source.ticks(until)]
        cuts: list[Cut] = []
        for i, (seg, limit) in enumerate(zip(segments, limits)):
            if cuts and seg.start <= segments[i - 1].end and cuts[-1].end < starts[i]:
                # segments planned back to back stay so: the one before ended at a clean cut
                # short of this start, so this one starts with the first frame it dropped
                starts[i] = cuts[-1].end
                if starts[i] < min(windows[i].pts):
                    windows[i] = _window(container, stream, source, starts[i], source.ticks(seg.end))
            cuts.append(_cut(windows[i], starts[i], source.ticks(seg.end), limit))
    for a, b in zip(cuts, cuts[1:]):
        if not (a.start < a.end <= b.start):
            raise Refused("segments overlap once cut on frames")
    if not cuts[-1].start < cuts[-1].end:
        raise Refused("an empty segment")
    return Plan(source, cuts)


@contextmanager
def opened(info: MediaInfo, max_height: int | None) -> Iterator[tuple]:
    """(input container, its video stream, Source); Refused unless the video can be copied."""
    if not info.has_video or info.video_codec != "h264" or info.container not in CONTAINERS:
        raise Refused(f"{info.video_codec or 'no video'} in {info.container}")
    if info.rotation % 360 or (max_height is not None and info.height > max_height):
        raise Refused("rotated or scaled")
    with av.open(str(info.path), metadata_errors="ignore") as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        if ctx.pix_fmt not in PIXEL_FORMATS:
            raise Refused(f"pixel format {ctx.pix_fmt}")
        if ctx.field_order > 1:  # interlaced: heads would be encoded as progressive frames
            raise Refused("interlaced")
        yield container, stream, _source(container, stream)


def _source(container, stream) -> Source:
    length_size, sps, pps = parse_avcc(bytes(stream.codec_context.extradata or b""))
    used = {_sps_id(s) for s in sps} | {_pps_id(p) for p in pps}
    free = [i for i in range(32) if i not in used]
    if not free:
        raise Refused("no parameter set id left")
    tb = stream.time_base
    rate = stream.average_rate or stream.guessed_rate or Fraction(25)
    return Source(time_base=tb, origin=round(Fraction(container.start_time or 0, av.time_base) / tb),
                  frame=max(1, round(1 / (rate * tb))), length_size=length_size,
                  parameter_sets=b"".join(_prefixed(n, length_size) for n in sps + pps), free_id=free[0],
                  profile_idc=sps[0][1], level_idc=sps[0][3])


# -- the scan -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    seek: int
    pts: tuple[int, ...]  # decode order, from a keyframe at or before the segment's start
    idr: tuple[bool, ...]
    eof: bool  # the window runs to the end of the stream
    stream_end: int  # ticks: the end of the last frame, when eof


def _window(container, stream, source: Source, start: int, end: int) -> Window:
    """The packets around [start, end): from a keyframe at or before start until a clean cut at
    or after end is certain, REORDER packets past it (or the end of the stream)."""
    margin = round(Fraction(SEEK_MARGIN) / source.time_base)
    for attempt in range(8):
        seek = start - margin * 4**attempt
        pts, idr, eof, end_tick = _read(container, stream, source, seek, end)
        if pts and (pts[0] <= start or seek <= 0):  # at the stream's start: nothing earlier to find
            return Window(seek, tuple(pts), tuple(idr), eof, end_tick)
    raise Refused("no keyframe before a segment")


def _read(container, stream, source: Source, seek: int, end: int):
    container.seek(max(seek, 0), stream=stream, backward=True)
    pts, idr, past, eof, stream_end = [], [], None, True, 0
    for packet in packets_from(container, stream):
        if packet.pts is None:
            raise Refused("a packet without a timestamp")
        if not pts and not packet.is_keyframe:
            raise Refused("seeking did not land on a keyframe")
        pts.append(packet.pts)
        idr.append(packet.is_keyframe and is_idr(bytes(packet), source.length_size))
        stream_end = max(stream_end, packet.pts + (packet.duration or source.frame))
        if past is None and packet.pts >= end:
            past = len(pts)
        if past is not None and len(pts) >= past + 3 * REORDER and _last_clean(pts, past) is not None:
            eof = False
            break
    return pts, idr, eof, stream_end


def packets_from(container, stream) -> Iterator:
    """The video packets from where the container was seeked to, demuxer flush packets left out."""
    for packet in container.demux(stream):
        if packet.size:
            yield packet


def _last_clean(pts: list[int], past: int) -> int | None:
    """Any clean cut at or after index past with REORDER packets known after it."""
    clean = _clean(np.asarray(pts), eof=False)
    found = np.flatnonzero(clean[past:])
    return int(found[0]) + past if len(found) else None


def _clean(pts: np.ndarray, eof: bool) -> np.ndarray:
    """clean[c]: cutting before packet c keeps frames that all display before every dropped one
    (judged on the next REORDER packets). Packet 0 is the keyframe decoding starts at, so c == 0
    is clean; c == len(pts) is at the end of the stream."""
    n = len(pts)
    before = np.maximum.accumulate(pts)  # before[c - 1]: latest pts among packets < c
    after = np.full(n + 1, np.iinfo(np.int64).max)
    for c in range(n):
        after[c] = pts[c : c + REORDER].min()
    clean = np.zeros(n + 1, bool)
    clean[0] = True
    clean[1:n] = before[:-1] < after[1:n]
    if not eof:  # the packets after the window are unknown: judge only those far enough from it
        clean[1:n] &= np.arange(1, n) + REORDER <= n
    clean[n] = eof
    return clean


def _start(window: Window, t: int, snap: int, floor: int) -> int:
    """Where a segment planned to start at t starts: on the nearest IDR within `snap` of t and
    after `floor` (the planned end of the segment before), whose segment is then copied from its
    first frame, else on the frame shown at t."""
    near = [p for p, idr in zip(window.pts, window.idr) if idr and abs(p - t) <= snap and p > floor]
    return min(near, key=lambda p: (abs(p - t), p)) if near else _shown_at(window.pts, t)


def _shown_at(pts: tuple[int, ...], t: int) -> int:
    """The frame shown at t: the latest one at or before it, or the first one."""
    shown = [p for p in pts if p <= t]
    return max(shown) if shown else min(pts)


def _cut(window: Window, start: int, end: int, limit: int | None) -> Cut:
    """Copy from the first clean IDR in [start, end) to the clean cut nearest end that keeps no
    frame from `limit` on (the next segment's start, or where the readable video ends); with no
    such IDR, re-encode the frames of [start, end)."""
    pts = np.asarray(window.pts)
    clean = _clean(pts, window.eof)
    n = len(pts)
    limit = np.iinfo(np.int64).max if limit is None else limit
    # where a cut before packet c ends the segment: the first dropped frame, or the stream's end
    ends = np.minimum(np.append([pts[c : c + REORDER].min() for c in range(n)], window.stream_end), limit)
    for k in np.flatnonzero(np.asarray(window.idr)):
        if start <= pts[k] < end and clean[k] and ends[k] == pts[k]:
            fits = [c for c in range(k + 1, n + 1) if clean[c] and pts[k:c].max() < limit]
            if fits:  # the nearest: the highlight's length stays close to its budget
                c = min(fits, key=lambda c: (abs(int(ends[c]) - end), c))
                return Cut(window.seek, window.pts, start, int(ends[c]), int(k), c)
            break
    later = pts[pts >= end]
    stop_at = min(int(later.min()) if len(later) else window.stream_end, limit)
    shown = np.flatnonzero(pts < stop_at)
    needed = int(shown.max()) + 1 if len(shown) else 0
    return Cut(window.seek, window.pts, start, stop_at, needed, needed)


# -- H.264 bitstream ------------------------------------------------------------------------

def parse_avcc(extradata: bytes) -> tuple[int, list[bytes], list[bytes]]:
    """(NAL length size, SPSs, PPSs) of an AVCDecoderConfigurationRecord."""
    if len(extradata) < 7 or extradata[0] != 1:
        raise Refused("no avcC")
    length_size = (extradata[4] & 3) + 1
    pos, sets = 5, []
    for mask in (0x1F, 0xFF):
        count, pos = extradata[pos] & mask, pos + 1
        group = []
        for _ in range(count):
            size = int.from_bytes(extradata[pos : pos + 2], "big")
            group.append(extradata[pos + 2 : pos + 2 + size])
            pos += 2 + size
        sets.append(group)
    if not sets[0] or not sets[1] or any(len(s) < 4 for s in sets[0]):
        raise Refused("avcC without parameter sets")
    return length_size, sets[0], sets[1]


def nals(data: bytes, length_size: int) -> Iterator[bytes]:
    """The NAL units of a length-prefixed packet."""
    pos = 0
    while pos + length_size <= len(data):
        size = int.from_bytes(data[pos : pos + length_size], "big")
        pos += length_size
        yield data[pos : pos + size]
        pos += size


def annexb_nals(data: bytes) -> list[bytes]:
    """The NAL units of an Annex B packet (start-code delimited)."""
    starts, pos = [], data.find(b"\x00\x00\x01")
    while pos >= 0:
        starts.append(pos + 3)
        pos = data.find(b"\x00\x00\x01", pos + 3)
    ends = [s - 3 for s in starts[1:]] + [len(data)]
    return [data[s:e].rstrip(b"\x00") for s, e in zip(starts, ends)]


def _prefixed(nal: bytes, length_size: int) -> bytes:
    if len(nal) >= 1 << (8 * length_size):
        raise Refused("a NAL unit too long for the track's length size")
    return len(nal).to_bytes(length_size, "big") + nal


def to_track(annexb: bytes, length_size: int) -> bytes:
    """An encoder's Annex B packet as the track's length-prefixed NAL units, without SEI
    (encoder banners) or access unit delimiters."""
    return b"".join(_prefixed(n, length_size) for n in annexb_nals(annexb)
                    if n and n[0] & 0x1F not in (NAL_SEI, NAL_AUD))


def with_parameter_sets(packet: bytes, source: Source) -> bytes:
    """A copied IDR packet with the source's SPS and PPS in front (after an AUD), unless it
    carries an SPS already."""
    units = list(nals(packet, source.length_size))
    if any(n and n[0] & 0x1F == NAL_SPS for n in units):
        return packet
    at = source.length_size + len(units[0]) if units and units[0] and units[0][0] & 0x1F == NAL_AUD else 0
    return packet[:at] + source.parameter_sets + packet[at:]


def is_idr(packet: bytes, length_size: int) -> bool:
    return any(n and n[0] & 0x1F == NAL_IDR for n in nals(packet, length_size))


def is_reference(packet: bytes, length_size: int) -> bool:
    """Whether some later frame may refer to this one (nal_ref_idc of its slices)."""
    return any(n and n[0] & 0x1F in (NAL_SLICE, NAL_IDR) and n[0] & 0x60 for n in nals(packet, length_size))


def parameter_set_ids(packet: bytes, length_size: int) -> set[tuple[int, int]]:
    """(NAL type, id) of the SPSs and PPSs a packet carries."""
    found = set()
    for n in nals(packet, length_size):
        if n and n[0] & 0x1F == NAL_SPS:
            found.add((NAL_SPS, _sps_id(n)))
        elif n and n[0] & 0x1F == NAL_PPS:
            found.add((NAL_PPS, _pps_id(n)))
    return found


def _sps_id(sps: bytes) -> int:
    return _exp_golomb(_rbsp(sps[4:]), 0)[0]  # after the header, profile, constraints, level


def _pps_id(pps: bytes) -> int:
    return _exp_golomb(_rbsp(pps[1:]), 0)[0]


def _rbsp(nal: bytes) -> bytes:
    return nal.replace(b"\x00\x00\x03", b"\x00\x00")


def _exp_golomb(data: bytes, bit: int) -> tuple[int, int]:
    """An unsigned Exp-Golomb value read at bit; (value, the bit after it)."""

    def at(i: int) -> int:
        if i >= 8 * len(data):
            raise Refused("a truncated parameter set")
        return data[i // 8] >> (7 - i % 8) & 1

    zeros = 0
    while not at(bit + zeros):
        zeros += 1
    value = 0
    for i in range(bit + zeros + 1, bit + 2 * zeros + 1):
        value = value << 1 | at(i)
    return (1 << zeros) - 1 + value, bit + 2 * zeros + 1


# -- the render -----------------------------------------------------------------------------

PROFILES = {66: "baseline", 77: "main", 100: "high"}  # profile_idc -> x264's profile


class CopiedVideo:
    """The highlight's video track, one segment at a time: re-encoded heads, copied runs."""

    def __init__(self, output, plan: Plan, info: MediaInfo):
        self.plan, self.source, self.output = plan, plan.source, output
        self.input = av.open(str(info.path), metadata_errors="ignore")
        self.stream = self.input.streams.video[0]
        self.track = output.add_stream_from_template(self.stream)
        self.track.time_base = self.source.time_base
        self.dts = iter(plan.decode_times())
        self.offsets = plan.offsets()
        self.copied = self.encoded = 0  # frames

    @property
    def edges(self) -> np.ndarray:
        """Each segment's start in the output, and the end of the last, in seconds."""
        ticks = self.offsets + [self.offsets[-1] + self.plan.cuts[-1].end - self.plan.cuts[-1].start]
        return np.asarray([float(t * self.source.time_base) for t in ticks])

    def write(self, k: int) -> None:
        cut, shift = self.plan.cuts[k], self.offsets[k] - self.plan.cuts[k].start
        head = _Head(self, cut, shift) if cut.head() else None
        self.input.seek(max(cut.seek, 0), stream=self.stream, backward=True)
        packets = packets_from(self.input, self.stream)
        for i in range(cut.stop):
            packet = next(packets, None)
            if packet is None or packet.pts != cut.pts[i]:
                raise Refused("the packets differ from the scan's")
            if i < cut.copy:
                if head:
                    head.feed(packet)
                continue
            if i == cut.copy and head:
                head.finish()
            self._copy(packet, shift)
        if head and cut.copy == cut.stop:
            head.finish()

    def finish(self) -> None:
        if next(self.dts, None) is not None:
            raise Refused("fewer packets written than planned")

    def close(self) -> None:
        self.input.close()

    def mux(self, packet: av.Packet, pts: int) -> None:
        packet.pts, packet.dts = pts, next(self.dts)
        packet.time_base, packet.stream = self.source.time_base, self.track
        self.output.mux(packet)

    def _copy(self, packet: av.Packet, shift: int) -> None:
        pts = packet.pts + shift
        if packet.is_keyframe and is_idr(data := bytes(packet), self.source.length_size):
            duration = packet.duration
            packet = av.Packet(with_parameter_sets(data, self.source))
            packet.is_keyframe, packet.duration = True, duration
        self.mux(packet, pts)
        self.copied += 1


class _Head:
    """A segment's frames before its copied IDR: decoded from the window's keyframe, encoded
    by a fresh x264 that starts on an IDR with its own parameter sets."""

    def __init__(self, video: CopiedVideo, cut: Cut, shift: int):
        self.video, self.cut, self.shift = video, cut, shift
        self.wanted = cut.head()
        self.done = 0  # of wanted, encoded
        source, stream = video.source, video.stream
        self.decoder = av.CodecContext.create(stream.codec_context.name, "r")
        self.decoder.extradata = stream.codec_context.extradata
        self.decoder.thread_type, self.decoder.thread_count = "AUTO", 0
        self.encoder = _encoder(stream, source)

    def feed(self, packet: av.Packet) -> None:
        # frames shown before the segment and referred to by none: not worth decoding
        if packet.pts < self.cut.start and not is_reference(bytes(packet), self.video.source.length_size):
            return
        for frame in self.decoder.decode(packet):
            self._encode(frame)

    def finish(self) -> None:
        for frame in self.decoder.decode(None):
            self._encode(frame)
        self._mux(self.encoder.encode(None))
        if self.done != len(self.wanted):
            raise Refused(f"decoded {self.done} of a head's {len(self.wanted)} frames")

    def _encode(self, frame: av.VideoFrame) -> None:
        if frame.pts is None or not self.cut.start <= frame.pts < self.cut.head_end:
            return
        frame.time_base, frame.pict_type = self.video.source.time_base, PictureType.NONE
        self._mux(self.encoder.encode(frame))

    def _mux(self, packets) -> None:
        for packet in packets:
            if self.done >= len(self.wanted) or packet.pts != self.wanted[self.done]:
                raise Refused("the encoder's frames differ from the head's")
            data = to_track(bytes(packet), self.video.source.length_size)
            if not self.done and parameter_set_ids(data, self.video.source.length_size) != {
                    (NAL_SPS, self.video.source.free_id), (NAL_PPS, self.video.source.free_id)}:
                raise Refused("the encoder's parameter sets are not the expected ones")
            out = av.Packet(data)
            out.is_keyframe, out.duration = packet.is_keyframe, packet.duration
            self.video.mux(out, packet.pts + self.shift)
            self.done += 1
            self.video.encoded += 1


def _encoder(stream, source: Source) -> av.VideoCodecContext:
    """x264 matching the source's picture (size, format, colour, aspect) and profile, without
    B-frames, its SPS and PPS in-band under source.free_id."""
    src = stream.codec_context
    enc = av.CodecContext.create("libx264", "w")
    enc.width, enc.height, enc.pix_fmt = src.width, src.height, src.pix_fmt
    enc.time_base = source.time_base
    enc.framerate = stream.average_rate or Fraction(1, source.frame * source.time_base)
    if src.sample_aspect_ratio:
        enc.sample_aspect_ratio = src.sample_aspect_ratio
    enc.color_range, enc.colorspace = src.color_range, src.colorspace
    enc.color_primaries, enc.color_trc = src.color_primaries, src.color_trc
    enc.max_b_frames = 0
    params = f"{X264_OPTIONS['x264-params']}:bframes=0:sps-id={source.free_id}"
    if source.level_idc >= 10:
        params += f":level={source.level_idc / 10:g}"
    enc.options = {**X264_OPTIONS, "x264-params": params}
    if profile := PROFILES.get(source.profile_idc):
        enc.options = {**enc.options, "profile": profile}
    return enc
