"""Exact causality offline (issue 17 item 5): changing the audio after time T changes nothing
the command line or the API write before T - latency, bit for bit, for the low-latency student.

latency = the model's future context + one 10 ms frame (scene frames interpolate the next 100 fps
frame) + the ensemble smoothing offset + the resampler's reach (under 1 ms of source audio).
"""

import csv
from math import gcd
from pathlib import Path

import numpy as np
import pytest
import soundfile
from scipy.signal import resample_poly

from core import api
from core.audio import blocks as audio_blocks
from core.cli import main
from core.runtime.smoothing import DELTA_S

ROOT = Path(__file__).resolve().parents[1]
FPS = 30.0
RESAMPLER_REACH_S = 0.001


@pytest.fixture(scope="module")
def model() -> api.Model:
    return api.load_model("s_lowlat")


def _speech(rate: int, seconds: float) -> np.ndarray:
    """The bundled LibriVox sample looped to `seconds`, at `rate`, float32 (N,)."""
    sample, sample_rate = soundfile.read(ROOT / "assets" / "sample_speech.wav", dtype="float32")
    looped = np.resize(sample, int(seconds * sample_rate))
    g = gcd(rate, sample_rate)
    return resample_poly(looped, rate // g, sample_rate // g).astype(np.float32)


def _pair(tmp_path: Path, rate: int, seconds: float, cut_s: float) -> tuple[Path, Path]:
    """The same speech twice; in the second, everything from cut_s on is other loud audio."""
    speech = _speech(rate, seconds)
    changed = speech.copy()
    cut = int(cut_s * rate)
    rng = np.random.default_rng(0)
    changed[cut:] = np.clip(rng.normal(0.2, 0.3, len(speech) - cut), -1, 1)  # new mean too
    paths = tmp_path / f"a-{rate}.wav", tmp_path / f"b-{rate}.wav"
    for path, samples in zip(paths, (speech, changed), strict=True):
        soundfile.write(path, samples, rate, subtype="FLOAT")
    return paths


def _unchanged_frames(model: api.Model, cut_s: float, n_frames: int) -> int:
    latency_s = model.config.future_ms / 1000 + 0.01 + DELTA_S + RESAMPLER_REACH_S
    times_s = np.arange(n_frames) / FPS
    return int(np.count_nonzero(times_s < cut_s - latency_s))


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open() as handle:
        return list(csv.reader(handle))[1:]


@pytest.mark.parametrize("rate", [16000, 44100, 48000])
@pytest.mark.parametrize("cut_s", [0.7, 4.2])  # inside and after the DC-offset window
@pytest.mark.parametrize("blocks", [False, True], ids=["whole", "blocks"])
def test_audio_after_t_changes_nothing_before_t_minus_latency(
    model, tmp_path, monkeypatch, rate, cut_s, blocks
):
    if blocks:  # the long-file route: blocks through the streaming runtime
        monkeypatch.setattr(api, "LONG_CLIP_S", 2.0)
        monkeypatch.setattr(audio_blocks, "BLOCK_S", 1.3)
    a, b = _pair(tmp_path, rate, 6.0, cut_s)
    weights_a = api.predict_file(model, a, FPS).weights
    weights_b = api.predict_file(model, b, FPS).weights
    keep = _unchanged_frames(model, cut_s, len(weights_a))
    assert keep > 10
    np.testing.assert_array_equal(weights_b[:keep], weights_a[:keep])
    after = int((cut_s + 0.1) * FPS)
    assert np.abs(weights_b[after:] - weights_a[after:]).max() > 1e-3  # the change is seen
    rows = []
    for path in (a, b):  # and through the command line, to the written text
        out = tmp_path / f"{path.stem}.csv"
        argv = ["predict", str(path), "--model", "s_lowlat", "--fps", str(FPS), "--out", str(out)]
        assert main(argv) == 0
        rows.append(_csv_rows(out))
    assert rows[0][:keep] == rows[1][:keep]
    assert rows[0][after:] != rows[1][after:]
