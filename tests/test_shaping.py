"""Strength and lip-close bias on predicted weights (core.rig.shaping), before mapping and
keying."""

import numpy as np
import pytest

from core.rig.arkit import LOWER_FACE
from core.rig.seal import lip_opener_columns
from core.rig.shaping import apply_close_bias, apply_strength

NAMES = ("jawOpen", "mouthClose", "mouthSmileLeft")
WEIGHTS = np.array([[0.1, 0.1, 0.1], [1.0, 0.2, 0.5], [0.6, 0.9, 0.3]], dtype=np.float32)


def test_strength_scales_clips_and_leaves_its_input_alone():
    weights = np.array([[0.2, 0.8], [0.0, 1.0]], dtype=np.float32)
    out = apply_strength(weights, 1.5)
    np.testing.assert_allclose(out, [[0.3, 1.0], [0.0, 1.0]], rtol=1e-6)
    assert out.dtype == np.float32 and weights[0, 1] == np.float32(0.8)
    np.testing.assert_array_equal(apply_strength(weights, 1.0), weights)
    np.testing.assert_array_equal(apply_strength(weights, 0.0), np.zeros_like(weights))


def test_close_bias_collapses_small_openings_and_keeps_full_ones():
    out = apply_close_bias(WEIGHTS, NAMES, 0.2)
    np.testing.assert_allclose(out[:, 0], [0.0, 1.0, 0.5], rtol=1e-6)
    np.testing.assert_allclose(out[:, 1], [0.0, 0.2, 0.5], rtol=1e-6)  # capped at the new jawOpen
    np.testing.assert_allclose(out[:, 2], WEIGHTS[:, 2])  # not a lip-opening channel
    np.testing.assert_array_equal(apply_close_bias(WEIGHTS, NAMES, 0.0), WEIGHTS)


def test_close_bias_returns_a_new_array_and_leaves_the_take_alone():
    before = WEIGHTS.copy()
    out = apply_close_bias(WEIGHTS, NAMES, 0.5)
    assert out is not WEIGHTS and np.array_equal(WEIGHTS, before)
    assert apply_close_bias(WEIGHTS, NAMES, 0.0) is not WEIGHTS


def test_every_lip_opening_channel_is_biased_and_a_rig_without_some_is_fine():
    openers = [LOWER_FACE[k] for k in lip_opener_columns(LOWER_FACE)]
    assert len(openers) == 6  # funnel, shrug and both sides of upper-up and lower-down
    names = ("jawOpen", *openers, "mouthClose")
    weights = np.full((2, len(names)), 0.1, dtype=np.float32)
    out = apply_close_bias(weights, names, 0.2)
    assert np.all(out == 0.0)  # every opener collapsed; mouthClose capped at jawOpen = 0
    out = apply_close_bias(WEIGHTS[:, 1:], NAMES[1:], 0.2)  # no jawOpen: no cap to apply
    np.testing.assert_array_equal(out, WEIGHTS[:, 1:])


@pytest.mark.parametrize("bias", [-0.1, 1.0, 1.5])
def test_a_bias_outside_zero_to_one_is_refused(bias):
    with pytest.raises(ValueError, match="close bias"):
        apply_close_bias(WEIGHTS, NAMES, bias)
