"""Mouth-shape measures on the demo head: fidelity to the teacher and lip rounding.

Fidelity: over the frames inside speech phones (silence left out), the Pearson correlation of a
system's midline lip gap with the teacher's on the same audio, and their mean absolute
difference in mm.

Rounding: mouth width is the distance between the two mouth corners of the posed demo head (the
outermost lip vertices of its lip colour, one per side, found from the head data). For each
rounded vowel (/w uw ow uh/) and spread vowel (/iy ih ey eh ae/) of the aligned phones, the mean
width over the phone's middle third; the contrast is the spread mean minus the rounded mean in mm
(positive: rounded vowels narrower), and the AUC the share of (rounded, spread) pairs whose
rounded width is the narrower (ties count half).
"""

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ...demohead.head import DemoHead, head_columns, lip_probe
from ...phones.closures import phone_frames
from ...phones.phone_set import SILENCE, Phone

ROUNDED = frozenset({"W", "UW", "OW", "UH"})
SPREAD = frozenset({"IY", "IH", "EY", "EH", "AE"})
LIP_COLOUR = np.array([186.0, 96.0, 96.0])  # sRGB of the demo head's lips
SKIN_COLOUR = np.array([214.0, 168.0, 142.0])  # of its skin around them
INNER_COLOUR = np.array([104.0, 28.0, 34.0])  # and of the inside of its mouth
_LIP_REGION_M = 0.015  # lip vertices lie within this height of where the lips meet
_FRONT_M = 0.04  # and within this depth behind the front of the lips


@lru_cache(maxsize=4)
def mouth_corners(head: DemoHead) -> tuple[int, int]:
    """(left, right) vertex ids of the mouth corners: the skin vertices near the lip line whose
    colour is nearest the lips' (not the skin's or the inner mouth's), farthest to the left, and
    its mirror image."""
    co = head.co.astype(np.float64)
    colour_sum = np.zeros((len(co), 3))
    corners = np.zeros(len(co))
    np.add.at(colour_sum, head.poly_verts, head.col.astype(np.float64))
    np.add.at(corners, head.poly_verts, 1.0)
    colour = colour_sum / np.maximum(corners, 1.0)[:, None]  # (V, 3) mean corner colour
    probe = lip_probe(head)
    z_meet = float(np.mean(probe.z))
    front = float(co[probe.upper, 1].min())
    skin = head.parts["skin"]
    near = skin[(np.abs(co[skin, 2] - z_meet) < _LIP_REGION_M) & (co[skin, 1] < front + _FRONT_M)]
    palette = np.stack([LIP_COLOUR, SKIN_COLOUR, INNER_COLOUR])  # (3, 3)
    nearest = np.argmin(np.linalg.norm(colour[near, None] - palette[None], axis=2), axis=1)
    lips = near[nearest == 0]
    left = int(lips[np.argmax(co[lips, 0])])
    mirrored = co[left] * np.array([-1.0, 1.0, 1.0])  # the mesh is symmetric in x
    right = int(skin[np.argmin(np.linalg.norm(co[skin] - mirrored, axis=1))])
    return left, right


def corner_motion(head: DemoHead, channel_names) -> tuple[np.ndarray, np.ndarray]:
    """Rest positions (2, 3) of the (left, right) mouth corners in metres and how far each moves
    per unit of each channel (2, K, 3); zero for channels the head lacks."""
    corners = mouth_corners(head)
    cols, keys = head_columns(head, channel_names)
    offsets = np.zeros((2, len(channel_names), 3))
    for side, vertex in enumerate(corners):
        for col, key in zip(cols, keys, strict=True):
            hit = np.flatnonzero(head.key_idx[key] == vertex)
            if len(hit):
                offsets[side, col] = head.key_delta[key][hit[0]]
    return head.co[list(corners)].astype(np.float64), offsets


def mouth_width_mm(weights: np.ndarray, channel_names, head: DemoHead) -> np.ndarray:
    """Distance (T,) in mm between the mouth corners for weights (T, K), clipped to 0..1."""
    rest, offsets = corner_motion(head, channel_names)
    weights = np.clip(np.atleast_2d(np.asarray(weights, dtype=np.float64)), 0.0, 1.0)
    span = (rest[0] - rest[1]) + weights @ (offsets[0] - offsets[1])  # (T, 3) metres
    return np.linalg.norm(span, axis=1) * 1000.0


def speech_mask(phones: tuple[Phone, ...], n_frames: int, fps: float) -> np.ndarray:
    """True on the frames (n_frames,) inside a phone that is not silence."""
    mask = np.zeros(n_frames, dtype=bool)
    for phone in phones:
        if phone.label != SILENCE:
            mask[phone_frames(phone.start_s, phone.end_s, fps, n_frames)] = True
    return mask


def vowel_widths(width_mm: np.ndarray, phones, fps: float) -> list[tuple[str, float]]:
    """(label, mean width over the phone's middle third) for each rounded or spread vowel."""
    out = []
    for phone in phones:
        if phone.label not in ROUNDED | SPREAD:
            continue
        third = (phone.end_s - phone.start_s) / 3.0
        frames = phone_frames(phone.start_s + third, phone.end_s - third, fps, len(width_mm))
        if frames.stop > frames.start:
            out.append((phone.label, float(np.mean(width_mm[frames]))))
    return out


def auc_narrower(rounded: np.ndarray, spread: np.ndarray) -> float:
    """P(rounded width < spread width) over all pairs, ties half (Mann-Whitney)."""
    if len(rounded) == 0 or len(spread) == 0:
        return float("nan")
    diff = spread[None, :] - rounded[:, None]
    return float(np.mean((diff > 0) + 0.5 * (diff == 0)))


@dataclass
class ShapeTally:
    """A system's lip gaps beside the teacher's and its vowel widths, over a set."""

    gaps_mm: list[np.ndarray] = field(default_factory=list)
    teacher_gaps_mm: list[np.ndarray] = field(default_factory=list)
    widths: list[tuple[str, float]] = field(default_factory=list)

    def add(self, gap_mm, teacher_gap_mm, width_mm, phones, fps: float) -> None:
        """One item: gaps (T,) and width (T,) in mm at `fps`, and the item's phones."""
        frames = min(len(gap_mm), len(teacher_gap_mm))
        mask = speech_mask(phones, frames, fps)
        self.gaps_mm.append(np.asarray(gap_mm[:frames])[mask])
        self.teacher_gaps_mm.append(np.asarray(teacher_gap_mm[:frames])[mask])
        self.widths += vowel_widths(width_mm, phones, fps)

    def summary(self) -> dict[str, float]:
        """gap_r, gap_mad_mm, rounding_contrast_mm, rounding_auc, rounded_n, spread_n."""
        gap = np.concatenate(self.gaps_mm) if self.gaps_mm else np.zeros(0)
        ref = np.concatenate(self.teacher_gaps_mm) if self.teacher_gaps_mm else np.zeros(0)
        if len(gap) > 1 and np.std(gap) > 0 and np.std(ref) > 0:
            r = float(np.corrcoef(gap, ref)[0, 1])
        else:
            r = float("nan")
        rounded = np.array([w for label, w in self.widths if label in ROUNDED])
        spread = np.array([w for label, w in self.widths if label in SPREAD])
        contrast = (
            float(spread.mean() - rounded.mean()) if len(rounded) and len(spread) else float("nan")
        )
        return {
            "gap_r": r,
            "gap_mad_mm": float(np.mean(np.abs(gap - ref))) if len(gap) else float("nan"),
            "rounding_contrast_mm": contrast,
            "rounding_auc": auc_narrower(rounded, spread),
            "rounded_n": float(len(rounded)),
            "spread_n": float(len(spread)),
        }
