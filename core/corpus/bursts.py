"""Stop-burst correction: move P/B onsets from the burst back to where the lips close.

espeak-ng marks a stop where its burst starts; the closure before it is a low-energy gap at
the end of the preceding phone's span. The onset moves back to the start of that gap: the
first frame, walking back from the burst, whose energy is still within `GAP_DB` of the gap's
floor. A stop after silence has no acoustic closure edge and moves back by a typical closure.
"""

import numpy as np

from ..audio import SAMPLE_RATE
from .dataset import Phone
from .phones import SILENCE

CORRECTED = frozenset({"P", "B"})
HOP_S = 0.0025  # energy envelope hop
WINDOW_S = 0.010  # energy envelope window
SEARCH_S = 0.150  # how far before the burst a closure may start
GAP_DB = 8.0  # a frame this far above the gap floor ends the gap
MIN_PREVIOUS_S = 0.020  # the shortened preceding phone keeps at least this much
CLOSURE_AFTER_SILENCE_S = 0.030  # typical closure before an utterance- or pause-initial stop


def energy_db(audio16k: np.ndarray) -> np.ndarray:
    """Log energy (dB) of 10 ms windows every 2.5 ms: (F,) with frame f centred at f * HOP_S."""
    hop, window = int(HOP_S * SAMPLE_RATE), int(WINDOW_S * SAMPLE_RATE)
    padded = np.pad(audio16k.astype(np.float64), (window // 2, window // 2))
    power = np.concatenate([[0.0], np.cumsum(padded**2)])
    starts = np.arange(0, len(audio16k), hop)
    mean_power = (power[starts + window] - power[starts]) / window
    return 10 * np.log10(mean_power + 1e-10)


def closure_start_s(energy: np.ndarray, burst_s: float, earliest_s: float) -> float:
    """Start of the low-energy gap that ends at `burst_s`, not earlier than `earliest_s`."""
    burst_f = int(round(burst_s / HOP_S))
    first_f = max(int(np.ceil(earliest_s / HOP_S)), burst_f - int(SEARCH_S / HOP_S), 0)
    if burst_f - first_f < 2:
        return burst_s
    floor_db = energy[max(first_f, burst_f - 8):burst_f].min()  # quietest point near the burst
    f = burst_f - 1
    while f > first_f and energy[f - 1] < floor_db + GAP_DB:
        f -= 1
    return max(f * HOP_S, earliest_s)


def correct_stop_onsets(audio16k: np.ndarray, phones: list[Phone]) -> list[Phone]:
    """Move each P/B onset back to its closure, shortening the phone before it."""
    energy = energy_db(audio16k)
    out = list(phones)
    for i in range(1, len(out)):
        stop, before = out[i], out[i - 1]
        if stop.label not in CORRECTED:
            continue
        earliest_s = before.start_s + MIN_PREVIOUS_S
        if earliest_s >= stop.start_s:
            continue
        if before.label == SILENCE:
            onset_s = max(stop.start_s - CLOSURE_AFTER_SILENCE_S, earliest_s)
        else:
            onset_s = closure_start_s(energy, stop.start_s, earliest_s)
        out[i - 1] = Phone(before.start_s, onset_s, before.label)
        out[i] = Phone(onset_s, stop.end_s, stop.label)
    return out
