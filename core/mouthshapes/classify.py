"""Per-frame mouth shapes of a take: the nearest phone pose, or the aligned text's phone.

Each phone of the animator's table (core.phones.visemes) has a target pose; a frame takes the
shape of the phone whose pose is nearest to its weights (Euclidean over the lower-face
channels, the seal channels mouthClose and mouthPress left out: sealing is decided by
core.corrections.closure_list, not by a pose), the rest pose (all zeros) standing for silence.
Bilabials are never chosen by pose: the closed shape is reserved for sealed frames. Where the
dialogue text was aligned, a frame inside a trusted phone takes that phone's shape instead.
Phones that look alike (T, D, N) can only be told apart by the text.

The poses are compared at POSE_SCALE of their targets: between neighbours, coarticulation
keeps speech curves short of a phone's full target (reports/visemes.md: 0.7 matched the
sample's aligned phones best for s_tiny, s_lowlat and the teacher, Rhubarb and Oculus sets).
"""

from collections.abc import Sequence

import numpy as np

from ..phones.phone_set import BILABIALS, SILENCE, Phone
from ..phones.visemes import PHONES
from .shape_sets import VisemeSet

_SEAL_CHANNELS = ("mouthClose", "mouthPressLeft", "mouthPressRight")
POSE_SCALE = 0.7


def _pose_vector(phone: str, channels: Sequence[str]) -> np.ndarray:
    """A phone's target pose over `channels` (K,); a table name without side sets both sides."""
    pose = np.zeros(len(channels), np.float32)
    index = {name: k for k, name in enumerate(channels)}
    for name, weight in PHONES[phone].pose.items():
        for full in (name, name + "Left", name + "Right"):
            if full in index:
                pose[index[full]] = weight
    return pose


def prototypes(
    vset: VisemeSet, channels: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(poses (P, K), shape index per pose (P,), channel mask (K,)) of the candidate phones."""
    phones = [
        p
        for p in PHONES
        if p != SILENCE and p not in BILABIALS and vset.shape_of(p) not in (None, vset.closed)
    ]
    poses = [np.zeros(len(channels), np.float32)]  # the rest pose
    shapes = [vset.index(vset.rest)]
    for phone in phones:
        poses.append(POSE_SCALE * _pose_vector(phone, channels))
        shapes.append(vset.index(vset.shape_of(phone)))
    mask = np.array([name not in _SEAL_CHANNELS for name in channels], bool)
    return np.stack(poses), np.array(shapes, np.int32), mask


def nearest_shapes(weights: np.ndarray, channels: Sequence[str], vset: VisemeSet) -> np.ndarray:
    """Shape index (T,) int32 of weights (T, K): the shape of the nearest phone pose."""
    poses, shapes, mask = prototypes(vset, channels)
    x = np.asarray(weights, np.float32)[:, mask]  # (T, k)
    p = poses[:, mask]  # (P, k)
    distance = (x * x).sum(axis=1)[:, None] - 2.0 * x @ p.T + (p * p).sum(axis=1)[None]  # (T, P)
    return shapes[np.argmin(distance, axis=1)]


def text_shapes(
    phones: Sequence[Phone], vset: VisemeSet, frame_count: int, fps: float
) -> np.ndarray:
    """Shape index (T,) of the aligned phones at `fps` (frame k at k / fps s), -1 where no
    phone (or an unmapped one) covers the frame; silences are left to the pose."""
    out = np.full(frame_count, -1, np.int32)
    for phone in phones:
        shape = vset.shape_of(phone.label)
        if shape is None or shape == vset.rest:
            continue
        first = max(int(np.ceil(phone.start_s * fps - 1e-9)), 0)
        stop = min(int(np.ceil(phone.end_s * fps - 1e-9)), frame_count)
        out[first:stop] = vset.index(shape)
    return out


def frame_shapes(
    weights: np.ndarray,
    channels: Sequence[str],
    vset: VisemeSet,
    fps: float,
    phones: Sequence[Phone] = (),
) -> np.ndarray:
    """Shape index (T,) per frame before holds: aligned phones where given, else the pose."""
    shapes = nearest_shapes(weights, channels, vset)
    if phones:
        from_text = text_shapes(phones, vset, len(shapes), fps)
        shapes = np.where(from_text >= 0, from_text, shapes).astype(np.int32)
    return shapes
