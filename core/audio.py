"""Audio in the core: 16 kHz mono float32, a numpy resampler, and checks on what comes in.

Reading files uses soundfile (CLI, training, tests). Inside Blender the add-on reads audio with
Blender's `aud` and hands the samples to `prepare_samples`, so this module needs numpy only at
import time. Long clips go through the same steps block by block (core.audio_blocks).
"""

from math import gcd
from pathlib import Path

import numpy as np

from .errors import AudioError

SAMPLE_RATE = 16000
MAX_DURATION_S = 3 * 3600.0  # longer inputs are almost surely a mistake (a whole film reel)
MIN_DURATION_S = 0.05
MIN_RATE, MAX_RATE = 1000, 768000
_OUT_BLOCK = 65536  # outputs computed per vectorised step of the resampler


class Resampler:
    """Band-limited resampling (Kaiser-windowed sinc) of a mono signal fed in blocks.

    The outputs equal `resample` on the whole signal bit for bit: each output is the same dot
    product over the same (zero-padded) inputs, whatever the block boundaries.
    """

    def __init__(self, rate_in: int, rate_out: int = SAMPLE_RATE):
        g = gcd(int(rate_in), int(rate_out))
        self.up, self.down = int(rate_out) // g, int(rate_in) // g
        cutoff = 0.5 / max(self.up, self.down)  # cycles per upsampled sample, below both Nyquists
        self.half_taps = 16 * max(self.up, self.down)
        n = np.arange(-self.half_taps, self.half_taps + 1)
        self.taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.kaiser(len(n), 8.0) * self.up
        self.reach = self.half_taps // self.up + 1  # inputs read on each side of an output
        self.buffer = np.zeros(self.reach + 1)  # float64 inputs from absolute index `start`
        self.start = -(self.reach + 1)  # leading zeros stand for the signal's left padding
        self.n_in = 0  # inputs pushed
        self.next_out = 0  # index of the next output

    def _outputs(self, stop: int) -> np.ndarray:
        """Outputs next_out..stop-1 from the buffered inputs, float32."""
        positions = np.arange(self.next_out, stop, dtype=np.int64) * self.down  # upsampled grid
        out = np.empty(len(positions))
        for first in range(0, len(positions), _OUT_BLOCK):
            pos = positions[first : first + _OUT_BLOCK]
            base = pos // self.up  # input index at or before the output
            phase = pos - base * self.up
            acc = np.zeros(len(pos))
            for j in range(-self.reach, self.reach + 1):
                tap_index = phase - j * self.up + self.half_taps  # taps index for input base + j
                valid = (tap_index >= 0) & (tap_index < len(self.taps))
                coeff = np.where(valid, self.taps[np.clip(tap_index, 0, len(self.taps) - 1)], 0.0)
                acc += coeff * self.buffer[base + j - self.start]
            out[first : first + len(pos)] = acc
        self.next_out = stop
        keep_from = (stop * self.down) // self.up - self.reach  # first input the next output reads
        drop = max(0, min(keep_from - self.start, len(self.buffer)))
        self.buffer, self.start = self.buffer[drop:], self.start + drop
        return out.astype(np.float32)

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add mono samples (n,); return the outputs whose inputs have all arrived (m,)."""
        self.buffer = np.concatenate([self.buffer, samples.astype(np.float64)])
        self.n_in += len(samples)
        # output k reads inputs up to k*down//up + reach, all of which must have arrived
        ready = max(self.next_out, ((self.n_in - 1 - self.reach) * self.up) // self.down + 1)
        while (
            ready > self.next_out and ((ready - 1) * self.down) // self.up + self.reach >= self.n_in
        ):
            ready -= 1
        return self._outputs(ready)

    def finish(self) -> np.ndarray:
        """End of the signal (zeros after it): the remaining outputs (m,)."""
        n_out = -(-self.n_in * self.up // self.down)  # ceil(n_in * up / down)
        self.buffer = np.concatenate([self.buffer, np.zeros(self.reach + 1)])
        return self._outputs(max(n_out, self.next_out))


def resample(samples: np.ndarray, rate_in: int, rate_out: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling of mono float samples (N,) by a Kaiser-windowed sinc, in numpy."""
    if int(rate_in) == int(rate_out):
        return samples.astype(np.float32, copy=False)
    resampler = Resampler(rate_in, rate_out)
    block = 1 << 20
    pieces = [resampler.push(samples[i : i + block]) for i in range(0, len(samples), block)]
    return np.concatenate([*pieces, resampler.finish()])


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
    if np.issubdtype(samples.dtype, np.integer):
        info = np.iinfo(samples.dtype)  # int16 -> /32768; uint8 (8-bit WAV) -> (x - 128) / 128
        middle, scale = (info.min + info.max + 1) / 2, (info.max - info.min + 1) / 2
        samples = (samples.astype(np.float32) - np.float32(middle)) / np.float32(scale)
    elif not np.issubdtype(samples.dtype, np.floating):
        raise AudioError(f"{source}: samples of type {samples.dtype} are not audio.")
    samples = samples.astype(np.float32, copy=False)
    return samples.mean(axis=1, dtype=np.float32) if samples.ndim == 2 else samples


def check_finite(mono: np.ndarray, source: str = "audio") -> None:
    """AudioError when mono samples hold NaN or infinite values."""
    if not np.isfinite(mono).all():
        raise AudioError(f"{source}: the audio holds NaN or infinite samples; re-export it.")


def prepare_samples(samples: np.ndarray, sample_rate: int, source: str = "audio") -> np.ndarray:
    """Validate raw samples (N,) or (N, C) at any rate and return 16 kHz mono float32 (N',).

    Int PCM is scaled to full scale, channels are averaged, the DC offset is removed. Silence is
    valid audio (the mouth stays closed). Raises AudioError with a sentence naming `source` when
    the audio cannot be used (bad rate, too short or long, NaN or infinite samples).
    """
    sample_rate = check_rate(sample_rate, source)
    mono = to_mono(samples, source)
    check_length(len(mono), sample_rate, source)
    check_finite(mono, source)
    dc = np.float32(mono.sum(dtype=np.float64) / len(mono))  # DC offset carries no speech
    return resample(mono - dc, sample_rate, SAMPLE_RATE)


def load_audio(path: str | Path) -> np.ndarray:
    """Read an audio file (WAV/FLAC/OGG, any rate, any channels) as 16 kHz mono float32 (N,)."""
    import soundfile  # outside Blender only

    path = check_audio_path(path)
    try:
        samples, sample_rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, ValueError) as error:
        raise AudioError(f"{path.name}: cannot read this audio file ({error}).") from None
    return prepare_samples(samples, sample_rate, source=path.name)


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
