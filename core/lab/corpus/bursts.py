"""Stop-burst correction: move P/B onsets from the burst back to where the lips close.

espeak-ng marks a stop where its burst starts; the closure before it is a low-energy gap at
the end of the preceding phone's span. The onset moves back to the start of that gap: the
first frame, walking back from the burst, whose energy is still within `GAP_DB` of the gap's
floor. A stop after silence has no acoustic closure edge and moves back by a typical closure.
"""

import numpy as np

from ...audio.prepare import SAMPLE_RATE
from ...phones.phone_set import SILENCE, Phone

CORRECTED = frozenset({"P", "B"})
HOP_S = 0.0025  # energy envelope hop
WINDOW_S = 0.010  # energy envelope window
SEARCH_S = 0.150  # how far before the burst a closure may start
SPAN_F = 2  # the fall is measured between frames f - SPAN_F and f + SPAN_F (10 ms apart)
FLOOR_DB = 60.0  # energies are floored this far below the utterance peak
MIN_FALL_DB = 6.0  # a smaller drop is no closure: keep the event time
MIN_PREVIOUS_S = 0.020  # the shortened preceding phone keeps at least this much
# Lag of the event behind the closure for a stop after silence (measured against alignment).
CLOSURE_AFTER_SILENCE_S = {"P": 0.040, "B": 0.0}


def energy_db(audio16k: np.ndarray) -> np.ndarray:
    """Log energy (dB) of 10 ms windows every 2.5 ms: (F,) with frame f centred at f * HOP_S."""
    hop, window = int(HOP_S * SAMPLE_RATE), int(WINDOW_S * SAMPLE_RATE)
    padded = np.pad(audio16k.astype(np.float64), (window // 2, window // 2))
    power = np.concatenate([[0.0], np.cumsum(padded**2)])
    starts = np.arange(0, len(audio16k), hop)
    mean_power = (power[starts + window] - power[starts]) / window
    return 10 * np.log10(mean_power + 1e-10)


def closure_start_s(energy: np.ndarray, burst_s: float, earliest_s: float) -> float:
    """Where the energy falls fastest in the `SEARCH_S` before `burst_s` (not before earliest_s).

    The fall into a closure is the steepest drop before a burst, whether the closure is silent
    (P) or carries a voice bar (B); the burst itself is a rise and never wins.
    """
    burst_f = int(round(burst_s / HOP_S))
    first_f = max(int(np.ceil(earliest_s / HOP_S)), burst_f - int(SEARCH_S / HOP_S), SPAN_F)
    last_f = min(burst_f - SPAN_F, len(energy) - SPAN_F)
    if last_f <= first_f:
        return burst_s
    floored = np.maximum(energy, energy.max() - FLOOR_DB)  # digital zeros would dominate
    frames = np.arange(first_f, last_f + 1)
    fall_db = floored[frames - SPAN_F] - floored[frames + SPAN_F]  # (F,) drop over 2 spans
    best = int(np.argmax(fall_db))
    if fall_db[best] < MIN_FALL_DB:
        return burst_s
    return max(frames[best] * HOP_S, earliest_s)


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
            onset_s = max(stop.start_s - CLOSURE_AFTER_SILENCE_S[stop.label], earliest_s)
        else:
            onset_s = closure_start_s(energy, stop.start_s, earliest_s)
        out[i - 1] = Phone(before.start_s, onset_s, before.label)
        out[i] = Phone(onset_s, stop.end_s, stop.label)
    return out
