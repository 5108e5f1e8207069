"""Every shipped model rests (lips together, jaw shut) on silence, room tone and quiet noise.

Issue 16, item 5: on at least 95 % of frames. The signals, levels and the rest-pose rule are in
core/lab/eval/rest_pose.py; `make eval` reports the same figures per model in reports/eval.md.
"""

import numpy as np
import pytest

from core.animation import Animation
from core.api import load_model, shipped_models
from core.demohead.head import load_demo_head
from core.lab.eval.rest_pose import (
    REST_SHARE_MIN,
    SIGNALS,
    rest_frames,
    rest_on_silence,
    signal_samples,
)


def test_quiet_signals_have_their_level_and_colour():
    for signal in SIGNALS:
        samples = signal_samples(signal)
        assert samples.shape == (48000,) and samples.dtype == np.float32
        if signal.colour is None:
            assert not samples.any()
            continue
        rms_dbfs = 20 * np.log10(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
        assert rms_dbfs == pytest.approx(signal.level_dbfs, abs=0.01)
        power = np.abs(np.fft.rfft(samples)) ** 2
        low, high = power[30:300].mean(), power[3000:30000].mean()  # 10-100 Hz vs 1-10 kHz
        assert {"white": 0.3 < low / high < 3, "pink": low / high > 30, "brown": low / high > 3000}[
            signal.colour
        ]


def test_rest_pose_rule():
    head = load_demo_head()
    channels = ("jawOpen", "mouthClose")
    weights = np.array([[0.0, 0.0], [0.3, 0.0], [0.1, 0.1], [0.03, 0.03]], dtype=np.float32)
    rest = rest_frames(Animation(60.0, channels, weights), head)
    # rest; open; sealed with the jaw dropped (not rest); sealed with the jaw nearly shut
    assert rest.tolist() == [True, False, False, True]


def test_there_are_shipped_models_to_check():
    assert shipped_models(), "assets/models holds no model file"


@pytest.mark.parametrize("name", shipped_models())
def test_shipped_model_rests_on_silence_and_quiet_noise(name):
    scores = rest_on_silence(load_model(name), load_demo_head())
    failing = [s for s in scores if s.rest_share < REST_SHARE_MIN]
    assert not failing, f"{name} is not at rest on ≥ {REST_SHARE_MIN:.0%} of frames: " + "; ".join(
        f"{s.signal}: {s.rest_share:.0%} at rest, lips together {s.lips_closed_share:.0%}, "
        f"mean jawOpen {s.mean_jaw_open:.3f}, max lip gap {s.max_lip_gap_mm:.1f} mm"
        for s in failing
    )
