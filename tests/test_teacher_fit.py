"""The fit study: its agreement measure, and the teacher's ceiling rows on real samples."""

import numpy as np

from core.api import load_model
from core.lab.distill.synthetic import synthetic_utterance
from core.lab.studies.teacher_fit import (
    agreement,
    lip_gap_mm,
    teacher_against_itself,
    teacher_late,
)


def test_agreement_pools_clips_and_trims_each_pair_to_the_shorter():
    a, b = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 0.0])
    r, mad, _, _ = agreement([a, b], [a[:3], b + 1.0])
    assert mad == 0.4  # |1 - 2| and |0 - 1| over 5 pooled frames
    assert -1.0 <= r <= 1.0
    r, mad, _, amplitude = agreement([a], [2 * a + 1])
    assert abs(r - 1.0) < 1e-12 and mad == np.abs(a - (2 * a + 1)).mean()
    assert abs(amplitude - 0.5) < 1e-12  # opens half as far
    ramp = np.linspace(0.0, 5.0, 300)
    assert abs(agreement([ramp], [2 * ramp + 1])[2] - 1.0) < 1e-9  # moving means alike


def test_a_timing_error_costs_r_but_not_the_slow_shape():
    """A curve with syllable-rate bumps, three frames late: r drops, its 200 ms means and its
    amplitude much less."""
    t = np.arange(600) / 60.0
    gap = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) * 8 + np.clip(np.sin(2 * np.pi * t), 0, None)
    r, _, slow_r, amplitude = teacher_late([gap], 3)
    r1, *_ = teacher_late([gap], 1)
    assert r < r1 < 1.0 and r < 0.9
    assert slow_r > r and abs(amplitude - 1.0) < 0.01


def test_the_teacher_barely_moves_on_the_same_speech():
    """Its lips move over 10 mm on this clip; moved in its windows or under faint noise, the
    teacher's gap still follows itself (about r 0.9 here, 0.99 on real speech)."""
    teacher = load_model("teacher")
    audio = synthetic_utterance("fit", np.random.default_rng(1), 3.0).audio
    rows = teacher_against_itself(teacher, [audio], [lip_gap_mm(teacher, audio)])
    assert len(rows) == 4
    moved, noisy, one_late, three_late = rows.values()
    for r, mad, _, _ in (moved, noisy):
        assert r > 0.85 and mad < 1.5
    assert one_late[0] > three_late[0]  # a later curve agrees less
