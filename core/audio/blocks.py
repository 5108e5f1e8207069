"""Long audio in bounded memory: a source read twice in blocks, once to validate it, once to
hand 16 kHz mono blocks to streaming inference.

The blocks carry the same numbers as `prepare_samples` on the whole clip, bit for bit: the same
mono mix and the one path to 16 kHz (core.audio.prepare.to_16k), which does not depend on where the
blocks are cut.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AudioError
from .prepare import (
    SAMPLE_RATE,
    check_audio_path,
    check_finite,
    check_length,
    check_rate,
    to_16k,
    to_mono,
)

BLOCK_S = 10.0  # seconds of source audio per block
# Integer PCM is read as integers and scaled by to_mono: the same float32 values libsndfile
# would give (powers of two, exact), in a third of the time.
_INTEGER_READS = {"PCM_16": "int16", "PCM_24": "int32", "PCM_32": "int32"}


@dataclass(frozen=True)
class AudioBlocks:
    """A validated audio source that can be read block by block, as many times as needed."""

    source: str  # name used in messages
    sample_rate: int  # of the source
    n_samples: int  # source samples per channel
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
        mono = (to_mono(block, self.source) for block in self.read())
        return to_16k(mono, self.sample_rate)


def reader_blocks(
    read: Callable[[], Iterator[np.ndarray]], sample_rate, source: str = "audio"
) -> AudioBlocks:
    """Any source of raw blocks (n,) or (n, C) that `read()` yields afresh each time (e.g.
    Blender's decoder), validated in a first pass: rate, length and finite samples."""
    sample_rate = check_rate(sample_rate, source)
    n_samples = 0
    for block in read():
        block = np.asarray(block)
        if np.issubdtype(block.dtype, np.integer):
            to_mono(block[:0], source)  # checks the shape; integers are always finite
        else:
            check_finite(to_mono(block, source), source)
        n_samples += len(block)
    check_length(n_samples, sample_rate, source)
    return AudioBlocks(source, sample_rate, n_samples, read)


def array_blocks(samples: np.ndarray, sample_rate: int, source: str = "audio") -> AudioBlocks:
    """Samples (N,) or (N, C) in memory as blocks (no copy of the whole clip)."""
    block = max(1, int(BLOCK_S * check_rate(sample_rate, source)))
    samples = np.asarray(samples)

    def read() -> Iterator[np.ndarray]:
        return (samples[i : i + block] for i in range(0, len(samples), block))

    return reader_blocks(read, sample_rate, source)


def file_blocks(path: str | Path) -> AudioBlocks:
    """An audio file (WAV/FLAC/OGG, any rate and channels) read in blocks with soundfile."""
    import soundfile  # outside Blender only

    path = check_audio_path(path)
    errors = (RuntimeError, soundfile.LibsndfileError, ValueError)
    try:
        info = soundfile.info(str(path))
    except errors as error:
        raise AudioError(f"{path.name}: cannot read this audio file ({error}).") from None
    sample_rate, dtype = info.samplerate, _INTEGER_READS.get(info.subtype, "float32")
    block = max(1, int(BLOCK_S * check_rate(sample_rate, path.name)))

    def read() -> Iterator[np.ndarray]:
        try:
            yield from soundfile.blocks(str(path), block, dtype=dtype, always_2d=True)
        except errors as error:
            raise AudioError(f"{path.name}: cannot read this audio file ({error}).") from None

    return reader_blocks(read, sample_rate, path.name)
