"""Animator controls on predicted channel weights before keying: strength and lip-close bias.

Both act on ARKit channel weights (T, K) and return a new float32 array; the Animation's own
weights are never changed.
"""

import numpy as np

from .seal import lip_opener_columns


def apply_strength(weights: np.ndarray, strength: float) -> np.ndarray:
    """Scale every channel weight (T, K) by `strength` (1 = as predicted), clipped to 0..1."""
    return np.clip(np.asarray(weights, dtype=np.float32) * float(strength), 0.0, 1.0)


def apply_close_bias(
    weights: np.ndarray, channel_names: list[str] | tuple[str, ...], bias: float
) -> np.ndarray:
    """Bias (0..1) the lips toward closing: lip-opening channels below `bias` become 0, the rest
    are rescaled so a full opening stays full: w' = max(0, w - bias) / (1 - bias). mouthClose is
    then capped at the new jawOpen (ARKit's mouthClose is relative to the open jaw)."""
    bias = float(bias)
    if not 0.0 <= bias < 1.0:
        raise ValueError(f"close bias must be in [0, 1), got {bias}")
    out = np.array(weights, dtype=np.float32, copy=True)
    if bias == 0.0:
        return out
    index = {name: i for i, name in enumerate(channel_names)}
    # the lips' openers and the jaw drop: the bias collapses their small values
    opening = lip_opener_columns(tuple(channel_names))
    opening += [index["jawOpen"]] if "jawOpen" in index else []
    for k in opening:
        out[:, k] = np.maximum(out[:, k] - bias, 0.0) / (1.0 - bias)
    if "mouthClose" in index and "jawOpen" in index:
        close, jaw = index["mouthClose"], index["jawOpen"]
        out[:, close] = np.minimum(out[:, close], out[:, jaw])
    return out
