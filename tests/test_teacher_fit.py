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
    pooled = agreement([a, b], [a[:3], b + 1.0])
    assert pooled.mad == 0.4  # |1 - 2| and |0 - 1| over 5 pooled frames
    assert -1.0 <= pooled.r <= 1.0
    scaled = agreement([a], [2 * a + 1])
    assert abs(scaled.r - 1.0) < 1e-12 and scaled.mad == np.abs(a - (2 * a + 1)).mean()
    assert abs(scaled.amplitude - 0.5) < 1e-12  # opens half as far
    ramp = np.linspace(0.0, 5.0, 300)
    assert abs(agreement([ramp], [2 * ramp + 1]).slow_r - 1.0) < 1e-9  # moving means alike


def test_a_timing_error_costs_r_but_not_the_slow_shape():
    """A curve with syllable-rate bumps, three frames late: r drops, its 200 ms means and its
    amplitude much less."""
    t = np.arange(600) / 60.0
    gap = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) * 8 + np.clip(np.sin(2 * np.pi * t), 0, None)
    three, one = teacher_late([gap], 3), teacher_late([gap], 1)
    assert three.r < one.r < 1.0 and three.r < 0.9
    assert three.slow_r > three.r and abs(three.amplitude - 1.0) < 0.01


def test_the_teacher_barely_moves_on_the_same_speech():
    """Its lips move over 10 mm on this clip; moved in its windows or under faint noise, the
    teacher's gap still follows itself (about r 0.9 here, 0.99 on real speech)."""
    teacher = load_model("teacher")
    audio = synthetic_utterance("fit", np.random.default_rng(1), 3.0).audio
    rows = teacher_against_itself(teacher, [audio], [lip_gap_mm(teacher, audio)])
    assert len(rows) == 4
    moved, noisy, one_late, three_late = rows.values()
    for figures in (moved, noisy):
        assert figures.r > 0.85 and figures.mad < 1.5
    assert one_late.r > three_late.r  # a later curve agrees less
