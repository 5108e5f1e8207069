"""Log-mel and MFCC front ends in numpy; the torch front end uses the same matrices."""

from functools import cache

import numpy as np

from ..audio.prepare import SAMPLE_RATE
from .configs import HOP, LogMelConfig


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_filterbank(config: LogMelConfig) -> np.ndarray:
    """Triangular HTK-mel filters as a float32 matrix (n_fft // 2 + 1, n_mels)."""
    bins_hz = np.linspace(0.0, SAMPLE_RATE / 2, config.n_fft // 2 + 1)
    edges_mel = np.linspace(
        _hz_to_mel(np.float64(config.f_min_hz)),
        _hz_to_mel(np.float64(config.f_max_hz)),
        config.n_mels + 2,
    )
    edges_hz = _mel_to_hz(edges_mel)
    lower, centre, upper = edges_hz[:-2], edges_hz[1:-1], edges_hz[2:]
    rising = (bins_hz[:, None] - lower) / (centre - lower)
    falling = (upper - bins_hz[:, None]) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling)).astype(np.float32)


def hann_window(n_fft: int) -> np.ndarray:
    """Periodic Hann window (n_fft,), float32."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)


def dct_matrix(n_mels: int, n_mfcc: int) -> np.ndarray:
    """Orthonormal DCT-II as a float32 matrix (n_mels, n_mfcc): mfcc = log_mel @ matrix."""
    n = np.arange(n_mels)[:, None]
    k = np.arange(n_mfcc)[None, :]
    matrix = np.cos(np.pi / n_mels * (n + 0.5) * k) * np.sqrt(2.0 / n_mels)
    matrix[:, 0] /= np.sqrt(2.0)
    return matrix.astype(np.float32)


@cache
def _frame_constants(config: LogMelConfig) -> tuple[np.ndarray, np.ndarray]:
    """The Hann window in float64 and the mel filterbank, made once per config."""
    return hann_window(config.n_fft).astype(np.float64), mel_filterbank(config)


FRAMES_PER_BLOCK = 256  # frames transformed at once: their float64 rows stay in the CPU cache


def log_mel(samples: np.ndarray, config: LogMelConfig) -> np.ndarray:
    """Log-mel frames (T, n_mels) of samples (N,): frame i covers [HOP*i, HOP*i + n_fft)."""
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    n_frames = (len(samples) - config.n_fft) // HOP + 1
    if n_frames <= 0:
        return np.zeros((0, config.n_mels), dtype=np.float32)
    window, filterbank = _frame_constants(config)
    frames = np.lib.stride_tricks.sliding_window_view(samples, config.n_fft)[::HOP][:n_frames]
    mel = np.empty((n_frames, config.n_mels), np.float32)
    for start in range(0, n_frames, FRAMES_PER_BLOCK):
        # numpy's FFT runs about twice as fast on float64 rows as on float32 ones
        spectrum = np.fft.rfft(frames[start : start + FRAMES_PER_BLOCK] * window, axis=1)
        power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
        mel[start : start + FRAMES_PER_BLOCK] = power @ filterbank
    return np.log(np.maximum(mel, config.floor, out=mel), out=mel)
