"""Opt-in key reduction for long takes (core.export.key_reduction): an error bound, never a silent
drop."""

import numpy as np
import pytest

from core.export.key_reduction import max_error, reduce_keys


def _speech_like_curve(count: int, seed: int = 0) -> np.ndarray:
    """A smooth 0..1 curve with rests at 0, like a mouth channel at 30 fps."""
    rng = np.random.default_rng(seed)
    walk = np.convolve(rng.normal(0, 0.05, count), np.ones(5) / 5, mode="same").cumsum()
    return np.clip(np.sin(walk) * 0.8, 0.0, 1.0).astype(np.float32)


def test_tolerance_zero_keeps_every_key():
    values = _speech_like_curve(500)
    np.testing.assert_array_equal(reduce_keys(values, 0.0), np.arange(500))


@pytest.mark.parametrize("tolerance", [1e-4, 1e-3, 1e-2])
def test_every_dropped_value_is_within_the_tolerance_and_ends_are_kept(tolerance):
    values = _speech_like_curve(5000, seed=int(tolerance * 1e4))
    kept = reduce_keys(values, tolerance)
    assert kept[0] == 0 and kept[-1] == len(values) - 1
    assert np.all(np.diff(kept) > 0)
    assert max_error(values, kept) <= tolerance * (1 + 1e-9)
    assert len(kept) < len(values)


def test_the_bound_holds_on_noise_too():
    values = np.random.default_rng(3).random(3000).astype(np.float32)
    kept = reduce_keys(values, 0.05)
    assert max_error(values, kept) <= 0.05 * (1 + 1e-9)


def test_lines_and_rests_need_only_their_ends():
    np.testing.assert_array_equal(reduce_keys(np.zeros(1000, np.float32), 1e-4), [0, 999])
    ramp = np.linspace(0.0, 1.0, 301)
    np.testing.assert_array_equal(reduce_keys(ramp, 1e-6), [0, 300])
    corner = np.concatenate([np.zeros(50), np.linspace(0, 1, 51)[1:]])  # a rest, then a rise
    np.testing.assert_array_equal(reduce_keys(corner, 1e-6), [0, 49, 99])


def test_short_curves_and_bad_tolerances():
    np.testing.assert_array_equal(reduce_keys(np.array([0.5]), 0.1), [0])
    np.testing.assert_array_equal(reduce_keys(np.array([0.5, 0.1]), 0.1), [0, 1])
    with pytest.raises(ValueError, match="tolerance"):
        reduce_keys(np.zeros(3), -1e-3)
