"""Mouth width on the demo head, the rounding contrast and AUC, fidelity to the teacher."""

import numpy as np
import pytest

from core.demohead.head import load_demo_head
from core.lab.eval.mouth_shape import (
    ShapeTally,
    auc_narrower,
    mouth_corners,
    mouth_width_mm,
    speech_mask,
    vowel_widths,
)
from core.phones.phone_set import Phone

FPS = 60.0
NAMES = ("jawOpen", "mouthPucker", "mouthFunnel", "mouthStretchLeft", "mouthStretchRight")


def test_corners_are_mirror_images_and_width_follows_the_keys():
    head = load_demo_head()
    left, right = mouth_corners(head)
    np.testing.assert_allclose(head.co[left] * [-1, 1, 1], head.co[right], atol=1e-5)
    poses = np.zeros((4, len(NAMES)))
    poses[1, 1] = 1.0  # pucker
    poses[2, 2] = 1.0  # funnel
    poses[3, 3:] = 1.0  # stretch both sides
    rest, pucker, funnel, stretch = mouth_width_mm(poses, NAMES, head)
    assert 40.0 < rest < 60.0
    assert pucker < rest - 5.0 and funnel < rest - 2.0 and stretch > rest + 5.0


def test_rounding_and_fidelity_of_a_system_that_rounds():
    phones = (
        Phone(0.0, 0.2, "SIL"),
        Phone(0.2, 0.5, "UW"),
        Phone(0.5, 0.8, "IY"),
        Phone(0.8, 1.1, "OW"),
        Phone(1.1, 1.4, "EH"),
        Phone(1.4, 1.6, "SIL"),
    )
    frames = int(1.6 * FPS)
    t = np.arange(frames) / FPS
    rounded = ((t >= 0.2) & (t < 0.5)) | ((t >= 0.8) & (t < 1.1))
    weights = np.zeros((frames, len(NAMES)))
    weights[:, 0] = 0.2 * ((t > 0.2) & (t < 1.4))
    weights[:, 1] = np.where(rounded, 0.8, 0.0)
    head = load_demo_head()
    width = mouth_width_mm(weights, NAMES, head)
    assert [label for label, _ in vowel_widths(width, phones, FPS)] == ["UW", "IY", "OW", "EH"]
    gap = np.linspace(0.0, 5.0, frames)
    tally = ShapeTally()
    tally.add(gap, gap, width, phones, FPS)
    summary = tally.summary()
    assert summary["rounding_auc"] == 1.0 and summary["rounding_contrast_mm"] > 5.0
    assert summary["gap_r"] == pytest.approx(1.0) and summary["gap_mad_mm"] == 0.0
    assert summary["rounded_n"] == 2 and summary["spread_n"] == 2


def test_auc_and_speech_mask():
    assert auc_narrower(np.array([1.0, 2.0]), np.array([3.0, 2.0])) == 0.875
    assert np.isnan(auc_narrower(np.array([]), np.array([1.0])))
    mask = speech_mask((Phone(0.0, 0.5, "SIL"), Phone(0.5, 1.0, "AA")), 60, FPS)
    assert not mask[:29].any() and mask[31:].all()
