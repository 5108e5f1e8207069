"""Streaming student inference: push audio blocks of any size, get scene frames when ready.

Each stage of the fully convolutional student keeps the tail of its input that the next output
still needs, so every pushed sample is processed once per layer (constant work per frame) and
the numbers equal offline inference. A scene frame is released as soon as the 100 fps frames
around t + delta exist, i.e. once audio up to t + delta + future (+ one 10 ms frame) arrived.
"""

import math

import numpy as np

from ..errors import AudioError
from .configs import HOP, StudentConfig
from .smoothing import DELTA_S, FRAME_RATE, interpolate, offsets_s, positions, scene_frame_count
from .student import Stage


class StudentStream:
    """Incremental inference over 16 kHz float32 blocks; see push() and finish()."""

    def __init__(
        self,
        config: StudentConfig,
        stages: list[Stage],
        fps: float,
        smoothing: bool = True,
        delta_s: float = DELTA_S,
    ):
        if not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.config, self.stages, self.fps = config, stages, float(fps)
        self.offsets = offsets_s(smoothing, delta_s)
        self.buffers = [np.zeros((config.past_samples, 1), np.float32)]  # left padding
        self.buffers += [None] * (len(stages) - 1)
        self.frames = np.zeros((0, len(config.channels)), np.float32)  # 100 fps, from `base`
        self.base = 0  # index of self.frames[0]
        self.n_frames = 0  # 100 fps frames computed so far
        self.n_samples = 0  # audio samples pushed
        self.next_scene = 0  # index of the next scene frame to release
        self.finished = False

    def _run(self, samples: np.ndarray) -> None:
        x = samples[:, None]
        for i, stage in enumerate(self.stages):
            buffer = x if self.buffers[i] is None else np.concatenate([self.buffers[i], x])
            n_out = max(0, (len(buffer) - stage.kernel) // stage.stride + 1)
            x = stage.apply(buffer[: (n_out - 1) * stage.stride + stage.kernel]) if n_out else None
            self.buffers[i] = buffer[n_out * stage.stride :]
            if x is None:
                return
        self.frames = np.concatenate([self.frames, x])
        self.n_frames += len(x)

    def _needed(self, k: int) -> int:
        """Highest 100 fps frame index that scene frame k reads."""
        return math.ceil(positions(np.array([float(k)]), self.fps, max(self.offsets))[0])

    def _ready_count(self, last_frame: int) -> int:
        """Number of scene frames whose inputs are all among frames 0..last_frame."""
        guess = math.floor((last_frame / FRAME_RATE - max(self.offsets)) * self.fps) + 1
        count = max(self.next_scene, guess)
        while count > self.next_scene and self._needed(count - 1) > last_frame:
            count -= 1
        while self._needed(count) <= last_frame:
            count += 1
        return count

    def _release(self, last_frame: int, n_scene: int) -> np.ndarray:
        """Scene frames next_scene..n_scene-1, reading 100 fps frames up to last_frame."""
        k = np.arange(self.next_scene, n_scene, dtype=np.float64)
        if len(k) == 0:
            return np.zeros((0, len(self.config.channels)), np.float32)
        total = sum(
            interpolate(self.frames, self.base, positions(k, self.fps, o), last_frame)
            for o in self.offsets
        )
        self.next_scene = n_scene
        keep_from = math.floor(
            positions(np.array([float(n_scene)]), self.fps, min(self.offsets))[0]
        )
        drop = max(0, min(keep_from - self.base, len(self.frames) - 1))
        self.frames, self.base = self.frames[drop:], self.base + drop
        return (total / np.float32(len(self.offsets))).astype(np.float32)

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add 16 kHz mono samples (n,); return newly finished scene frames (m, K)."""
        if self.finished:
            raise AudioError("This stream has finished; open a new one for more audio.")
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        self.n_samples += len(samples)
        if len(samples):
            self._run(samples)
        if self.n_frames == 0:
            return np.zeros((0, len(self.config.channels)), np.float32)
        return self._release(self.n_frames - 1, self._ready_count(self.n_frames - 1))

    def finish(self) -> np.ndarray:
        """End of audio: pad like offline inference and return the remaining scene frames."""
        if self.finished:
            raise AudioError("This stream has already finished.")
        self.finished = True
        total_frames = math.ceil(self.n_samples / HOP)
        if total_frames == 0:
            return np.zeros((0, len(self.config.channels)), np.float32)
        right = max(0, HOP * (total_frames - 1) + self.config.future_samples - self.n_samples)
        self._run(np.zeros(right, np.float32))
        self.frames = self.frames[: total_frames - self.base]
        return self._release(total_frames - 1, scene_frame_count(self.n_samples, self.fps))
