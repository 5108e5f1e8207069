"""The lip seal: one rule that closes the lips of a pose, for the animator and the teacher.

A seal s (0..1 per frame) fades the lip-opening channels out, sets mouthClose to s * jawOpen
(ARKit's mouthClose closes the lips relative to the open jaw) and presses the lips by `press`.
The procedural animator seals P/B/M intervals with it; the Whisper teacher seals frames where its
closure head is confident (seal_from_probability), so "closed" means the same pose everywhere.
"""

import numpy as np

from .rig import channel_index
from .visemes import LIP_OPENERS

# Closure probability -> seal: none below SEAL_FROM, full above SEAL_FULL (a smooth ramp between).
SEAL_FROM = 0.35
SEAL_FULL = 0.65
PRESS_AT_FULL_SEAL = 0.4


def _side_channels(name: str, names: tuple[str, ...]) -> list[int]:
    index = channel_index(names)
    return [index[n] for n in (name, name + "Left", name + "Right") if n in index]


def apply_seal(weights: np.ndarray, seal: np.ndarray, press: np.ndarray,
               channels: tuple[str, ...]) -> np.ndarray:  # fmt: skip
    """Weights (T, K) with the lips sealed by seal (T,) and pressed by press (T,); a new array."""
    out = np.array(weights, np.float32)
    for name in LIP_OPENERS:
        for k in _side_channels(name, channels):
            out[:, k] *= 1.0 - seal
    index = channel_index(channels)
    jaw, close = index["jawOpen"], index["mouthClose"]
    out[:, close] = np.maximum(out[:, close], seal * out[:, jaw])
    for k in _side_channels("mouthPress", channels):
        out[:, k] = np.maximum(out[:, k], press)
    return np.clip(out, 0.0, 1.0)


def seal_from_probability(probability: np.ndarray) -> np.ndarray:
    """Seal (T,) of closure probabilities (T,): a smoothstep from SEAL_FROM to SEAL_FULL."""
    x = np.clip((probability - SEAL_FROM) / (SEAL_FULL - SEAL_FROM), 0.0, 1.0)
    return (x * x * (3.0 - 2.0 * x)).astype(np.float32)


def seal_closures(weights: np.ndarray, probability: np.ndarray,
                  channels: tuple[str, ...]) -> np.ndarray:  # fmt: skip
    """The teacher's rule: weights (T, K) sealed where the closure probability (T,) is high."""
    seal = seal_from_probability(probability)
    return apply_seal(weights, seal, PRESS_AT_FULL_SEAL * seal, channels)
