"""The log-mel (and MFCC) front end as portable ONNX operators, the same numbers as
core.runtime.logmel without an STFT or DFT operator: a power spectrum, a MatMul mel filterbank,
max with the floor, log.

A clip's frames (stride 160) come from a Conv1d whose kernel is the DFT rows: the Hann-windowed
cosine and sine rows of the bins some mel filter weighs. Those rows (1 MB) would be most of a
file, so the graph makes them from a 512-entry cosine table: phase index (bin * t) mod n_fft,
a Gather, the window. Every input of that subgraph is constant, so a runtime folds it once when
it loads the model; `stored` keeps the rows as an initializer instead. The streaming graph's one
frame a hop takes a two-stage DFT with small stored constants (log_mel_frame).
"""

import math

import numpy as np

from ..runtime.configs import HOP, LogMelConfig, StudentConfig
from ..runtime.logmel import dct_matrix, hann_window, mel_filterbank
from .graph import Graph


def weighed_bins(config: LogMelConfig) -> tuple[int, int]:
    """First and one-past-last FFT bin with a nonzero mel filter weight."""
    rows = np.flatnonzero(mel_filterbank(config).any(axis=1))
    return int(rows[0]), int(rows[-1]) + 1


def stored_dft_rows(config: LogMelConfig) -> np.ndarray:
    """(2 * bins, n_fft) float32: what dft_rows makes, computed here in float64."""
    n = config.n_fft
    first, last = weighed_bins(config)
    phase = 2.0 * np.pi * np.outer(np.arange(first, last), np.arange(n)) / n
    rows = np.concatenate([np.cos(phase), np.sin(phase)]) * hann_window(n).astype(np.float64)
    return rows.astype(np.float32)


def dft_rows(g: Graph, config: LogMelConfig, stored: bool = False) -> str:
    """(2 * bins, n_fft): the Hann-windowed cos rows, then sin rows, of the weighed bins; made
    from the cosine table, or with `stored` an initializer (1 MB more, no Range, Mod, Gather)."""
    if stored:
        return g.const("dft_rows", stored_dft_rows(config))
    n = config.n_fft
    first, last = weighed_bins(config)
    table = g.const("cos_table", np.cos(2.0 * np.pi * np.arange(n) / n).astype(np.float32))
    window = g.const("hann_window", hann_window(n)[None, :])  # (1, n_fft)

    def arange(start: int, stop: int, stem: str) -> str:
        start_c = g.const(f"{stem}_start", np.array(start, np.int64))
        stop_c = g.const(f"{stem}_stop", np.array(stop, np.int64))
        return g.op("Range", start_c, stop_c, g.const("one_i64", np.array(1, np.int64)), stem=stem)

    bins = g.op("Reshape", arange(first, last, "bins"), g.ints(-1, 1))  # (F, 1)
    phase = g.op("Mod", g.op("Mul", bins, arange(0, n, "taps")), g.ints(n))  # (F, n_fft)
    sine_phase = g.op("Mod", g.op("Add", phase, g.ints(3 * n // 4)), g.ints(n))  # cos(x - pi/2)
    rows = g.op(
        "Concat", g.op("Gather", table, phase), g.op("Gather", table, sine_phase), axis=0
    )  # (2F, n_fft)
    return g.op("Mul", rows, window)


def _mel_filters(config: LogMelConfig) -> np.ndarray:
    """(2F, n_mels): the filterbank rows of the weighed bins, twice (for re^2 and im^2)."""
    first, last = weighed_bins(config)
    filters = mel_filterbank(config)[first:last]
    return np.ascontiguousarray(np.concatenate([filters, filters]))


def _log(g: Graph, mel: str, config: LogMelConfig) -> str:
    return g.op("Log", g.op("Max", mel, g.scalar(config.floor)))


def log_mel(g: Graph, samples: str, config: LogMelConfig, stored_dft: bool = False) -> str:
    """Samples (1, 1, L) -> log-mel frames (1, n_mels, (L - n_fft) // HOP + 1); frame i covers
    samples [HOP * i, HOP * i + n_fft)."""
    rows = dft_rows(g, config, stored_dft)
    kernel = g.op("Unsqueeze", rows, g.ints(1))  # (2F, 1, n_fft)
    spectrum = g.op("Conv", samples, kernel, strides=[HOP])  # (1, 2F, T)
    power_parts = g.op("Mul", spectrum, spectrum)  # re^2 rows, then im^2 rows
    filters_t = g.const("mel_filters_t", np.ascontiguousarray(_mel_filters(config).T))
    return _log(g, g.op("MatMul", filters_t, power_parts), config)  # (1, n_mels, T)


def _split(n: int) -> tuple[int, int]:
    """n = rows * cols, cols the largest divisor of n up to sqrt(n) (512 = 32 * 16)."""
    cols = max(d for d in range(1, math.isqrt(n) + 1) if n % d == 0)
    return n // cols, cols


def log_mel_frame(g: Graph, frame: str, config: LogMelConfig) -> str:
    """One frame of n_fft samples (1, n_fft) -> its log-mel values (1, n_mels), by a two-stage
    DFT (Cooley-Tukey, 64 KB of constants instead of the 1 MB of DFT rows, a quarter the work).

    Sample t = cols * r + c, bin k = k1 + rows * k2: a DFT over r for each c (two MatMuls, cos
    and sin), then for each k1 one MatMul over c with the twiddle folded in, for the k2 that
    reach the highest weighed bin; the power's (k1, re/im, k2) order is the filterbank's rows'.
    """
    n = config.n_fft
    rows, cols = _split(n)
    k2_count = (weighed_bins(config)[1] - 1) // rows + 1
    window = g.const("hann_window_2d", hann_window(n).reshape(rows, cols))
    x = g.op("Mul", g.op("Reshape", frame, g.ints(rows, cols)), window)  # (rows, cols)
    angle = 2.0 * np.pi * np.outer(np.arange(rows), np.arange(rows)) / rows  # (k1, r)
    real = g.op("MatMul", g.const("dft_cos", np.cos(angle).astype(np.float32)), x)
    imag = g.op("MatMul", g.const("dft_sin", -np.sin(angle).astype(np.float32)), x)
    parts = g.op("Reshape", g.op("Concat", real, imag, axis=1), g.ints(rows, 1, 2 * cols))
    k1, c, k2 = np.ogrid[:rows, :cols, :k2_count]
    phase = -2.0 * np.pi * c * (k1 + rows * k2) / n  # (k1, c, k2)
    cos, sin = np.cos(phase), np.sin(phase)  # (re, im) @ [[cos, sin], [-sin, cos]]
    twiddled = np.concatenate([np.concatenate([cos, sin], 2), np.concatenate([-sin, cos], 2)], 1)
    spectrum = g.op("MatMul", parts, g.const("dft_stage_2", twiddled.astype(np.float32)))
    power = g.op("Reshape", g.op("Mul", spectrum, spectrum), g.ints(1, -1))  # (1, rows*2*k2)
    bins = (np.arange(rows)[:, None, None] + rows * np.arange(k2_count)[None, None, :]).repeat(
        2, axis=1
    )  # (k1, re/im, k2) -> bin
    filters = np.vstack([mel_filterbank(config), np.zeros((n, config.n_mels), np.float32)])
    mel = g.op("MatMul", power, g.const("mel_filters", filters[bins.reshape(-1)]))
    return _log(g, mel, config)


def features(g: Graph, samples: str, config: StudentConfig, stored_dft: bool = False) -> str:
    """Samples (1, 1, L) -> the student's input frames (1, in_channels, T) at 100 fps."""
    mel = log_mel(g, samples, config.logmel, stored_dft)
    if config.input_kind == "logmel":
        return mel
    dct_t = np.ascontiguousarray(dct_matrix(config.logmel.n_mels, config.n_mfcc).T)
    return g.op("MatMul", g.const("dct_t", dct_t), mel)  # (1, n_mfcc, T)


def frame_features(g: Graph, frame: str, config: StudentConfig) -> str:
    """One frame of n_fft samples (1, n_fft) -> the student's input (1, in_channels)."""
    mel = log_mel_frame(g, frame, config.logmel)
    if config.input_kind == "logmel":
        return mel
    return g.op("MatMul", mel, g.const("dct", dct_matrix(config.logmel.n_mels, config.n_mfcc)))
