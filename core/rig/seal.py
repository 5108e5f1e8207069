"""The lip seal: one rule that closes the lips of a pose, for the animator and the teacher.

Given a silence probability (a phone head's P(SIL)), the rule can also part the lips where
speech has no bilabial closure: a pose head, a regression, keeps the jaw low on short consonants
and the demo head's relaxed lips touch there. Each student keeps its own speech ramp (`part_ramp`
in its config, chosen on the dev set's choose half by core.lab.distill.part_choice; None: off). The
shipped teacher does not part: its pose is what its students learn from (pseudo-labels), and in
continuous speech parting opened some of its p/b/m (reports/training_log.md).

A seal s (0..1 per frame) fades the lip-opening channels out, sets mouthClose to s * jawOpen
(ARKit's mouthClose closes the lips relative to the open jaw) and presses the lips by `press`.
The procedural animator seals P/B/M intervals with it; the Whisper teacher seals frames where its
closure head is confident (seal_from_probability), so "closed" means the same pose everywhere.
"""

import numpy as np

from .arkit import channel_index

# Channels that part the lips (L/R pairs written once); a seal fades them out.
LIP_OPENERS: tuple[str, ...] = ("mouthFunnel", "mouthUpperUp", "mouthLowerDown", "mouthShrugUpper")

# Closure probability -> seal: none below SEAL_FROM, full above SEAL_FULL (a smooth ramp between).
# The teacher's ramp; a student's own is chosen on the choosing sets and kept in its config
# (core.lab.distill.seal_choice): a small model's closure probability is less confident.
SEAL_FROM = 0.35
SEAL_FULL = 0.65
SEAL_RAMP = (SEAL_FROM, SEAL_FULL)
PRESS_AT_FULL_SEAL = 0.4
# Speech probability (1 - P(silence)) -> how far the lips must be apart (a model's part_ramp;
# this one by default); the jaw opens to at least PARTED_JAW there (about 3 mm between the demo
# head's lips).
SPEECH_RAMP = (0.5, 0.8)
PARTED_JAW = 0.10
# P(silent now) * P(speech within the margin) -> how far apart (part_near_speech)
MARGIN_RAMP = (0.3, 0.6)


def _side_channels(name: str, names: tuple[str, ...]) -> list[int]:
    index = channel_index(names)
    return [index[n] for n in (name, name + "Left", name + "Right") if n in index]


def lip_opener_columns(channels: tuple[str, ...]) -> list[int]:
    """Columns of the LIP_OPENERS channels (both sides) that `channels` holds."""
    return [k for name in LIP_OPENERS for k in _side_channels(name, channels)]


def apply_seal(
    weights: np.ndarray, seal: np.ndarray, press: np.ndarray, channels: tuple[str, ...]
) -> np.ndarray:
    """Weights (T, K) with the lips sealed by seal (T,) and pressed by press (T,); a new array."""
    out = np.array(weights, np.float32)
    for k in lip_opener_columns(channels):
        out[:, k] *= 1.0 - seal
    index = channel_index(channels)
    jaw, close = index["jawOpen"], index["mouthClose"]
    out[:, close] = np.maximum(out[:, close], seal * out[:, jaw])
    for k in _side_channels("mouthPress", channels):
        out[:, k] = np.maximum(out[:, k], press)
    return np.clip(out, 0.0, 1.0)


def _smoothstep(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    x = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return (x * x * (3.0 - 2.0 * x)).astype(np.float32)


def seal_from_probability(
    probability: np.ndarray, ramp: tuple[float, float] = SEAL_RAMP
) -> np.ndarray:
    """Seal (T,) of closure probabilities (T,): a smoothstep over the ramp (from, full)."""
    return _smoothstep(probability, *ramp)


def part_lips(weights: np.ndarray, openness: np.ndarray, channels: tuple[str, ...]) -> np.ndarray:
    """Weights (T, K) with the lips parted by openness (T,) 0..1: the jaw at least PARTED_JAW,
    mouthClose and mouthPress faded out; a new array."""
    out = np.array(weights, np.float32)
    index = channel_index(channels)
    jaw = index["jawOpen"]
    out[:, jaw] = np.maximum(out[:, jaw], PARTED_JAW * openness)
    for k in [index["mouthClose"], *_side_channels("mouthPress", channels)]:
        out[:, k] *= 1.0 - openness
    return out


def seal_closures(
    weights: np.ndarray,
    probability: np.ndarray,
    channels: tuple[str, ...],
    silence: np.ndarray | None = None,
    ramp: tuple[float, float] = SEAL_RAMP,
    speech_ramp: tuple[float, float] = SPEECH_RAMP,
) -> np.ndarray:
    """The teacher's rule: weights (T, K) sealed where the closure probability (T,) is high and,
    given the silence probability (T,), parted where it is speech without a closure."""
    seal = seal_from_probability(probability, ramp)
    if silence is not None:
        speech = _smoothstep(1.0 - silence, *speech_ramp)
        weights = part_lips(weights, (1.0 - seal) * speech, channels)
    return apply_seal(weights, seal, PRESS_AT_FULL_SEAL * seal, channels)


def silence_probability(phone_logits: np.ndarray, phones: tuple[str, ...]) -> np.ndarray:
    """P(SIL) (T,) of phone-class logits (T, P): the softmax's silence column."""
    shifted = phone_logits - phone_logits.max(axis=1, keepdims=True)
    total = np.exp(shifted).sum(axis=1)
    return (np.exp(shifted[:, phones.index("SIL")]) / total).astype(np.float32)


def _nearby_max(x: np.ndarray, margin: int) -> np.ndarray:
    """Per frame, the largest value of x (T,) within `margin` frames either side."""
    padded = np.pad(x, margin, mode="edge")
    return np.lib.stride_tricks.sliding_window_view(padded, 2 * margin + 1).max(axis=1)


def part_near_speech(
    weights: np.ndarray,
    probability: np.ndarray,
    silence: np.ndarray,
    config,
) -> np.ndarray:
    """Weights (T, K) with the lips parted on silent frames within config.speech_margin frames
    of speech that has no closure there: a speaker's lips part before the first sound of a word
    and stay apart a moment after the last. The teacher, trained on poses that leave the rest
    pose at the first phone, kept its lips closed into the first consonant after a pause: most
    of its false closures on the choose half (reports/training_log.md)."""
    near_speech = _nearby_max(1.0 - silence, config.speech_margin)
    near_seal = _nearby_max(
        seal_from_probability(probability, config.seal_ramp), config.speech_margin
    )
    openness = _smoothstep(silence * near_speech * (1.0 - near_seal), *MARGIN_RAMP)
    return part_lips(weights, openness, config.channels)


def finish_pose(
    weights: np.ndarray, probability: np.ndarray, phone_logits: np.ndarray, config
) -> np.ndarray:
    """A phone-aware model's pose at run time: weights (T, K) sealed by its closure
    probability (T,) over config.seal_ramp and, where config.part_ramp is set, parted in speech
    by its phone logits (T, P), and near speech where config has a speech_margin. One place for
    the students (numpy and torch) and the teacher."""
    margin = getattr(config, "speech_margin", 0)  # the teacher's only
    silence = None
    if config.part_ramp is not None or margin:
        silence = silence_probability(phone_logits, config.phones)
    pose = seal_closures(
        weights,
        probability,
        config.channels,
        silence if config.part_ramp is not None else None,
        config.seal_ramp,
        config.part_ramp or SPEECH_RAMP,
    )
    return part_near_speech(pose, probability, silence, config) if margin else pose
