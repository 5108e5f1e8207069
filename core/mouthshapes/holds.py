"""Minimum holds: no mouth shape shown for fewer than `min_hold` frames.

Frames marked *kept* (the sealed p/b/m, and frames outside a window being redone) never change
their shape. Two passes:
1. A run holding kept frames that is shorter than the minimum grows into the frames beside it
   that are not kept, one frame right then one left, until it is long enough (it stops only at
   the clip's ends or at kept frames of another shape).
2. Every other run shorter than the minimum is absorbed by the run before it (the shape is
   held on), or by the one after it at the clip's start.
Only a kept run boxed in by the clip's ends or by other kept frames can stay short: a clip
shorter than the minimum, or a window whose outside is fixed.
"""

import numpy as np


def _grow_kept_runs(labels: np.ndarray, keep: np.ndarray, min_hold: int) -> None:
    """Pass 1, in place."""
    count, t = len(labels), 0
    while t < count:
        if not keep[t]:
            t += 1
            continue
        label, start, stop = labels[t], t, t
        while stop < count and keep[stop] and labels[stop] == label:
            stop += 1
        while stop - start < min_hold:
            grew = False
            if stop < count and not keep[stop]:
                labels[stop], keep[stop] = label, True
                stop += 1
                grew = True
            if stop - start < min_hold and start > 0 and not keep[start - 1]:
                start -= 1
                labels[start], keep[start] = label, True
                grew = True
            while stop < count and keep[stop] and labels[stop] == label:  # met its own shape
                stop += 1
            while start > 0 and keep[start - 1] and labels[start - 1] == label:
                start -= 1
            if not grew:
                break
        t = stop


def _runs(labels: np.ndarray, keep: np.ndarray) -> list[list]:
    """[label, length, holds a kept frame] per run of one shape."""
    if len(labels) == 0:
        return []
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], edges])
    stops = np.concatenate([edges, [len(labels)]])
    kept = np.add.reduceat(keep.astype(np.int64), starts) > 0
    return [
        [int(labels[a]), int(b - a), bool(k)]
        for a, b, k in zip(starts.tolist(), stops.tolist(), kept.tolist(), strict=True)
    ]


def hold(shapes: np.ndarray, keep: np.ndarray, min_hold: int) -> np.ndarray:
    """Shapes (T,) int with every run at least `min_hold` frames (see the module docstring);
    frames where keep (T,) bool is True keep their shape. A new array."""
    labels = np.array(shapes, np.int32)
    keep = np.array(keep, bool)
    if min_hold <= 1 or len(labels) == 0:
        return labels
    _grow_kept_runs(labels, keep, min_hold)
    result: list[list] = []
    carry = 0  # short runs at the clip's start, waiting for the first run that stays
    for label, length, kept in _runs(labels, keep):
        if length < min_hold and not kept:
            if result:
                result[-1][1] += length  # the shape before is held on
            else:
                carry += length
            continue
        length, carry = length + carry, 0
        if result and result[-1][0] == label:
            result[-1][1] += length
        else:
            result.append([label, length, kept])
    if carry:  # nothing stays: the whole clip is shorter than the minimum
        result.append([int(labels[0]), carry, False])
    return np.repeat(
        np.array([r[0] for r in result], np.int32), np.array([r[1] for r in result], np.int64)
    )


def run_lengths(labels: np.ndarray) -> np.ndarray:
    """Length (R,) of every run of one shape in labels (T,)."""
    if len(labels) == 0:
        return np.zeros(0, np.int64)
    edges = np.concatenate([[0], np.flatnonzero(np.diff(labels)) + 1, [len(labels)]])
    return np.diff(edges)
