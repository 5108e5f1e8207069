"""The closures of a take: where its lips seal for a p/b/m, how firmly, and on which phone.

A frame is *closed* by the project's one rule (the demo head's midline lip gap at or below
1 mm, core.demohead.head.is_closed). The rest pose is closed too, so a closed frame counts as
*sealed* only where the take seals the lips as core.rig.seal does for a bilabial: mouthClose
matched to jawOpen, or the lips pressed. Per frame, the seal estimate is

    seal = max(mouthPress / PRESS_AT_FULL_SEAL, mouthClose / jawOpen (where jawOpen > 0.02))

clipped to 0..1: for the models it is the seal their closure head gave (a smoothstep of its
closure probability), for transcript mode's animator 1 inside every aligned p/b/m. A closure is
a run of closed frames whose seal is at least SEALING, with a peak of at least SEALED; its
confidence is that peak.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..demohead.head import is_closed, lip_gap
from ..phones.phone_set import BILABIALS, Phone, base_label
from ..rig.arkit import channel_index
from ..rig.seal import PRESS_AT_FULL_SEAL

SEALING = 0.1  # a closed frame with at least this seal belongs to a closure
SEALED = 0.25  # a closure's firmest frame seals at least this much
_JAW_FOR_RATIO = 0.02  # below this jaw opening, mouthClose / jawOpen says nothing

ORIGINS = ("model", "text", "added")


@dataclass(frozen=True)
class Closure:
    """One lip closure of a take, in frames of the take (frame 0 is its first key)."""

    start: int  # first sealed frame
    stop: int  # one past the last sealed frame
    confidence: float  # 0..1: the seal at the closure's firmest frame
    phone: str = ""  # the aligned text's P, B or M inside it ('' without text)
    origin: str = "model"  # "model", "text" (an aligned p/b/m) or "added" (a correction)

    @property
    def middle(self) -> float:
        """The closure's middle, in frames of the take."""
        return 0.5 * (self.start + self.stop - 1)


def seal_estimate(weights: np.ndarray, channels: Sequence[str]) -> np.ndarray:
    """Seal (T,) 0..1 per frame of weights (T, K) (see the module docstring)."""
    index = channel_index(tuple(channels))
    weights = np.asarray(weights, np.float32)
    seal = np.zeros(len(weights), np.float32)
    presses = [index[n] for n in ("mouthPressLeft", "mouthPressRight") if n in index]
    if presses:
        seal = weights[:, presses].mean(axis=1) / PRESS_AT_FULL_SEAL
    if "jawOpen" in index and "mouthClose" in index:
        jaw, close = weights[:, index["jawOpen"]], weights[:, index["mouthClose"]]
        ratio = np.where(jaw > _JAW_FOR_RATIO, close / np.maximum(jaw, _JAW_FOR_RATIO), 0.0)
        seal = np.maximum(seal, ratio)
    return np.clip(seal, 0.0, 1.0).astype(np.float32)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of every run of True in a boolean mask (T,)."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], np.asarray(mask, np.int8), [0]])))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def sealed_frames(weights: np.ndarray, channels: Sequence[str]) -> np.ndarray:
    """Boolean (T,): the frames inside a closure of weights (T, K)."""
    mask = np.zeros(len(weights), bool)
    for closure in find_closures(weights, channels, fps=1.0):
        mask[closure.start : closure.stop] = True
    return mask


def find_closures(
    weights: np.ndarray,
    channels: Sequence[str],
    fps: float,
    phones: Sequence[Phone] = (),
    added: Sequence[tuple[int, int]] = (),
    offset: int = 0,
) -> list[Closure]:
    """The closures of weights (T, K) at `fps`, in time order. `phones` (seconds from frame 0)
    name the aligned p/b/m inside a closure; `added` spans [start, stop) mark closures a
    correction added. Frames are numbered from `offset` (for a window of a longer take)."""
    weights = np.asarray(weights, np.float32)
    if len(weights) == 0:
        return []
    seal = seal_estimate(weights, channels)
    candidate = is_closed(lip_gap(weights, tuple(channels))) & (seal >= SEALING)
    bilabials = [p for p in phones if base_label(p.label) in BILABIALS]
    found = []
    for start, stop in runs(candidate):
        peak = float(seal[start:stop].max())
        if peak < SEALED:
            continue
        first, last = start + offset, stop + offset
        phone = _phone_inside(bilabials, first / fps, last / fps)
        origin = "text" if phone else "model"
        if any(a < last and first < b for a, b in added):
            origin = "added"
        found.append(Closure(first, last, round(peak, 3), phone, origin))
    return found


def _phone_inside(bilabials: Sequence[Phone], start_s: float, end_s: float) -> str:
    """The bilabial overlapping [start_s, end_s) the most, lower case ('' for none)."""
    best, label = 0.0, ""
    for phone in bilabials:
        overlap = min(end_s, phone.end_s) - max(start_s, phone.start_s)
        if overlap > best:
            best, label = overlap, base_label(phone.label).lower()
    return label
