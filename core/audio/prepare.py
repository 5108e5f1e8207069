"""Audio in the core: 16 kHz mono float32, causal DC removal, and checks on what comes in.

Every clip reaches the models by one path, `to_16k` (DC removal, then resampling to 16 kHz):
`prepare_samples` runs it on a clip in memory in one block, core.audio.blocks on a long file
block by block, with the same numbers. Files are read by core.audio.blocks (soundfile outside
Blender) or by the add-on (Blender's `aud`, core.audio.wav); this module needs numpy only.
"""

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from ..errors import AudioError
from .resample import Resampler
from .resample import resample as _resample

SAMPLE_RATE = 16000
MAX_DURATION_S = 3 * 3600.0  # longer inputs are almost surely a mistake (a whole film reel)
MIN_DURATION_S = 0.05
MIN_RATE, MAX_RATE = 1000, 768000
DC_WINDOW_S = 1.0  # the DC offset is the mean of (at most) the first second heard


class DcRemover:
    """Causal DC removal for a mono signal fed in blocks: each sample minus the mean of the
    samples up to it, over the first DC_WINDOW_S at most; after that the offset stays that
    window's mean. Only past samples count, so audio after time T changes nothing before T.
    """

    def __init__(self, sample_rate: int):
        self.window = max(1, round(DC_WINDOW_S * sample_rate))
        self.n_seen = 0  # samples seen, up to `window`
        self.total = 0.0  # their float64 sum
        self.offset = np.float32(0.0)  # the window's mean, once it has passed

    def push(self, mono: np.ndarray) -> np.ndarray:
        """Float32 samples (n,) -> the same with the DC offset removed (n,)."""
        head = min(len(mono), self.window - self.n_seen)
        if head <= 0:
            return mono - self.offset
        part = mono[:head].astype(np.float64)
        sums = np.cumsum(np.concatenate([[self.total], part]))[1:]  # sequential: any blocks
        means = sums / np.arange(self.n_seen + 1, self.n_seen + head + 1)
        self.n_seen, self.total = self.n_seen + head, float(sums[-1])
        if self.n_seen == self.window:
            self.offset = np.float32(self.total / self.window)
        return np.concatenate([(part - means).astype(np.float32), mono[head:] - self.offset])


def resample(samples: np.ndarray, rate_in: int, rate_out: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling of mono float samples (N,), equal to scipy's resample_poly."""
    return _resample(samples, rate_in, rate_out)


def check_rate(sample_rate, source: str = "audio") -> int:
    """The sample rate as an int, or AudioError when no real audio has it."""
    if sample_rate is None or not MIN_RATE <= int(sample_rate) <= MAX_RATE:
        raise AudioError(f"{source}: unsupported sample rate {sample_rate} Hz.")
    return int(sample_rate)


def check_length(n_samples: int, sample_rate: int, source: str = "audio") -> None:
    """AudioError when a clip of n_samples at sample_rate is too short or too long to use."""
    duration_s = n_samples / sample_rate
    if n_samples < int(MIN_DURATION_S * sample_rate):  # whole samples: 50 ms at 22.05 kHz is 1102
        raise AudioError(
            f"{source}: the clip is {duration_s * 1000:.0f} ms long; at least "
            f"{MIN_DURATION_S * 1000:.0f} ms of speech are needed."
        )
    if duration_s > MAX_DURATION_S:
        raise AudioError(
            f"{source}: the clip is {duration_s / 3600:.1f} h long; split it into parts "
            f"under {MAX_DURATION_S / 3600:.0f} h."
        )


def to_mono(samples: np.ndarray, source: str = "audio") -> np.ndarray:
    """Samples (N,) or (N, C), float or int PCM -> mono float32 (N,) in [-1, 1] full scale."""
    samples = np.asarray(samples)
    if samples.ndim == 2 and samples.shape[1] == 0:
        raise AudioError(f"{source}: the audio has no channels.")
    if samples.ndim not in (1, 2):
        raise AudioError(f"{source}: expected mono or multi-channel samples, got {samples.shape}.")
    if samples.ndim == 2 and samples.shape[1] == 1:
        samples = samples[:, 0]  # mono: a view, no mixing
    if np.issubdtype(samples.dtype, np.integer):
        info = np.iinfo(samples.dtype)  # int16 -> /32768; uint8 (8-bit WAV) -> (x - 128) / 128
        middle, scale = (info.min + info.max + 1) / 2, (info.max - info.min + 1) / 2
        samples = samples.astype(np.float32)
        if middle:
            samples -= np.float32(middle)
        samples *= np.float32(1 / scale)  # a power of two: exact, as a division would be
    elif not np.issubdtype(samples.dtype, np.floating):
        raise AudioError(f"{source}: samples of type {samples.dtype} are not audio.")
    samples = samples.astype(np.float32, copy=False)
    return samples.mean(axis=1, dtype=np.float32) if samples.ndim == 2 else samples


def check_finite(mono: np.ndarray, source: str = "audio") -> None:
    """AudioError when mono samples hold NaN or infinite values."""
    if not np.isfinite(mono).all():
        raise AudioError(f"{source}: the audio holds NaN or infinite samples; re-export it.")


def to_16k(mono_blocks: Iterable[np.ndarray], sample_rate: int) -> Iterator[np.ndarray]:
    """Mono float32 blocks (n,) at `sample_rate` -> 16 kHz blocks (m,), DC removed causally
    (DcRemover) then resampled; the numbers do not depend on where the blocks are cut."""
    resampler = Resampler(sample_rate, SAMPLE_RATE) if sample_rate != SAMPLE_RATE else None
    dc = DcRemover(sample_rate)
    for mono in mono_blocks:
        mono = dc.push(mono)
        yield mono if resampler is None else resampler.push(mono)
    if resampler is not None:
        yield resampler.finish()


def prepare_samples(samples: np.ndarray, sample_rate: int, source: str = "audio") -> np.ndarray:
    """Validate raw samples (N,) or (N, C) at any rate and return 16 kHz mono float32 (N',).

    Int PCM is scaled to full scale, channels are averaged, the DC offset is removed causally
    (DcRemover). Silence is valid audio (the mouth stays closed). Raises AudioError with a
    sentence naming `source` when the audio cannot be used (bad rate, too short or long, NaN or
    infinite samples).
    """
    sample_rate = check_rate(sample_rate, source)
    mono = to_mono(samples, source)
    check_length(len(mono), sample_rate, source)
    check_finite(mono, source)
    return np.concatenate(list(to_16k([mono], sample_rate)))


def check_audio_path(path: str | Path) -> Path:
    """The path of an existing, non-empty file, or AudioError saying what is wrong."""
    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file.")
    if not path.is_file():
        raise AudioError(f"{path}: is a folder, not an audio file.")
    if path.stat().st_size == 0:
        raise AudioError(f"{path.name}: the file is empty (0 bytes).")
    return path
