"""The fit study: its agreement measure, and the teacher's ceiling rows on real samples."""

import numpy as np

from core.api import load_model
from core.lab.distill.synthetic import synthetic_utterance
from core.lab.studies.teacher_fit import agreement, lip_gap_mm, teacher_against_itself


def test_agreement_pools_clips_and_trims_each_pair_to_the_shorter():
    a, b = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 0.0])
    r, mad = agreement([a, b], [a[:3], b + 1.0])
    assert mad == 0.4  # |1 - 2| and |0 - 1| over 5 pooled frames
    assert -1.0 <= r <= 1.0
    r, mad = agreement([a], [2 * a + 1])
    assert abs(r - 1.0) < 1e-12 and mad == np.abs(a - (2 * a + 1)).mean()


def test_the_teacher_barely_moves_on_the_same_speech():
    """Its lips move over 10 mm on this clip; moved in its windows or under faint noise, the
    teacher's gap still follows itself (about r 0.9 here, 0.99 on real speech)."""
    teacher = load_model("teacher")
    audio = synthetic_utterance("fit", np.random.default_rng(1), 3.0).audio
    rows = teacher_against_itself(teacher, [audio], [lip_gap_mm(teacher, audio)])
    assert len(rows) == 2
    for r, mad in rows.values():
        assert r > 0.85 and mad < 1.5
