"""Audio in the core: 16 kHz mono float32, a numpy resampler, and checks on what comes in.

Reading files uses soundfile (CLI, training, tests). Inside Blender the add-on reads audio with
Blender's `aud` and hands the samples to `prepare_samples`, so this module needs numpy only at
import time.
"""

from math import gcd
from pathlib import Path

import numpy as np

from .errors import AudioError

SAMPLE_RATE = 16000
MAX_DURATION_S = 3 * 3600.0  # longer inputs are almost surely a mistake (a whole film reel)
MIN_DURATION_S = 0.05
SILENCE_PEAK = 1e-4  # below this peak (about -80 dBFS) the clip holds no speech to follow


def resample(samples: np.ndarray, rate_in: int, rate_out: int = SAMPLE_RATE) -> np.ndarray:
    """Band-limited resampling of mono float samples (N,) by a Kaiser-windowed sinc, in numpy."""
    rate_in, rate_out = int(rate_in), int(rate_out)
    if rate_in == rate_out:
        return samples.astype(np.float32, copy=False)
    g = gcd(rate_in, rate_out)
    up, down = rate_out // g, rate_in // g
    cutoff = 0.5 / max(up, down)  # cycles per upsampled sample, below both Nyquists
    half_taps = 16 * max(up, down)
    n = np.arange(-half_taps, half_taps + 1)
    taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.kaiser(len(n), 8.0) * up
    # Polyphase evaluation: output k sits at upsampled index k*down; only every up-th tap lands
    # on a real input sample, so each output is a short dot product.
    n_out = int(np.ceil(len(samples) * up / down))
    x = np.concatenate(
        [np.zeros(half_taps // up + 2), samples.astype(np.float64), np.zeros(half_taps // up + 2)]
    )
    pad = half_taps // up + 2
    out = np.empty(n_out)
    positions = np.arange(n_out) * down  # in the upsampled grid
    block = 65536
    for start in range(0, n_out, block):
        pos = positions[start : start + block]
        base = pos // up  # input index at or before the output
        phase = pos - base * up
        acc = np.zeros(len(pos))
        for j in range(-(half_taps // up) - 1, half_taps // up + 2):
            tap_index = phase - j * up + half_taps  # taps index for input base + j
            valid = (tap_index >= 0) & (tap_index < len(taps))
            coeff = np.where(valid, taps[np.clip(tap_index, 0, len(taps) - 1)], 0.0)
            acc += coeff * x[base + j + pad]
        out[start : start + block] = acc
    return out.astype(np.float32)


def prepare_samples(samples: np.ndarray, sample_rate: int, source: str = "audio") -> np.ndarray:
    """Validate raw samples (N,) or (N, C) at any rate and return 16 kHz mono float32 (N',).

    Raises AudioError with a sentence naming `source` when the audio cannot be used.
    """
    if sample_rate is None or not 1000 <= int(sample_rate) <= 768000:
        raise AudioError(f"{source}: unsupported sample rate {sample_rate} Hz.")
    samples = np.asarray(samples)
    if samples.ndim == 2:
        samples = samples.mean(axis=1) if samples.shape[1] > 0 else samples[:, 0]
    if samples.ndim != 1:
        raise AudioError(f"{source}: expected mono or multi-channel samples, got {samples.shape}.")
    if np.issubdtype(samples.dtype, np.integer):
        scale = float(np.iinfo(samples.dtype).max) + 1.0
        samples = samples.astype(np.float32) / scale
    samples = samples.astype(np.float32, copy=False)
    duration_s = len(samples) / sample_rate
    if duration_s < MIN_DURATION_S:
        raise AudioError(
            f"{source}: the clip is {duration_s * 1000:.0f} ms long; at least "
            f"{MIN_DURATION_S * 1000:.0f} ms of speech are needed."
        )
    if duration_s > MAX_DURATION_S:
        raise AudioError(
            f"{source}: the clip is {duration_s / 3600:.1f} h long; split it into parts "
            f"under {MAX_DURATION_S / 3600:.0f} h."
        )
    if not np.all(np.isfinite(samples)):
        raise AudioError(f"{source}: the audio holds NaN or infinite samples; re-export it.")
    samples = samples - samples.mean()  # DC offset carries no speech
    if np.max(np.abs(samples)) < SILENCE_PEAK:
        raise AudioError(f"{source}: the audio is silent; there is no speech to lip-sync.")
    return resample(samples, int(sample_rate), SAMPLE_RATE)


def load_audio(path: str | Path) -> np.ndarray:
    """Read an audio file (WAV/FLAC/OGG, any rate, any channels) as 16 kHz mono float32 (N,)."""
    import soundfile  # outside Blender only

    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file.")
    if not path.is_file():
        raise AudioError(f"{path}: is not a file.")
    try:
        samples, sample_rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, ValueError) as error:
        raise AudioError(f"{path.name}: cannot read this audio file ({error}).") from None
    return prepare_samples(samples, sample_rate, source=path.name)
