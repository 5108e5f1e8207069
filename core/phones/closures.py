"""Did the lips close where they should? The one rule for counting closures, in two variants.

Inputs: a boolean "closed" per frame at a fixed rate `fps` (frame k at k / fps s), computed by
the caller from the demo head's lip gap
(core.demohead.head.is_closed(core.demohead.head.lip_gap(...))), and phone
intervals [start_s, end_s) (core.phones.phone_set.Phone). A phone *contains* the frames whose time
lies
in [start_s, end_s); a phone too short to contain a frame contains the frame nearest its middle
(`phone_frames`). A bilabial (P/B/M, core.phones.phone_set.BILABIALS) counts as closed when one
frame it
contains is closed. Where the two uses differ, each variant is named:

- **Labels** (`count_closures`, the corpus closure rate of the procedural labels): an open
  consonant (T/D/K/G/N/S, `OPEN_LABELS`) counts as wrongly closed when the lips are closed on a
  frame of the middle half of its interval; its first and last quarter belong to the
  transitions from and to the neighbours (after "p" in "lips" the lips part during the "s").
  The strict count over every frame is kept too.
- **Evaluation** (`closure_tally`, the dev-set metrics of core.lab.eval): the tolerance window of a
  phone is [start_s - tol, end_s + tol), tol = 40 ms unless stated.
  - PBM accuracy inside: share of P, B, M phones with a closed frame inside the phone.
  - PBM accuracy within ±tol: the same over the tolerance window (reported at 40 and 20 ms).
  - False closure rate: share of phones with a closed frame inside, counted separately for
    consonants (not P/B/M, not silence) and vowels, over phones not within tol of a bilabial
    (gap between the two intervals at least tol), so legitimate coarticulation is not counted.
  - Bilabial runs: consecutive P/B/M phones with no gap between them ("mp" in "pump") form one.
  - Closure onset error (ms): for a run that follows speech (no silence within tol before it)
    and has a closed frame in its tolerance window, onset = start time of the contiguous closed
    segment holding the first such frame, looked for at most 250 ms before the run (lips shut
    for longer count as closing 250 ms early); error = onset - run start. Reported as mean
    |error| and median signed error (negative = lips close early), quantised to one frame.
  - Closure duration ratio: for a run with speech on both sides (no silence within tol) and a
    closed frame in its tolerance window, closed frames in that window / fps divided by the
    run's duration; median over such runs (1 = the lips stay shut as long as the phones last).
  - Per-phone closure breakdown: per phone label, count and share with a closed frame inside.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .phone_set import BILABIALS, SILENCE, VOWELS, Phone, base_label

OPEN_LABELS = frozenset({"T", "D", "K", "G", "N", "S"})  # labels: must never show closed lips
TOLERANCE_S = 0.040
TIGHT_TOLERANCE_S = 0.020
ONSET_LOOKBACK_S = 0.250  # a closure already on this long before a run counts as this early
_SILENCES = frozenset({SILENCE, "SP", "SPN", "NSN"})  # pocketsphinx fillers too


def phone_frames(start_s: float, end_s: float, fps: float, frame_count: int) -> slice:
    """The frames a phone contains: time in [start_s, end_s), clipped to the clip; the frame
    nearest the middle when none. A frame on a boundary belongs to the phone that starts there."""
    first = max(int(np.ceil(start_s * fps - 1e-9)), 0)
    stop = min(int(np.ceil(end_s * fps - 1e-9)), frame_count)
    if stop <= first:  # shorter than a frame: the frame nearest the midpoint
        middle = min(max(int(round(0.5 * (start_s + end_s) * fps)), 0), frame_count - 1)
        return slice(middle, middle + 1)
    return slice(first, stop)


# --- the labels variant ----------------------------------------------------------------------


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
    """The labels' closure counts (see the module docstring): a per-frame closed mask (T,) bool
    (frame k at k / fps) against phone intervals, labels in any case, stress digits allowed."""
    closed = np.asarray(closed, dtype=bool)
    n_bil = n_bil_closed = n_open = n_mid = n_any = 0
    for phone in phones:
        label = base_label(phone.label)
        if label not in BILABIALS and label not in OPEN_LABELS:
            continue
        frames = phone_frames(phone.start_s, phone.end_s, fps, len(closed))
        if label in BILABIALS:
            n_bil += 1
            n_bil_closed += bool(closed[frames].any())
            continue
        quarter = 0.25 * (phone.end_s - phone.start_s)
        middle = phone_frames(phone.start_s + quarter, phone.end_s - quarter, fps, len(closed))
        n_open += 1
        n_mid += bool(closed[middle].any())
        n_any += bool(closed[frames].any())
    return ClosureCounts(n_bil, n_bil_closed, n_open, n_mid, n_any)


# --- the evaluation variant ------------------------------------------------------------------


@dataclass
class ClosureTally:
    """Counts behind the closure metrics; tallies of several utterances add up with `merge`."""

    pbm_total: int = 0
    pbm_inside: int = 0
    pbm_tolerant: int = 0  # within ±TOLERANCE_S
    pbm_tight: int = 0  # within ±TIGHT_TOLERANCE_S
    consonant_total: int = 0
    consonant_closed: int = 0
    vowel_total: int = 0
    vowel_closed: int = 0
    onset_errors_ms: list[float] = field(default_factory=list)
    duration_ratios: list[float] = field(default_factory=list)
    per_phone: dict[str, list[int]] = field(default_factory=dict)  # label -> [count, closed]

    def merge(self, other: "ClosureTally") -> "ClosureTally":
        """Add another tally's counts into this one and return self."""
        for name in (
            "pbm_total",
            "pbm_inside",
            "pbm_tolerant",
            "pbm_tight",
            "consonant_total",
            "consonant_closed",
            "vowel_total",
            "vowel_closed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.onset_errors_ms.extend(other.onset_errors_ms)
        self.duration_ratios.extend(other.duration_ratios)
        for label, (count, closed) in other.per_phone.items():
            mine = self.per_phone.setdefault(label, [0, 0])
            mine[0] += count
            mine[1] += closed
        return self

    def summary(self) -> dict[str, float]:
        """The closure metrics as percentages, milliseconds and ratios (NaN where undefined)."""
        errors = np.asarray(self.onset_errors_ms, dtype=np.float64)
        ratios = np.asarray(self.duration_ratios, dtype=np.float64)
        return {
            "pbm_inside_pct": _pct(self.pbm_inside, self.pbm_total),
            "pbm_40ms_pct": _pct(self.pbm_tolerant, self.pbm_total),
            "pbm_20ms_pct": _pct(self.pbm_tight, self.pbm_total),
            "false_closure_consonant_pct": _pct(self.consonant_closed, self.consonant_total),
            "false_closure_vowel_pct": _pct(self.vowel_closed, self.vowel_total),
            "onset_error_ms": float(np.abs(errors).mean()) if errors.size else float("nan"),
            "onset_bias_ms": float(np.median(errors)) if errors.size else float("nan"),
            "duration_ratio": float(np.median(ratios)) if ratios.size else float("nan"),
            "pbm_count": float(self.pbm_total),
        }


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else float("nan")


def _is_silence(label: str) -> bool:
    return label in _SILENCES or label.startswith("+")


def bilabial_runs(phones: Sequence[Phone]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of consecutive bilabial phones that touch (gap under 1 ms)."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(phones):
        if phones[i].label in BILABIALS:
            j = i + 1
            while (
                j < len(phones)
                and phones[j].label in BILABIALS
                and phones[j].start_s - phones[j - 1].end_s < 1e-3
            ):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def closure_tally(
    closed: np.ndarray, fps: float, phones: Sequence[Phone], tolerance_s: float = TOLERANCE_S
) -> ClosureTally:
    """The evaluation's closure counts of one utterance (see the module docstring): `closed`
    (T,) bool per frame at `fps`, phones in seconds, labels as the dev set writes them."""
    closed = np.asarray(closed, dtype=bool)
    frame_count = len(closed)
    tally = ClosureTally()
    if frame_count == 0:
        raise ValueError("closure_tally needs at least one frame")

    def any_closed(start_s: float, end_s: float) -> bool:
        return bool(closed[phone_frames(start_s, end_s, fps, frame_count)].any())

    bilabial_spans = [(p.start_s, p.end_s) for p in phones if p.label in BILABIALS]
    for phone in phones:
        if _is_silence(phone.label):
            continue
        inside = any_closed(phone.start_s, phone.end_s)
        counts = tally.per_phone.setdefault(phone.label, [0, 0])
        counts[0] += 1
        counts[1] += int(inside)
        if phone.label in BILABIALS:
            tally.pbm_total += 1
            tally.pbm_inside += int(inside)
            tally.pbm_tolerant += int(
                any_closed(phone.start_s - tolerance_s, phone.end_s + tolerance_s)
            )
            tally.pbm_tight += int(
                any_closed(phone.start_s - TIGHT_TOLERANCE_S, phone.end_s + TIGHT_TOLERANCE_S)
            )
            continue
        near_bilabial = any(
            s - tolerance_s < phone.end_s and phone.start_s < e + tolerance_s
            for s, e in bilabial_spans
        )
        if near_bilabial:
            continue
        if phone.label in VOWELS:
            tally.vowel_total += 1
            tally.vowel_closed += int(inside)
        else:
            tally.consonant_total += 1
            tally.consonant_closed += int(inside)

    for i, j in bilabial_runs(phones):
        start_s, end_s = phones[i].start_s, phones[j - 1].end_s
        window = phone_frames(start_s - tolerance_s, end_s + tolerance_s, fps, frame_count)
        hits = np.flatnonzero(closed[window])
        if hits.size == 0:
            continue
        silence_before = i == 0 or (
            _is_silence(phones[i - 1].label) and phones[i - 1].end_s > start_s - tolerance_s
        )
        silence_after = j == len(phones) or (
            _is_silence(phones[j].label) and phones[j].start_s < end_s + tolerance_s
        )
        if not (silence_before or silence_after):
            tally.duration_ratios.append(hits.size / fps / max(end_s - start_s, 1e-6))
        if silence_before:
            continue
        onset = window.start + int(hits[0])
        earliest = max(int(np.ceil((start_s - ONSET_LOOKBACK_S) * fps - 1e-9)), 0)
        while onset > earliest and closed[onset - 1]:
            onset -= 1
        tally.onset_errors_ms.append((onset / fps - start_s) * 1000.0)
    return tally


def per_phone_rates(tally: ClosureTally) -> list[tuple[str, int, float]]:
    """Per-phone closure breakdown: (label, count, % of phones with a closed frame), by label."""
    return [
        (label, count, _pct(closed, count))
        for label, (count, closed) in sorted(tally.per_phone.items())
    ]
