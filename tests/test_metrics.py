"""Metric sanity: perfect predictions score best, degenerate mouths score as they must."""

import numpy as np
import pytest

from core.lab.eval.metrics import jitter, mse
from core.phones.closures import bilabial_runs, closure_tally, per_phone_rates
from core.phones.phone_set import Phone

FPS = 60.0

# "sil b ah t ah m p iy s aa sil": P/B/M tokens b, m, p; far from them: t, s, aa.
PHONES = (
    Phone(0.00, 0.30, "SIL"),
    Phone(0.30, 0.38, "B"),
    Phone(0.38, 0.50, "AH"),
    Phone(0.50, 0.60, "T"),
    Phone(0.60, 0.75, "AH"),
    Phone(0.75, 0.83, "M"),
    Phone(0.83, 0.91, "P"),
    Phone(0.91, 1.05, "IY"),
    Phone(1.05, 1.20, "S"),
    Phone(1.20, 1.35, "AA"),
    Phone(1.35, 1.50, "SIL"),
)


def _frame_times(duration_s: float = 1.5) -> np.ndarray:
    return np.arange(int(duration_s * FPS)) / FPS


def _perfect_closed() -> np.ndarray:
    """Closed exactly during the bilabial phones and the silences."""
    times = _frame_times()
    closed = np.zeros(len(times), dtype=bool)
    for p in PHONES:
        if p.label in ("B", "M", "P", "SIL"):
            closed |= (times >= p.start_s) & (times < p.end_s)
    return closed


def test_perfect_prediction_scores_best():
    summary = closure_tally(_perfect_closed(), FPS, PHONES).summary()
    assert summary["pbm_inside_pct"] == 100.0
    assert summary["pbm_40ms_pct"] == 100.0
    assert summary["false_closure_consonant_pct"] == 0.0
    assert summary["false_closure_vowel_pct"] == 0.0
    assert abs(summary["onset_error_ms"]) < 1000.0 / FPS
    assert summary["duration_ratio"] == pytest.approx(1.0, abs=0.15)


def test_never_closed_mouth_scores_zero_pbm():
    closed = np.zeros(len(_frame_times()), dtype=bool)
    summary = closure_tally(closed, FPS, PHONES).summary()
    assert summary["pbm_inside_pct"] == 0.0
    assert summary["pbm_40ms_pct"] == 0.0
    assert summary["false_closure_consonant_pct"] == 0.0
    assert np.isnan(summary["onset_error_ms"])


def test_always_closed_mouth_scores_full_pbm_and_high_false_closure():
    closed = np.ones(len(_frame_times()), dtype=bool)
    summary = closure_tally(closed, FPS, PHONES).summary()
    assert summary["pbm_inside_pct"] == 100.0
    assert summary["false_closure_consonant_pct"] == 100.0
    assert summary["false_closure_vowel_pct"] == 100.0
    assert summary["onset_bias_ms"] == pytest.approx(-250.0, abs=1000.0 / FPS)


def test_tolerance_counts_a_late_closure_only_within_40_ms():
    times = _frame_times()
    b = PHONES[1]
    late = np.zeros(len(times), dtype=bool)
    late[(times >= b.end_s + 0.025) & (times < b.end_s + 0.038)] = True  # 25-38 ms after /b/
    phones = PHONES[:3]
    summary = closure_tally(late, FPS, phones).summary()
    assert summary["pbm_inside_pct"] == 0.0
    assert summary["pbm_40ms_pct"] == 100.0
    assert summary["pbm_20ms_pct"] == 0.0
    too_late = np.zeros(len(times), dtype=bool)
    too_late[(times >= b.end_s + 0.06) & (times < b.end_s + 0.08)] = True
    assert closure_tally(too_late, FPS, phones).summary()["pbm_40ms_pct"] == 0.0


def test_false_closure_excludes_phones_next_to_bilabials():
    times = _frame_times()
    # Closed only inside the AH right after /b/ (coarticulation) and inside /t/ (a real error).
    closed = np.zeros(len(times), dtype=bool)
    closed[(times >= 0.40) & (times < 0.45)] = True
    closed[(times >= 0.52) & (times < 0.58)] = True
    tally = closure_tally(closed, FPS, PHONES)
    # Consonants far from bilabials: T, S. Vowels far from bilabials: AA only.
    assert tally.consonant_total == 2 and tally.consonant_closed == 1
    assert tally.vowel_total == 1 and tally.vowel_closed == 0
    assert tally.summary()["false_closure_consonant_pct"] == 50.0


def test_onset_error_measures_early_closure_after_speech():
    times = _frame_times()
    closed = np.zeros(len(times), dtype=bool)
    closed[(times >= 0.75 - 0.05) & (times < 0.91)] = True  # closes 50 ms before /m p/
    tally = closure_tally(closed, FPS, PHONES)
    # The /b/ run follows silence: no onset. The /m p/ run is one run with onset about -50 ms.
    assert len(tally.onset_errors_ms) == 1
    assert tally.onset_errors_ms[0] == pytest.approx(-50.0, abs=1000.0 / FPS)
    assert tally.summary()["onset_bias_ms"] < -30.0


def test_per_phone_counts():
    closed = _perfect_closed()
    tally = closure_tally(closed, FPS, PHONES).merge(closure_tally(closed, FPS, PHONES))
    rates = {label: (count, pct) for label, count, pct in per_phone_rates(tally)}
    assert rates["AH"] == (4, 0.0)
    assert rates["B"] == (2, 100.0)
    assert rates["M"] == (2, 100.0)
    assert "SIL" not in rates
    assert tally.pbm_total == 6


def test_bilabial_runs_join_touching_bilabials():
    assert bilabial_runs(PHONES) == [(1, 2), (5, 7)]


def test_short_phone_still_gets_a_frame():
    phones = (Phone(0.0, 0.1, "AH"), Phone(0.100, 0.105, "P"), Phone(0.105, 0.3, "AH"))
    closed = np.zeros(18, dtype=bool)
    closed[6] = True  # frame nearest the 5 ms phone's midpoint
    assert closure_tally(closed, FPS, phones).pbm_inside == 1


def test_mse_and_jitter():
    rng = np.random.default_rng(0)
    reference = rng.random((50, 4))
    assert mse(reference, reference) == 0.0
    assert mse(reference + 0.1, reference) == pytest.approx(0.01)
    assert mse(reference, reference[:40]) == 0.0  # common frames only
    ramp = np.linspace(0.0, 1.0, 30)
    assert jitter(ramp) == pytest.approx(0.0, abs=1e-12)
    noisy = ramp + rng.normal(0, 0.05, 30)
    assert jitter(noisy) > jitter(ramp)
    with pytest.raises(ValueError):
        mse(reference, reference[:, :3])
