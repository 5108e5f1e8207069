"""Ensemble smoothing and resampling of 100 fps model frames to any scene frame rate.

The model frames form a piecewise-linear curve (frame j at j / FRAME_RATE s, held flat past
both ends). The output at scene time t is the mean of that curve at t - delta, t and t + delta
(the paper's ensemble smoothing, delta = 1/60 s), or the curve at t alone without smoothing.
"""

import math

import numpy as np

from ..audio.prepare import SAMPLE_RATE
from .configs import FRAME_RATE

DELTA_S = 1.0 / 60.0


def scene_frame_count(n_samples: int, fps: float) -> int:
    """Number of scene frames k with k / fps inside a clip of n_samples samples."""
    return max(1, math.ceil(n_samples * fps / SAMPLE_RATE - 1e-9))


def offsets_s(smoothing: bool, delta_s: float = DELTA_S) -> tuple[float, ...]:
    """Time offsets averaged for each output frame."""
    return (-delta_s, 0.0, delta_s) if smoothing else (0.0,)


def positions(frame_indices: np.ndarray, fps: float, offset_s: float) -> np.ndarray:
    """Fractional 100 fps frame positions of scene frames k at k / fps + offset_s, (n,)."""
    return np.maximum((frame_indices / fps + offset_s) * FRAME_RATE, 0.0)


def interpolate(frames: np.ndarray, base: int, pos: np.ndarray, last: int) -> np.ndarray:
    """Linear interpolation of frames (n, K) holding frames base.. at positions pos (n_out,).

    Positions are clamped to [0, last]; `last` is the final frame index of the whole clip (or
    any upper bound the caller has ensured is not reached).
    """
    pos = np.minimum(pos, last)
    lower = np.floor(pos).astype(np.int64)
    frac = (pos - lower).astype(np.float32)[:, None]
    upper = np.minimum(lower + 1, last)
    return (1.0 - frac) * frames[lower - base] + frac * frames[upper - base]


def resample_frames(
    frames: np.ndarray,
    n_samples: int,
    fps: float,
    smoothing: bool = True,
    delta_s: float = DELTA_S,
) -> np.ndarray:
    """100 fps frames (T, K) of a clip -> scene-rate weights (scene_frame_count, K)."""
    k = np.arange(scene_frame_count(n_samples, fps), dtype=np.float64)
    offsets = offsets_s(smoothing, delta_s)
    total = sum(interpolate(frames, 0, positions(k, fps, o), len(frames) - 1) for o in offsets)
    return (total / np.float32(len(offsets))).astype(np.float32)
