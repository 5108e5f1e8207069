"""Duration-preserving pitch shift: a phase-vocoder time stretch, then resampling back.

Stretching by r = 2^(semitones / 12) and resampling by 1 / r keeps the length (and so every phone
time) while scaling every frequency by r. Formants move with the pitch (a shorter or longer
vocal tract, as well as a higher or lower voice), and the vocoder smears transients over about
one 32 ms window. The phase vocoder locks each bin's phase to its spectral peak (Laroche and
Dolson's identity phase locking), which keeps voiced speech from sounding phasey.
"""

from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

N_FFT = 512  # 32 ms at 16 kHz
HOP = 128  # synthesis hop, samples


def _peak_owners(magnitude: np.ndarray) -> np.ndarray:
    """(frames, bins) -> for every bin the index of the spectral peak whose region holds it:
    the nearer of the peaks at or before and at or after it (the upper one from the midpoint
    on), the loudest bin of a frame without peaks."""
    n_bins = magnitude.shape[1]
    bins = np.arange(n_bins)
    is_peak = np.zeros(magnitude.shape, dtype=bool)
    is_peak[:, 1:-1] = (magnitude[:, 1:-1] > magnitude[:, :-2]) & (
        magnitude[:, 1:-1] >= magnitude[:, 2:]
    )
    flat = ~is_peak.any(axis=1)
    is_peak[flat, np.argmax(magnitude[flat], axis=1)] = True
    marked = np.where(is_peak, bins, -1)
    before = np.maximum.accumulate(marked, axis=1)
    after = np.minimum.accumulate(np.where(is_peak, bins, n_bins)[:, ::-1], axis=1)[:, ::-1]
    first, last = after[:, :1], before[:, -1:]
    before = np.where(before < 0, first, before)
    after = np.where(after >= n_bins, last, after)
    return np.where(bins >= (before + after) // 2, after, before)


def _overlap_add(frames: np.ndarray) -> np.ndarray:
    """(frames, N_FFT) windowed frames -> their sum, frame k starting at k * HOP."""
    per_frame = N_FFT // HOP
    blocks = np.zeros((len(frames) + per_frame, HOP))
    for part in range(per_frame):
        blocks[part : part + len(frames)] += frames[:, part * HOP : (part + 1) * HOP]
    return blocks.reshape(-1)


def _stretch(audio: np.ndarray, factor: float) -> np.ndarray:
    """Time-stretch (N,) by `factor` (> 1: longer) with a phase-locked phase vocoder."""
    window = np.hanning(N_FFT)
    hop_in = HOP / factor
    padded = np.concatenate([np.zeros(N_FFT), audio.astype(np.float64), np.zeros(N_FFT)])
    starts = np.round(np.arange(0, len(padded) - N_FFT, hop_in)).astype(int)
    spectra = np.fft.rfft(padded[starts[:, None] + np.arange(N_FFT)] * window, axis=1)
    magnitude, now = np.abs(spectra), np.angle(spectra)
    bins = np.arange(N_FFT // 2 + 1)
    omega = 2 * np.pi * bins * HOP / N_FFT / factor  # expected advance per input hop
    delta = now[1:] - now[:-1] - omega
    advance = (omega + (delta + np.pi) % (2 * np.pi) - np.pi) * factor
    owners = _peak_owners(magnitude[1:])
    rows = np.arange(len(owners))[:, None]
    # identity phase locking: each bin keeps its offset to the peak of its region; only the
    # peaks' phases carry from frame to frame, so that recursion is the one loop left
    offset = advance[rows, owners] + now[1:] - now[1:][rows, owners]
    phases = np.empty_like(now)
    phases[0] = now[0]
    for k, (owner, step) in enumerate(zip(owners, offset, strict=True)):
        phases[k + 1] = phases[k][owner] + step
    frames = np.fft.irfft(magnitude * np.exp(1j * phases), N_FFT, axis=1) * window
    weight = _overlap_add(np.broadcast_to(window**2, frames.shape))
    out = _overlap_add(frames) / np.maximum(weight, 1e-3)
    first = int(round(N_FFT * factor))
    return out[first : first + int(round(len(audio) * factor))]


def pitch_shift(audio: np.ndarray, semitones: float) -> np.ndarray:
    """audio (N,) float32 at any rate, pitch moved by `semitones`, same length and timing."""
    ratio = Fraction(2.0 ** (semitones / 12.0)).limit_denominator(64)
    stretched = _stretch(audio, float(ratio))
    back = resample_poly(stretched, ratio.denominator, ratio.numerator)
    back = np.resize(back, len(audio)) if len(back) < len(audio) else back[: len(audio)]
    return back.astype(np.float32)
