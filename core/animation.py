"""The one structure that crosses from the core into Blender: weights over time."""

import math
from dataclasses import dataclass

import numpy as np

from .errors import LipSyncError


@dataclass(frozen=True)
class Animation:
    """Blendshape weights sampled at a fixed frame rate.

    fps: frames per second (may be fractional, e.g. 30000/1001).
    channel_names: ARKit names, one per column of `weights`.
    weights: float32 array (T, K), frame t at time t / fps seconds.
    """

    fps: float
    channel_names: tuple[str, ...]
    weights: np.ndarray  # (T, K)

    def __post_init__(self) -> None:
        if self.weights.ndim != 2 or self.weights.shape[1] != len(self.channel_names):
            raise ValueError(
                f"weights shape {self.weights.shape} does not match "
                f"{len(self.channel_names)} channel names"
            )
        if not self.fps > 0:
            raise ValueError(f"fps must be positive, got {self.fps}")

    @property
    def frame_count(self) -> int:
        return int(self.weights.shape[0])

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps

    def times_s(self) -> np.ndarray:
        """Time of each frame in seconds, (T,)."""
        return np.arange(self.frame_count) / self.fps

    def channel(self, name: str) -> np.ndarray:
        """One channel's weights over time, (T,)."""
        return self.weights[:, self.channel_names.index(name)]


def parse_fps(text: str) -> float:
    """A frame rate from text: a number in (0, 1000]; LipSyncError otherwise."""
    try:
        fps = float(text)
    except ValueError:
        raise LipSyncError(f"fps must be a number, not {text!r}.") from None
    if not (math.isfinite(fps) and 0 < fps <= 1000):
        raise LipSyncError(f"fps must be between 0 and 1000, not {text}.")
    return fps
