"""Evaluation degradations are fixed per clip and keep the clip's length; the choosing sets."""

import numpy as np
import pytest

from core.lab.eval.degrade import DEGRADATIONS, degrade


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


def test_choosing_sets_merit_weighs_real_speech_half_and_degraded_sets_are_fixed(tmp_path):
    from core.errors import CorpusError
    from core.lab.eval.choosing_sets import REAL_SET, degraded, kokoro_heldout, merit
    from core.lab.eval.devset_clip import DevClip

    a = {"pbm_40ms_pct": 90.0, "false_closure_consonant_pct": 10.0}
    b = {"pbm_40ms_pct": 60.0, "false_closure_consonant_pct": 20.0}
    assert merit({REAL_SET: a, "b": b}) == pytest.approx(60.0)  # (80 + 40) / 2
    # the real set weighs as much as every synthetic one together
    assert merit({REAL_SET: a, "b": b, "c": b, "d": b}) == pytest.approx(60.0)
    assert merit({REAL_SET: a}) == pytest.approx(80.0)

    rng = np.random.default_rng(1)
    clips = [
        DevClip(
            f"c{i}",
            (0.1 * rng.standard_normal(8000)).astype(np.float32),
            (),
            "",
            "test",
            "s",
            "F",
            "",
        )
        for i in range(2)
    ]
    first, again = degraded(clips, "reverb"), degraded(clips, "reverb")
    assert all(np.array_equal(x.audio, y.audio) for x, y in zip(first, again, strict=True))
    assert first[0].clip_id == "c0" and not np.allclose(first[0].audio, clips[0].audio)
    with pytest.raises(CorpusError, match="no Kokoro shards"):
        kokoro_heldout(tmp_path)
