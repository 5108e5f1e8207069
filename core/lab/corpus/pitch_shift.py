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


def _stretch(audio: np.ndarray, factor: float) -> np.ndarray:
    """Time-stretch (N,) by `factor` (> 1: longer) with a phase-locked phase vocoder."""
    window = np.hanning(N_FFT)
    hop_in = HOP / factor
    padded = np.concatenate([np.zeros(N_FFT), audio.astype(np.float64), np.zeros(N_FFT)])
    starts = np.arange(0, len(padded) - N_FFT, hop_in)
    bins = np.arange(N_FFT // 2 + 1)
    omega = 2 * np.pi * bins * HOP / N_FFT / factor  # expected advance per input hop
    out = np.zeros(len(starts) * HOP + N_FFT)
    norm = np.zeros_like(out)
    previous_phase = None
    phase = None
    for k, start in enumerate(starts):
        i = int(round(start))
        spectrum = np.fft.rfft(padded[i : i + N_FFT] * window)
        magnitude, now = np.abs(spectrum), np.angle(spectrum)
        if previous_phase is None:
            phase = now.copy()
        else:
            delta = now - previous_phase - omega
            delta = (delta + np.pi) % (2 * np.pi) - np.pi
            advance = (omega + delta) * factor
            # identity phase locking: each bin keeps its offset to the peak of its region
            peaks = np.flatnonzero(
                (magnitude[1:-1] > magnitude[:-2]) & (magnitude[1:-1] >= magnitude[2:])
            )
            peaks = peaks + 1 if len(peaks) else np.array([int(np.argmax(magnitude))])
            edges = (peaks[:-1] + peaks[1:]) // 2
            owner = peaks[np.searchsorted(edges, bins, side="right")]
            peak_phase = phase[owner] + advance[owner]
            phase = peak_phase + (now - now[owner])
        previous_phase = now
        frame = np.fft.irfft(magnitude * np.exp(1j * phase), N_FFT) * window
        out[k * HOP : k * HOP + N_FFT] += frame
        norm[k * HOP : k * HOP + N_FFT] += window**2
    out /= np.maximum(norm, 1e-3)
    first = int(round(N_FFT * factor))
    return out[first : first + int(round(len(audio) * factor))]


def pitch_shift(audio: np.ndarray, semitones: float) -> np.ndarray:
    """audio (N,) float32 at any rate, pitch moved by `semitones`, same length and timing."""
    ratio = Fraction(2.0 ** (semitones / 12.0)).limit_denominator(64)
    stretched = _stretch(audio, float(ratio))
    back = resample_poly(stretched, ratio.denominator, ratio.numerator)
    back = np.resize(back, len(audio)) if len(back) < len(audio) else back[: len(audio)]
    return back.astype(np.float32)
