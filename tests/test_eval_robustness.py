"""The robustness suite's conditions keep length and timing and are seeded per clip; the suite
scores a stub model under every condition."""

import numpy as np
import pytest

from core.animation import Animation
from core.demohead.head import load_demo_head
from core.lab.corpus.pitch_shift import pitch_shift
from core.lab.eval.robustness import degraded_items, run_suite, suite_lines
from core.lab.eval.robustness_conditions import CONDITIONS, apply_condition
from core.lab.eval.scoring import EVAL_FPS, EvalItem
from core.phones.phone_set import Phone
from core.rig.arkit import LOWER_FACE

SR = 16000


def _burst(onset_s: float = 0.5, seconds: float = 1.5) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    tone = 0.3 * np.sin(2 * np.pi * 200 * t) * ((t > onset_s) & (t < onset_s + 0.4))
    return tone.astype(np.float32)


def _onset_s(audio: np.ndarray) -> float:
    envelope = np.convolve(np.abs(audio), np.ones(80) / 80, mode="same")
    return float(np.argmax(envelope > 0.3 * envelope.max()) / SR)


BABBLE = _burst(0.1, 2.0)


@pytest.mark.parametrize("name", list(CONDITIONS))
def test_condition_keeps_length_timing_and_seed(name):
    audio = _burst()
    out = apply_condition(audio, name, "clip-1", BABBLE)
    assert out.shape == audio.shape and out.dtype == np.float32
    assert np.all(np.isfinite(out)) and np.abs(out).max() <= 1.0
    np.testing.assert_array_equal(out, apply_condition(audio, name, "clip-1", BABBLE))
    if not name.startswith(("reverb", "babble", "pink")):
        assert abs(_onset_s(out) - _onset_s(audio)) < 0.012, name  # codecs: delay removed


def test_noise_differs_per_clip_key():
    audio = _burst()
    a = apply_condition(audio, "pink noise 15 dB", "clip-1", BABBLE)
    b = apply_condition(audio, "pink noise 15 dB", "clip-2", BABBLE)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("semitones", [4.0, -4.0])
def test_pitch_shift_moves_frequency_not_time(semitones):
    audio = _burst()
    out = pitch_shift(audio, semitones)
    segment = out[int(0.6 * SR) : int(0.85 * SR)]
    peak_hz = np.fft.rfftfreq(len(segment), 1 / SR)[np.argmax(np.abs(np.fft.rfft(segment)))]
    assert abs(peak_hz - 200 * 2 ** (semitones / 12)) < 6.0
    assert abs(_onset_s(out) - 0.5) < 0.012


class _StubCache:
    """Stands in for PredictionCache: closes the lips wherever the audio is loud."""

    def predictor(self, model, smoothing):
        def run(item):
            frames = int(len(item.audio) / SR * EVAL_FPS)
            hop = SR / EVAL_FPS
            loud = np.array(
                [
                    np.abs(item.audio[int(i * hop) : int((i + 1) * hop)]).mean() > 0.05
                    for i in range(frames)
                ]
            )
            weights = np.zeros((frames, len(LOWER_FACE)), dtype=np.float32)
            weights[:, LOWER_FACE.index("jawOpen")] = np.where(loud, 0.0, 0.3)
            return Animation(EVAL_FPS, LOWER_FACE, weights)

        return run


class _Model:
    name = "stub"


def test_suite_scores_every_condition():
    phones = (Phone(0.0, 0.5, "SIL"), Phone(0.5, 0.9, "M"), Phone(0.9, 1.5, "AA"))
    items = [EvalItem("a", _burst(), phones)]
    assert degraded_items(items, "clean", BABBLE) == items
    assert degraded_items(items, "8 kHz", BABBLE)[0].item_id == "a@8 kHz"
    rows = run_suite([_Model()], {"set": items}, BABBLE, _StubCache(), load_demo_head())
    assert [r["condition"] for r in rows] == list(CONDITIONS)
    assert rows[0]["metrics"]["pbm_40ms_pct"] == 100.0
    lines = suite_lines(rows, ["note"])
    assert sum(line.startswith("| ") for line in lines) == len(CONDITIONS) + 1


def test_suite_scores_only_the_conditions_asked_for():
    """Candidates are compared under chosen conditions; the table holds just those rows."""
    phones = (Phone(0.0, 0.5, "SIL"), Phone(0.5, 0.9, "M"), Phone(0.9, 1.5, "AA"))
    items = [EvalItem("a", _burst(), phones)]
    wanted = ("pitch +4 semitones", "clean")
    rows = run_suite(
        [_Model()], {"set": items}, BABBLE, _StubCache(), load_demo_head(), None, wanted
    )
    assert [r["condition"] for r in rows] == list(wanted)
    table = [line for line in suite_lines(rows, []) if line.startswith("| ")]
    assert [line.split(" | ")[0] for line in table[1:]] == ["| pitch +4 semitones", "| clean"]
    # a model carried from an earlier run that had only one of them shows a dash in the other
    carried = dict(rows[1], system="old (measured 2026-12-01)")
    table = [line for line in suite_lines([*rows, carried], []) if line.startswith("| ")]
    assert table[1].endswith(" | – |") and not table[2].endswith(" | – |")
