"""Edit a take's closures without running the model: open one, seal one, move one.

Each edit changes the weights (T, K) only on the closure's frames and RAMP_S either side, and
returns the frames it may have changed, [lo, hi): never farther than EDIT_REACH_S from the
closure it edits, so re-keying those frames is all a correction needs.

- Open (delete): the frames are replaced by a straight blend between the poses just outside
  the ramps, then parted as core.rig.seal parts speech without a closure (the jaw at least
  PARTED_JAW, mouthClose and mouthPress faded out); any frame still closed is parted fully.
- Seal (add): the seal rule of core.rig.seal (lip openers faded, mouthClose matched to the jaw,
  the lips pressed) at full strength over the closure, with smooth ramps, and the jaw drawn
  towards a bilabial's (core.phones.visemes: 0.05) as the animator's dominance does.
- Move: open the old closure, seal one as long at the new place.
"""

import math
from collections.abc import Sequence

import numpy as np

from ..demohead.head import is_closed, lip_gap
from ..errors import LipSyncError
from ..rig.arkit import channel_index
from ..rig.seal import PRESS_AT_FULL_SEAL, apply_seal, part_lips

EDIT_REACH_S = 0.150  # a correction changes no frame farther than this from its closure
RAMP_S = 0.040  # the lips close and part over this long either side of a closure
ADDED_LENGTH_S = 0.080  # a closure added at a frame lasts this long (a typical p/b/m)
BILABIAL_JAW = 0.05  # the jaw of a sealed bilabial (core.phones.visemes: P, B, M)
JAW_PULL = 0.6  # how far a full seal draws the jaw there (the bilabial class's jaw dominance)


def ramp_frames(fps: float) -> int:
    """Frames of a closing or opening ramp at `fps` (at least one)."""
    return max(1, int(round(RAMP_S * fps)))


def reach_frames(fps: float) -> int:
    """Whole frames within EDIT_REACH_S of a closure at `fps`."""
    return int(math.floor(EDIT_REACH_S * fps + 1e-9))


def added_length(fps: float) -> int:
    """Frames of a closure added at one frame (at least one)."""
    return max(1, int(round(ADDED_LENGTH_S * fps)))


def _ramp(n: int, rising: bool) -> np.ndarray:
    """n smoothstep values strictly between 0 and 1, rising or falling."""
    x = np.arange(1, n + 1, dtype=np.float32) / (n + 1)
    x = x if rising else x[::-1]
    return x * x * (3.0 - 2.0 * x)


def _profile(start: int, stop: int, lo: int, hi: int, ramp: int) -> np.ndarray:
    """(hi - lo,) 1 on [start, stop), smoothstep ramps of `ramp` frames either side, else 0."""
    profile = np.zeros(hi - lo, np.float32)
    profile[start - lo : stop - lo] = 1.0
    before = _ramp(ramp, rising=True)[max(0, lo - (start - ramp)) :]
    profile[max(start - ramp, lo) - lo : start - lo] = before
    after = _ramp(ramp, rising=False)[: max(0, min(ramp, hi - stop))]
    profile[stop - lo : stop - lo + len(after)] = after
    return profile


def _check_span(start: int, stop: int, frame_count: int) -> None:
    if not 0 <= start < stop <= frame_count:
        raise LipSyncError(
            f"A closure must lie inside the take (frames 0-{frame_count - 1}), "
            f"not at {start}-{stop - 1}."
        )


def _edit_window(
    weights: np.ndarray, fps: float, start: int, stop: int
) -> tuple[np.ndarray, int, int, int]:
    """A float32 copy of weights, the ramp length and the frames [lo, hi) an edit rewrites."""
    _check_span(start, stop, len(weights))
    out = np.array(weights, np.float32)
    ramp = ramp_frames(fps)
    return out, ramp, max(0, start - ramp), min(len(out), stop + ramp)


def open_closure(
    weights: np.ndarray, channels: Sequence[str], fps: float, start: int, stop: int
) -> tuple[np.ndarray, int, int]:
    """Weights (T, K) with the lips apart on [start, stop); a new array, and [lo, hi)."""
    channels = tuple(channels)
    out, ramp, lo, hi = _edit_window(weights, fps, start, stop)
    left, right = lo - 1, hi  # the poses just outside the ramps
    if left < 0 and right >= len(out):
        base = np.zeros((hi - lo, out.shape[1]), np.float32)
    elif left < 0 or right >= len(out):
        base = np.repeat(out[right if left < 0 else left][None], hi - lo, axis=0)
    else:
        share = ((np.arange(lo, hi) - left) / (right - left)).astype(np.float32)[:, None]
        base = (1.0 - share) * out[left] + share * out[right]
    openness = _profile(start, stop, lo, hi, ramp)
    region = part_lips(base, openness, channels)
    still_closed = is_closed(lip_gap(region, channels))
    if still_closed.any():  # a blend of two poses may itself touch: part those fully
        region = np.where(
            still_closed[:, None], part_lips(region, np.ones(hi - lo, np.float32), channels), region
        )
    out[lo:hi] = region
    return out, lo, hi


def seal_span(
    weights: np.ndarray, channels: Sequence[str], fps: float, start: int, stop: int
) -> tuple[np.ndarray, int, int]:
    """Weights (T, K) with the lips sealed on [start, stop); a new array, and [lo, hi)."""
    channels = tuple(channels)
    out, ramp, lo, hi = _edit_window(weights, fps, start, stop)
    seal = _profile(start, stop, lo, hi, ramp)
    region = out[lo:hi].copy()
    index = channel_index(channels)
    if "jawOpen" in index:
        jaw = index["jawOpen"]
        pull = JAW_PULL * seal
        region[:, jaw] = (1.0 - pull) * region[:, jaw] + pull * BILABIAL_JAW
    out[lo:hi] = apply_seal(region, seal, PRESS_AT_FULL_SEAL * seal, channels)
    return out, lo, hi


def centred_span(frame: float, length: int, frame_count: int) -> tuple[int, int]:
    """[start, stop) of `length` frames centred on `frame`, kept inside the take."""
    length = max(1, min(int(length), frame_count))
    start = int(round(frame - 0.5 * (length - 1)))
    start = min(max(start, 0), frame_count - length)
    return start, start + length
