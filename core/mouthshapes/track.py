"""A take as a viseme track: one shape index per frame, stepped and held.

Every frame the continuous take seals (core.corrections.closure_list) shows the set's closed
shape (Rhubarb A, Oculus PP); the other frames take their shape from the pose or the aligned
text (core.mouthshapes.classify); then no shape is held for fewer than `min_hold` frames
(core.mouthshapes.holds), the sealed frames never giving way. `retrack_window` does the same for
a window of a track after a correction, leaving every frame outside it as it was.
"""

from collections.abc import Sequence

import numpy as np

from ..corrections.closure_list import sealed_frames
from ..phones.phone_set import Phone
from .classify import frame_shapes
from .holds import hold
from .shape_sets import VisemeSet

SEAL_CONTEXT_S = 1.0  # closures are found on this much more than a window, either side


def viseme_track(
    weights: np.ndarray,
    channels: Sequence[str],
    fps: float,
    vset: VisemeSet,
    min_hold: int = 1,
    phones: Sequence[Phone] = (),
) -> np.ndarray:
    """Shape index (T,) int32 per frame of weights (T, K) (see the module docstring)."""
    shapes = frame_shapes(weights, channels, vset, fps, phones)
    sealed = sealed_frames(weights, channels)
    shapes[sealed] = vset.index(vset.closed)
    return hold(shapes, sealed, min_hold)


def retrack_window(
    track: np.ndarray,
    weights: np.ndarray,
    channels: Sequence[str],
    fps: float,
    vset: VisemeSet,
    min_hold: int,
    lo: int,
    hi: int,
    phones: Sequence[Phone] = (),
) -> np.ndarray:
    """The track (T,) with frames [lo, hi) shaped again from weights (T, K); frames outside
    keep their shapes, and the runs across the window's edges still last `min_hold` frames
    (they continue into the window where they would be short). A new array."""
    count = len(track)
    lo, hi = max(0, lo), min(count, hi)
    out = np.array(track, np.int32)
    if hi <= lo:
        return out
    start, stop = lo, hi  # widened to the whole runs across the edges, which stay fixed
    while start > 0 and track[start - 1] == track[lo - 1]:
        start -= 1
    while stop < count and track[stop] == track[hi]:
        stop += 1
    margin = int(round(SEAL_CONTEXT_S * fps))
    first, last = max(0, start - margin), min(count, stop + margin)
    sealed = sealed_frames(weights[first:last], channels)[start - first : stop - first]
    shifted = [Phone(p.start_s - start / fps, p.end_s - start / fps, p.label) for p in phones]
    shapes = frame_shapes(weights[start:stop], channels, vset, fps, shifted)
    shapes[sealed] = vset.index(vset.closed)
    keep = sealed.copy()
    inside = slice(lo - start, hi - start)
    outside = np.ones(stop - start, bool)
    outside[inside] = False
    shapes[outside] = track[start:stop][outside]
    keep[outside] = True
    out[lo:hi] = hold(shapes, keep, min_hold)[inside]
    return out


def key_frames(track: np.ndarray) -> np.ndarray:
    """Frame indices (R,) where a stepped curve needs a key: the first frame and every change."""
    if len(track) == 0:
        return np.zeros(0, np.int64)
    return np.concatenate([[0], np.flatnonzero(np.diff(track)) + 1])
