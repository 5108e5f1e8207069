"""Fewer keys for long takes, opt-in: keep only the keys that linear interpolation between kept
keys cannot reproduce within a tolerance (in shape-key value, the 0..1 slider).

Why: Blender stores each key as a 72-byte BezTriple and its depsgraph holds a second, evaluated
copy of the Action, so keying every frame costs 144 bytes per frame and shape key whatever the
add-on does: one hour at 30 fps on 29 shape keys is 3.1 M keys, 430 MiB. Tolerance 0 (the
default) keeps every key. A kept key has the exact value; between kept keys the curve is the
straight line (the take's keys are linear), within the tolerance of every dropped value.

The reduction is greedy in one pass per curve ("swing door"): from the last kept key, the line
to a candidate end must pass within the tolerance of every value in between; the first end that
fails closes the segment at the key before it.
"""

import numpy as np


def reduce_keys(values: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices (n,) int32 of the keys to keep of `values` (T,), equally spaced in time, so that
    the line through consecutive kept keys is within `tolerance` of every value; the first and
    last keys are always kept and tolerance 0 keeps all."""
    count = len(values)
    if tolerance < 0:
        raise ValueError(f"key tolerance must be >= 0, got {tolerance}")
    if tolerance == 0 or count <= 2:
        return np.arange(count, dtype=np.int32)
    v = np.asarray(values, dtype=np.float64).tolist()  # Python floats: a fast scalar loop
    kept = [0]
    anchor, low, high = 0, -np.inf, np.inf  # slopes from the anchor that stay within tolerance
    j = 1
    while j < count:
        span = j - anchor
        slope = (v[j] - v[anchor]) / span
        if low <= slope <= high:  # the line anchor -> j passes every value in between
            low = max(low, (v[j] - tolerance - v[anchor]) / span)
            high = min(high, (v[j] + tolerance - v[anchor]) / span)
            j += 1
        else:  # j cannot end this segment: close it at j - 1 and start again from there
            anchor, low, high = j - 1, -np.inf, np.inf
            kept.append(anchor)
    if kept[-1] != count - 1:
        kept.append(count - 1)
    return np.asarray(kept, dtype=np.int32)


def max_error(values: np.ndarray, kept: np.ndarray) -> float:
    """Largest distance between `values` (T,) and the line through the kept keys (n,)."""
    line = np.interp(np.arange(len(values)), kept, np.asarray(values, np.float64)[kept])
    return float(np.max(np.abs(line - values))) if len(values) else 0.0
