"""Rest on silence: where nobody speaks, a face rests with its lips together.

Every model is fed SIGNAL_S seconds of each quiet signal below (16 kHz, fixed seed) and scored
at 60 fps with smoothing on (the add-on's default). A frame is at rest when the demo head's
midline lip gap is under 1 mm (core.demohead.head.is_closed) and jawOpen is at most
REST_JAW_OPEN_MAX
(lips can also be sealed with the jaw dropped, by mouthClose; that is no rest pose). Levels are
RMS in dB relative to full scale (a full-scale square wave is 0 dBFS: RMS 1.0).

Signals: digital silence (all zeros); room tone, pink and brown noise at -60 dBFS (a quiet room
through a decent microphone); noise between lines, white and pink noise at -45 dBFS (a noisy
recording's floor between two lines of dialogue).
"""

from dataclasses import dataclass

import numpy as np

from ...animation import Animation
from ...audio.prepare import SAMPLE_RATE
from ...demohead.head import DemoHead, is_closed, lip_gap
from .scoring import EVAL_FPS

SIGNAL_S = 3.0
REST_JAW_OPEN_MAX = 0.05  # jawOpen 0.05 drops the demo head's jaw by ~1.7 mm
REST_SHARE_MIN = 0.95  # the target: at rest on at least this share of frames


def rests_everywhere(rest_shares) -> bool:
    """Whether a model is at rest on REST_SHARE_MIN of the frames of every quiet signal."""
    return min(rest_shares) >= REST_SHARE_MIN


SEED = 2016


@dataclass(frozen=True)
class QuietSignal:
    """One quiet input: its name, noise colour (None: digital silence) and level."""

    name: str
    colour: str | None  # "white", "pink", "brown"
    level_dbfs: float


SIGNALS = (
    QuietSignal("digital silence", None, -np.inf),
    QuietSignal("room tone, pink -60 dBFS", "pink", -60.0),
    QuietSignal("room tone, brown -60 dBFS", "brown", -60.0),
    QuietSignal("between lines, white -45 dBFS", "white", -45.0),
    QuietSignal("between lines, pink -45 dBFS", "pink", -45.0),
)


def noise(colour: str, n_samples: int, level_dbfs: float, seed: int = SEED) -> np.ndarray:
    """Coloured Gaussian noise (n_samples,) float32 at an RMS level in dBFS.

    White is flat; pink falls 3 dB per octave (power ~ 1/f), brown 6 dB (~ 1/f^2); no DC.
    """
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n_samples))
    freqs_hz = np.fft.rfftfreq(n_samples, 1.0 / SAMPLE_RATE)
    power_slope = {"white": 0.0, "pink": 1.0, "brown": 2.0}[colour]
    shape = np.zeros_like(freqs_hz)
    shape[1:] = freqs_hz[1:] ** (-power_slope / 2.0)  # amplitude ~ f^(-slope / 2), DC removed
    samples = np.fft.irfft(spectrum * shape, n_samples)
    samples *= 10.0 ** (level_dbfs / 20.0) / np.sqrt(np.mean(samples**2))
    return samples.astype(np.float32)


def signal_samples(signal: QuietSignal, duration_s: float = SIGNAL_S) -> np.ndarray:
    """The samples (N,) float32 at 16 kHz of one quiet signal."""
    n_samples = int(round(duration_s * SAMPLE_RATE))
    if signal.colour is None:
        return np.zeros(n_samples, dtype=np.float32)
    return noise(signal.colour, n_samples, signal.level_dbfs)


def rest_frames(animation: Animation, head: DemoHead) -> np.ndarray:
    """True (T,) where the pose is the rest pose: lips together and the jaw (nearly) shut."""
    closed = is_closed(lip_gap(animation.weights, animation.channel_names, head))
    names = list(animation.channel_names)
    jaw = animation.weights[:, names.index("jawOpen")] if "jawOpen" in names else 0.0
    return closed & (np.asarray(jaw) <= REST_JAW_OPEN_MAX)


@dataclass(frozen=True)
class RestScore:
    """A model's behaviour on one quiet signal."""

    signal: str
    rest_share: float  # share of frames at rest, 0..1
    lips_closed_share: float  # share of frames with the lips together (jaw open or not)
    mean_jaw_open: float
    max_lip_gap_mm: float


def rest_on_silence(model, head: DemoHead, smoothing: bool = True) -> list[RestScore]:
    """Score a loaded model (core.api.Model) on every quiet signal."""
    from ...api import predict

    scores = []
    for signal in SIGNALS:
        animation = predict(model, signal_samples(signal), SAMPLE_RATE, EVAL_FPS, smoothing)
        names = list(animation.channel_names)
        jaw = animation.weights[:, names.index("jawOpen")] if "jawOpen" in names else [0.0]
        gap_m = lip_gap(animation.weights, animation.channel_names, head)  # (T,)
        scores.append(
            RestScore(
                signal.name,
                float(rest_frames(animation, head).mean()),
                float(is_closed(gap_m).mean()),
                float(np.mean(jaw)),
                float(1000.0 * gap_m.max()),
            )
        )
    return scores
