"""Procedural animator: timed phones -> ARKit lower-face weights, the labels models learn from.

Coarticulation follows Cohen and Massaro's dominance model: every phone has a target pose and,
per articulator group (jaw, lip rounding, other lip shapes, tongue), a dominance that is flat
inside the phone and falls off as a Gaussian before and after it. Each channel at time t is the
dominance-weighted mean of the targets of all phones, plus a faint rest pose so that far from
any phone the face returns to neutral. Rounded vowels reach far back over consonants
(anticipatory rounding). Bilabial closure is not left to blending: inside every P/B/M interval
the lips are sealed (mouthClose matched to jawOpen, lip openers faded out, mouthPress on), with
short closing and opening ramps outside the interval. The phone table lives in core.phones.visemes.
"""

from collections.abc import Sequence

import numpy as np

from ..errors import LipSyncError
from ..rig.arkit import LOWER_FACE, channel_index
from ..rig.seal import apply_seal
from .phone_set import Phone
from .visemes import ALIASES, CLASSES, DIPHTHONGS, GROUPS, PHONES, REST_AFTER_S

REST_DOMINANCE = 1e-3  # weight of the neutral pose everywhere; wins only far from any phone
CLOSE_RAMP_S = (0.020, 0.080)  # lips travel to the seal over this range before a bilabial
OPEN_RAMP_S = (0.015, 0.050)  # and part again over this range after it
SILENT_HOLD_S = 0.10  # a bilabial after a silence holds the seal up to this long before it
_IDX = channel_index(LOWER_FACE)


def normalize_label(label: str) -> str:
    """ARPAbet label in the table's spelling: upper case, no stress digit, aliases resolved."""
    name = label.strip().upper().rstrip("012")
    name = ALIASES.get(name, name)
    if name not in PHONES and name not in DIPHTHONGS:
        raise LipSyncError(f"Phone label {label!r} is not an ARPAbet phone the animator knows.")
    return name


def _channels(name: str) -> tuple[str, ...]:
    """ARKit channels of a table name: 'mouthSmile' -> its Left and Right channels."""
    if name in _IDX:
        return (name,)
    return (name + "Left", name + "Right")


def _segments(phones: Sequence[Phone]) -> list[tuple[float, float, str, str]]:
    """(start_s, end_s, table phone, class) per segment; diphthongs split in two halves."""
    segments = []
    for k, phone in enumerate(phones):
        start, end = float(phone.start_s), float(phone.end_s)
        if not end > start:
            continue
        name = normalize_label(phone.label)
        if name in DIPHTHONGS:
            first, second = DIPHTHONGS[name]
            middle = 0.5 * (start + end)
            segments.append((start, middle, first, PHONES[first].cls))
            segments.append((middle, end, second, PHONES[second].cls))
        elif name == "SIL":
            edge = k == 0 or k == len(phones) - 1  # before and after speech: always rest
            long = end - start >= REST_AFTER_S
            segments.append((start, end, name, "rest" if edge or long else "pause"))
        else:
            segments.append((start, end, name, PHONES[name].cls))
    return segments


def _falloff(times_s: np.ndarray, start: np.ndarray, end: np.ndarray, before_s, after_s):
    """Dominance shape (T, S): 1 inside each segment, Gaussian decay before and after it."""
    t = times_s[:, None]
    early = np.clip(start[None, :] - t, 0.0, None) / before_s[None, :]
    late = np.clip(t - end[None, :], 0.0, None) / after_s[None, :]
    return np.exp(-(early**2) - late**2)


def _reach_limits(segments: list) -> tuple[np.ndarray, np.ndarray]:
    """Longest reach (S,) before and after each segment: a third of the way to the middle of
    the nearest rest silence, so a long silence always returns to the rest pose."""
    centres = [0.5 * (s[0] + s[1]) for s in segments if s[3] == "rest"]
    before = np.full(len(segments), np.inf)
    after = np.full(len(segments), np.inf)
    for i, (start, end, _, cls) in enumerate(segments):
        if cls == "rest":
            continue
        earlier = [c for c in centres if c <= start]
        later = [c for c in centres if c >= end]
        if earlier:
            before[i] = (start - max(earlier)) / 3.0
        if later:
            after[i] = (min(later) - end) / 3.0
    return np.maximum(before, 1e-3), np.maximum(after, 1e-3)


def _blend(times_s: np.ndarray, segments: list) -> np.ndarray:
    """Dominance-weighted blend of the segment targets, (T, 29)."""
    weights = np.zeros((len(times_s), len(LOWER_FACE)))
    if not segments:
        return weights
    start = np.array([s[0] for s in segments])
    end = np.array([s[1] for s in segments])
    classes = [CLASSES[s[3]] for s in segments]
    before_max, after_max = _reach_limits(segments)
    before = np.minimum([c.before_s for c in classes], before_max)
    after = np.minimum([c.after_s for c in classes], after_max)
    shape = _falloff(times_s, start, end, before, after)  # (T, S)
    for group, names in GROUPS.items():
        alpha = np.array([getattr(c, group) for c in classes])  # (S,)
        group_shape = shape
        if group == "round":  # rounding is anticipated further back, over consonants
            round_before = np.minimum([c.round_before_s or c.before_s for c in classes], before_max)
            group_shape = _falloff(times_s, start, end, round_before, after)
        dominance = group_shape * alpha[None, :]  # (T, S)
        total = dominance.sum(axis=1) + REST_DOMINANCE  # (T,)
        for name in names:
            target = np.array([PHONES[s[2]].pose.get(name, 0.0) for s in segments])  # (S,)
            value = dominance @ target / total  # (T,)
            for channel in _channels(name):
                weights[:, _IDX[channel]] = value
    return weights


def _seal(times_s: np.ndarray, segments: list) -> tuple[np.ndarray, np.ndarray]:
    """Bilabial seal (T,) in 0..1 and press (T,): 1 inside every P/B/M, ramps outside."""
    seal = np.zeros(len(times_s))
    press = np.zeros(len(times_s))
    fps_step = times_s[1] - times_s[0] if len(times_s) > 1 else 1.0
    for i, (start, end, name, _) in enumerate(segments):
        viseme = PHONES[name]
        if viseme.seal <= 0:
            continue
        prev_s = start - segments[i - 1][0] if i > 0 else CLOSE_RAMP_S[1]
        next_s = segments[i + 1][1] - end if i + 1 < len(segments) else OPEN_RAMP_S[1]
        close_s = np.clip(0.5 * prev_s, *CLOSE_RAMP_S)
        open_s = np.clip(0.35 * next_s, *OPEN_RAMP_S)
        geminate = i + 1 < len(segments) and PHONES[segments[i + 1][2]].seal > 0
        release_s = 0.0 if geminate else min(viseme.release_s, 0.25 * (end - start))
        release = end - release_s  # a stop's burst parts the lips, unless another closure follows
        # Lips meet and part at speed: the seal eases in before contact and out after release.
        # From silence the lips are already together: hold them so the jaw can get ready.
        after_silence = i > 0 and segments[i - 1][3] in ("rest", "pause")
        hold_s = min(0.4 * prev_s, SILENT_HOLD_S) if after_silence else 0.0
        closing = np.clip((times_s - (start - hold_s - close_s)) / close_s, 0.0, 1.0) ** 2
        opening = (1.0 - np.clip((times_s - release) / open_s, 0.0, 1.0)) ** 2
        shape = np.where(times_s < start, closing, np.where(times_s > release, opening, 1.0))
        # A bilabial shorter than a frame still seals the frame nearest its middle.
        nearest = int(np.clip(np.round(0.5 * (start + end) / fps_step), 0, len(times_s) - 1))
        shape[nearest] = 1.0
        seal = np.maximum(seal, viseme.seal * shape)
        press = np.maximum(press, viseme.press * shape)
    return seal, press


def animate(phones: Sequence[Phone], duration_s: float, fps: float = 60.0) -> np.ndarray:
    """Phones -> weights (T, 29) float32 over core.rig.arkit.LOWER_FACE, frame t at t / fps seconds.

    T = ceil(duration_s * fps). Labels are ARPAbet ("SIL" for silence), any case, stress digits
    allowed. Deterministic; every weight lies in [0, 1].
    """
    if not fps > 0 or not duration_s >= 0:
        raise LipSyncError(f"animate needs fps > 0 and duration >= 0, got {fps}, {duration_s}.")
    frame_count = max(1, int(np.ceil(duration_s * fps - 1e-9)))
    times_s = np.arange(frame_count) / fps
    segments = _segments(phones)
    weights = _blend(times_s, segments)
    seal, press = _seal(times_s, segments)
    press = np.convolve(np.pad(press, 1, mode="edge"), [0.25, 0.5, 0.25], mode="valid")  # no pop
    return apply_seal(weights, seal, press, LOWER_FACE)
