"""Evaluation degradations are fixed per clip and keep the clip's length."""

import numpy as np
import pytest

from core.eval.degrade import DEGRADATIONS, degrade


@pytest.mark.parametrize("kind", DEGRADATIONS)
def test_degradations_are_repeatable_per_clip_and_keep_length(kind):
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal(16000)).astype(np.float32)
    first, again = degrade(audio, kind, "clip-a"), degrade(audio, kind, "clip-a")
    assert first.shape == audio.shape and first.dtype == np.float32
    assert np.array_equal(first, again)
    assert not np.allclose(first, audio, atol=1e-3)
    if kind != "lowpass":  # seeded by the clip: another clip gets another room or noise
        assert not np.array_equal(first, degrade(audio, kind, "clip-b"))


def test_unknown_degradation_is_refused():
    with pytest.raises(ValueError, match="unknown degradation"):
        degrade(np.zeros(1600, np.float32), "underwater", "x")
