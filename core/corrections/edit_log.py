"""The corrections of a take as a log that survives: stored with the take, replayed on a new one.

Times are seconds from the take's first frame, so a log made at 24 fps replays on a take made
again at 30 fps. A delete or move names the closure by its middle; replayed on another take it
applies to the closure nearest that time within MATCH_S, or is dropped with a reason (the new
take has no closure there).
"""

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..errors import LipSyncError
from .closure_list import Closure, find_closures
from .local_edit import added_length, centred_span, open_closure, seal_span

KINDS = ("delete", "add", "move")
MATCH_S = 0.060  # a replayed delete or move finds its closure this close to where it was


@dataclass(frozen=True)
class Correction:
    """One edit of a take's closures."""

    kind: str  # "delete", "add" or "move"
    at_s: float  # delete, move: the closure's middle; add: the new closure's middle
    to_s: float = 0.0  # move: the closure's new middle
    length_s: float = 0.0  # add, move: how long the sealed closure lasts

    def describe(self) -> str:
        """A few words for the panel and the report."""
        if self.kind == "delete":
            return f"deleted the closure at {self.at_s:.2f} s"
        if self.kind == "add":
            return f"added a closure at {self.at_s:.2f} s"
        return f"moved the closure at {self.at_s:.2f} s to {self.to_s:.2f} s"


@dataclass(frozen=True)
class Edited:
    """Weights after one correction and the frame ranges [lo, hi) it may have changed."""

    weights: np.ndarray  # (T, K)
    spans: tuple[tuple[int, int], ...]  # changed frame ranges


def to_json(corrections: Sequence[Correction]) -> str:
    """The log as JSON text (stored on the take)."""
    return json.dumps([asdict(c) for c in corrections])


def from_json(text: str) -> list[Correction]:
    """A log read back; LipSyncError if it is not one."""
    if not text:
        return []
    try:
        rows = json.loads(text)
        corrections = [Correction(**row) for row in rows]
    except (TypeError, ValueError) as error:
        raise LipSyncError(f"The take's stored corrections cannot be read ({error}).") from None
    for correction in corrections:
        if correction.kind not in KINDS:
            raise LipSyncError(f"The take stores an unknown correction '{correction.kind}'.")
    return corrections


def _length(correction: Correction, fps: float) -> int:
    """Frames of the closure an add or move seals (ADDED_LENGTH_S when the log gives none)."""
    if correction.length_s > 0:
        return max(1, int(round(correction.length_s * fps)))
    return added_length(fps)


def nearest_closure(closures: Sequence[Closure], frame: float, within: float) -> int | None:
    """Index of the closure whose span holds `frame`, else whose middle is nearest within
    `within` frames; None for none."""
    for i, closure in enumerate(closures):
        if closure.start <= frame < closure.stop:
            return i
    near = [(abs(c.middle - frame), i) for i, c in enumerate(closures)]
    best = min(near, default=None)
    return best[1] if best is not None and best[0] <= within else None


def apply_correction(
    weights: np.ndarray,
    channels: Sequence[str],
    fps: float,
    correction: Correction,
    closures: Sequence[Closure] | None = None,
) -> Edited:
    """One correction on weights (T, K); LipSyncError when a delete or move finds no closure
    (`closures`: the take's, found again when not given)."""
    frame_count = len(weights)
    if closures is None and correction.kind != "add":
        closures = find_closures(weights, channels, fps)
    at = correction.at_s * fps
    if correction.kind == "add":
        start, stop = centred_span(at, _length(correction, fps), frame_count)
        out, lo, hi = seal_span(weights, channels, fps, start, stop)
        return Edited(out, ((lo, hi),))
    index = nearest_closure(closures, at, MATCH_S * fps)
    if index is None:
        raise LipSyncError(f"There is no closure at {correction.at_s:.2f} s to edit.")
    closure = closures[index]
    out, lo, hi = open_closure(weights, channels, fps, closure.start, closure.stop)
    if correction.kind == "delete":
        return Edited(out, ((lo, hi),))
    start, stop = centred_span(correction.to_s * fps, closure.stop - closure.start, frame_count)
    out, lo2, hi2 = seal_span(out, channels, fps, start, stop)
    return Edited(out, ((lo, hi), (lo2, hi2)))


def replay(
    weights: np.ndarray, channels: Sequence[str], fps: float, corrections: Sequence[Correction]
) -> tuple[np.ndarray, list[Correction], list[tuple[Correction, str]]]:
    """A log replayed on (new) weights (T, K): the corrected weights, the corrections kept and
    the ones dropped with the reason."""
    kept: list[Correction] = []
    dropped: list[tuple[Correction, str]] = []
    for correction in corrections:
        try:
            weights = apply_correction(weights, channels, fps, correction).weights
        except LipSyncError as error:
            dropped.append((correction, str(error)))
            continue
        kept.append(correction)
    return weights, kept, dropped


def added_spans(corrections: Sequence[Correction], fps: float, frame_count: int) -> list:
    """[start, stop) frames of the closures the log adds (the new place of a move too)."""
    spans = []
    for correction in corrections:
        if correction.kind in ("add", "move"):
            at = correction.at_s if correction.kind == "add" else correction.to_s
            spans.append(centred_span(at * fps, _length(correction, fps), frame_count))
    return spans
