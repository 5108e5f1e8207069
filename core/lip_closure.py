"""Does the mouth close where it should? Lip gap over time scored against phone intervals.

A bilabial (P/B/M) counts as closed when the lip gap is closed on at least one of its frames.
A non-labial consonant (T/D/K/G/N/S) counts as wrongly closed when the gap is closed on a frame
of the middle half of its interval; its first and last quarter belong to the transitions from
and to the neighbours (after "p" in "lips" the lips part during the "s"). The strict count over
every frame is reported too.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .corpus.dataset import Phone

BILABIAL_LABELS = frozenset({"P", "B", "M"})
OPEN_LABELS = frozenset({"T", "D", "K", "G", "N", "S"})  # must never show closed lips


def base_label(label: str) -> str:
    """Upper-case ARPAbet label without its stress digit."""
    return label.strip().upper().rstrip("012")


def phone_frames(start_s: float, end_s: float, fps: float, frame_count: int) -> np.ndarray:
    """Indices of frames (time k / fps) in [start_s, end_s); the one nearest the middle if none.

    A frame on a boundary belongs to the phone that starts there."""
    first = int(np.ceil(start_s * fps - 1e-9))
    last = int(np.ceil(end_s * fps - 1e-9)) - 1
    frames = np.arange(max(first, 0), min(last, frame_count - 1) + 1)
    if len(frames) == 0:
        middle = int(np.round(0.5 * (start_s + end_s) * fps))
        frames = np.array([min(max(middle, 0), frame_count - 1)])
    return frames


@dataclass(frozen=True)
class ClosureCounts:
    """Counts of phone intervals: bilabials and those that closed; open phones wrongly closed."""

    bilabials: int = 0
    bilabials_closed: int = 0
    open_phones: int = 0
    open_closed_middle: int = 0  # closed within the middle half of the interval
    open_closed_any: int = 0  # closed on any frame of the interval (strict)

    def __add__(self, other: "ClosureCounts") -> "ClosureCounts":
        return ClosureCounts(*(a + b for a, b in zip(_fields(self), _fields(other), strict=True)))

    @property
    def closure_rate(self) -> float:
        """Share of P/B/M intervals in which the lips close (nan without bilabials)."""
        return self.bilabials_closed / self.bilabials if self.bilabials else float("nan")

    @property
    def false_closure_rate(self) -> float:
        """Share of T/D/K/G/N/S intervals whose middle half shows closed lips."""
        return self.open_closed_middle / self.open_phones if self.open_phones else float("nan")


def _fields(counts: ClosureCounts) -> tuple[int, ...]:
    return (
        counts.bilabials,
        counts.bilabials_closed,
        counts.open_phones,
        counts.open_closed_middle,
        counts.open_closed_any,
    )


def count_closures(phones: Sequence[Phone], closed: np.ndarray, fps: float) -> ClosureCounts:
    """Score a per-frame closed mask (T,) bool (frame k at k / fps) against phone intervals."""
    closed = np.asarray(closed, dtype=bool)
    n_bil = n_bil_closed = n_open = n_mid = n_any = 0
    for phone in phones:
        label = base_label(phone.label)
        if label not in BILABIAL_LABELS and label not in OPEN_LABELS:
            continue
        frames = phone_frames(phone.start_s, phone.end_s, fps, len(closed))
        if label in BILABIAL_LABELS:
            n_bil += 1
            n_bil_closed += bool(closed[frames].any())
            continue
        quarter = 0.25 * (phone.end_s - phone.start_s)
        middle = phone_frames(phone.start_s + quarter, phone.end_s - quarter, fps, len(closed))
        n_open += 1
        n_mid += bool(closed[middle].any())
        n_any += bool(closed[frames].any())
    return ClosureCounts(n_bil, n_bil_closed, n_open, n_mid, n_any)
