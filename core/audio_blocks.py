"""Long audio in bounded memory: a source read twice in blocks, once to validate it and measure
its DC offset, once to hand 16 kHz mono blocks to streaming inference.

The blocks carry the same numbers as `prepare_samples` on the whole clip: the same mono mix,
the same DC offset (up to float64 summation order) and the bit-identical resampler.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .audio import (
    SAMPLE_RATE,
    Resampler,
    check_audio_path,
    check_finite,
    check_length,
    check_rate,
    to_mono,
)
from .errors import AudioError

BLOCK_S = 10.0  # seconds of source audio per block


@dataclass(frozen=True)
class AudioBlocks:
    """A validated audio source that can be read block by block, as many times as needed."""

    source: str  # name used in messages
    sample_rate: int  # of the source
    n_samples: int  # source samples per channel
    dc: np.float32  # mean of the mono mix, removed from every block
    read: Callable[[], Iterator[np.ndarray]]  # a fresh iterator of raw blocks (n,) or (n, C)

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sample_rate

    @property
    def n_samples_16k(self) -> int:
        """Length of the clip at 16 kHz, as `prepare_samples` returns it."""
        return -(-self.n_samples * SAMPLE_RATE // self.sample_rate)  # ceil, as the resampler

    def blocks_16k(self) -> Iterator[np.ndarray]:
        """16 kHz mono float32 blocks, DC removed; concatenated they equal prepare_samples."""
        resampler = Resampler(self.sample_rate) if self.sample_rate != SAMPLE_RATE else None
        for block in self.read():
            mono = to_mono(block, self.source) - self.dc
            yield mono if resampler is None else resampler.push(mono)
        if resampler is not None:
            yield resampler.finish()


def _scan(read: Callable[[], Iterator[np.ndarray]], sample_rate, source: str) -> AudioBlocks:
    """First pass: rate, length, finite samples and the DC offset."""
    sample_rate = check_rate(sample_rate, source)
    n_samples, total = 0, 0.0
    for block in read():
        mono = to_mono(block, source)
        check_finite(mono, source)
        n_samples += len(mono)
        total += float(mono.sum(dtype=np.float64))
    check_length(n_samples, sample_rate, source)
    return AudioBlocks(source, sample_rate, n_samples, np.float32(total / n_samples), read)


def array_blocks(samples: np.ndarray, sample_rate: int, source: str = "audio") -> AudioBlocks:
    """Samples (N,) or (N, C) in memory as blocks (no copy of the whole clip)."""
    block = max(1, int(BLOCK_S * check_rate(sample_rate, source)))
    samples = np.asarray(samples)

    def read() -> Iterator[np.ndarray]:
        return (samples[i : i + block] for i in range(0, len(samples), block))

    return _scan(read, sample_rate, source)


def file_blocks(path: str | Path) -> AudioBlocks:
    """An audio file (WAV/FLAC/OGG, any rate and channels) read in blocks with soundfile."""
    import soundfile  # outside Blender only

    path = check_audio_path(path)
    errors = (RuntimeError, soundfile.LibsndfileError, ValueError)
    try:
        sample_rate = soundfile.info(str(path)).samplerate
    except errors as error:
        raise AudioError(f"{path.name}: cannot read this audio file ({error}).") from None
    block = max(1, int(BLOCK_S * check_rate(sample_rate, path.name)))

    def read() -> Iterator[np.ndarray]:
        try:
            yield from soundfile.blocks(str(path), block, dtype="float32", always_2d=True)
        except errors as error:
            raise AudioError(f"{path.name}: cannot read this audio file ({error}).") from None

    return _scan(read, sample_rate, path.name)
