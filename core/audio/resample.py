"""Polyphase resampling in numpy, equal to `scipy.signal.resample_poly` with its default filter.

Output k is sum_n x[n] * taps[k * down - n * up + half] (zeros outside the signal), taps being
scipy's default low-pass (`firwin(2 * half + 1, 1 / max(up, down), window=("kaiser", 5.0))`
times `up`, half = 10 * max(up, down)). Blender ships numpy but not scipy, so the add-on and the
command line share this one implementation; a test holds it to scipy on a sweep of rates.

Speed: outputs repeat their filter phases every `period` outputs, during which the input
advances by `stride` samples. The outputs of a few neighbouring phases read one short window of
input, so each group of phases is one small matrix product (BLAS) over every period at once:
rows are input windows `stride` apart (a strided view, no copy), columns the phases' taps.
"""

from dataclasses import dataclass
from functools import lru_cache
from math import gcd

import numpy as np
from numpy.lib.stride_tricks import as_strided

HALF_ZEROS = 10  # zero crossings of the sinc on each side (scipy's default)
KAISER_BETA = 5.0  # scipy's default window
_BLOCK = 1 << 20  # input samples per step when resampling a whole array
_ONE_THREAD_PRODUCT = 65536 * 4  # M*N*K up to which OpenBLAS multiplies on one thread


def filter_taps(up: int, down: int) -> np.ndarray:
    """scipy's default resample_poly filter for up/down, gain `up`, float64 (2 * half + 1,)."""
    half = HALF_ZEROS * max(up, down)
    n = np.arange(-half, half + 1)
    taps = np.sinc(n / max(up, down)) * np.kaiser(2 * half + 1, KAISER_BETA)
    return taps * (up / taps.sum())


@dataclass(frozen=True)
class _Design:
    """The filter of one pair of rates, grouped for the products (read-only, shared)."""

    up: int
    down: int
    period: int
    stride: int
    groups: tuple[tuple[int, np.ndarray], ...]  # (first input offset, taps (w, phases))
    reach: int
    reads_to: int
    chunk: int


@lru_cache(maxsize=8)
def _design(up: int, down: int) -> _Design:
    """The grouped filter for up/down, made once per pair of rates (a dialogue scene of many
    strips at one rate builds it once)."""
    taps = filter_taps(up, down)
    half = (len(taps) - 1) // 2
    reach = half // up + 1  # inputs read on each side of an output's position
    width = 2 * reach + 1
    per_group = (width * up) // down + 1  # phases whose windows overlap by about half
    span = -(-((per_group - 1) * down) // up) + width  # the widest group's window
    repeats = -(-span // down)  # whole filter cycles per period: rows no wider than stride
    period, stride = up * repeats, down * repeats
    groups = []
    j = np.arange(-reach, reach + 1)
    for first in range(0, period, per_group):
        phases = range(first, min(period, first + per_group))
        origin = (first * down) // up
        columns = np.zeros(((phases[-1] * down) // up - origin + width, len(phases)))
        for column, k in enumerate(phases):
            tap = (k * down) % up - j * up + half
            valid = (tap >= 0) & (tap < len(taps))
            rows = (k * down) // up - origin + np.flatnonzero(valid)
            columns[rows, column] = taps[tap[valid]]
        columns = columns.astype(np.float32)
        columns.setflags(write=False)
        groups.append((origin - reach, columns))
    reads_to = max(offset + len(columns) for offset, columns in groups)
    largest = max(columns.size for _, columns in groups)
    chunk = max(1, _ONE_THREAD_PRODUCT // largest)  # periods per matrix product
    return _Design(up, down, period, stride, tuple(groups), reach, reads_to, chunk)


class Resampler:
    """Resampling of a mono float32 signal fed in blocks of any size.

    The outputs do not depend on the block sizes: each is the same sum over the same inputs.
    """

    def __init__(self, rate_in: int, rate_out: int):
        g = gcd(int(rate_in), int(rate_out))
        design = _design(int(rate_out) // g, int(rate_in) // g)
        self.up, self.down = design.up, design.down
        self.period, self.stride = design.period, design.stride
        self.groups = design.groups
        reach = design.reach
        self.reads_from = -reach  # first input a period reads, relative to period * stride
        self.reads_to = design.reads_to
        self.buffer = np.zeros(reach, np.float32)  # inputs from absolute index `start`
        self.start = -reach  # negative indices are the signal's left zero padding
        self.n_in = 0  # inputs pushed
        self.next_period = 0  # first period not yet computed
        self.n_returned = 0  # outputs returned
        self.chunk = design.chunk

    def _periods(self, stop: int) -> np.ndarray:
        """Outputs of periods next_period..stop-1 (float32), then drop inputs no longer read.

        Both ends are whole chunks: BLAS sums in an order that depends on the matrix shape, so
        every product has `chunk` rows and each output comes from the same product however the
        signal was split.
        """
        count = stop - self.next_period
        out = np.empty((count, self.period), np.float32)
        item = self.buffer.itemsize
        column = 0
        for offset, taps in self.groups:
            first = self.next_period * self.stride + offset - self.start
            if first < 0 or first + (count - 1) * self.stride + len(taps) > len(self.buffer):
                raise RuntimeError("resampler: inputs missing for the outputs asked")  # a bug
            windows = as_strided(
                self.buffer[first:], (count, len(taps)), (self.stride * item, item), writeable=False
            )  # (count, w): period p's inputs start stride * p after the first
            for row in range(0, count, self.chunk):
                rows = slice(row, row + self.chunk)
                out[rows, column : column + taps.shape[1]] = windows[rows] @ taps
            column += taps.shape[1]
        self.next_period = stop
        drop = min(stop * self.stride + self.reads_from - self.start, len(self.buffer))
        self.buffer, self.start = self.buffer[drop:], self.start + drop
        return out.reshape(-1)

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add mono samples (n,); return the outputs whose inputs have all arrived (m,)."""
        self.buffer = np.concatenate([self.buffer, np.asarray(samples, np.float32)])
        self.n_in += len(samples)
        ready = (self.n_in - self.reads_to) // self.stride + 1  # periods with all inputs in
        stop = max(ready // self.chunk * self.chunk, self.next_period)
        out = self._periods(stop)
        self.n_returned += len(out)
        return out

    def finish(self) -> np.ndarray:
        """End of the signal (zeros after it): the remaining outputs (m,)."""
        n_out = -(-self.n_in * self.up // self.down)  # ceil(n_in * up / down), as scipy
        periods = -(-n_out // self.period)
        stop = max(-(-periods // self.chunk) * self.chunk, self.next_period)
        needed = (stop - 1) * self.stride + self.reads_to - self.start
        pad = np.zeros(max(0, needed - len(self.buffer)), np.float32)
        self.buffer = np.concatenate([self.buffer, pad])
        out = self._periods(stop)[: max(0, n_out - self.n_returned)]
        self.n_returned += len(out)
        return out


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Mono float samples (N,) from rate_in to rate_out, float32 (ceil(N * out / in),)."""
    samples = np.asarray(samples)
    if int(rate_in) == int(rate_out):
        return samples.astype(np.float32, copy=False)
    resampler = Resampler(rate_in, rate_out)
    pieces = [resampler.push(samples[i : i + _BLOCK]) for i in range(0, len(samples), _BLOCK)]
    return np.concatenate([*pieces, resampler.finish()])
