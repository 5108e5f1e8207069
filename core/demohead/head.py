"""The demo head (MakeHuman hm08 + "Face Units 01" ARKit keys) and the lip-gap measure."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import RigError

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "assets" / "demo_head.npz"
PARTS = ("skin", "eye", "teeth", "tongue")

# Lips count as closed at or below this midline gap. The head's rest pose and every authored seal
# (jawOpen + mouthClose at equal weights) measure 0.24 mm: the hm08 lips meet there with a
# hair of clearance. 1 mm leaves room for that and the float16 rounding of the deltas (a few
# micrometres) but not for a real opening: jawOpen opens the lips by ~33 mm at weight 1, so
# already jawOpen 0.03 crosses it, and the smallest authored openings (mouthLowerDown,
# mouthUpperUp, mouthShrugUpper) measure 4-5 mm.
CLOSED_GAP_M = 1.0e-3

_MIDLINE_TOL_M = 1e-4  # |x| below this: on the mouth's midline (the mesh is symmetric)
_LIP_DEPTH_M = 0.010  # lip vertices lie within this depth behind the front of the lips
_LIP_HEIGHT_M = 0.008  # and within this height of where the lips meet
_CHUNK_FRAMES = 65536  # frames per block in lip_gap, bounds the temporary memory


@dataclass(frozen=True, eq=False)
class DemoHead:
    """Mesh, parts and sparse shape-key deltas of the demo head, in Blender axes and metres."""

    co: np.ndarray  # (V, 3) float32 basis positions
    poly_verts: np.ndarray  # (L,) int32 vertex ids, polygon after polygon
    poly_sizes: np.ndarray  # (P,) uint8 corners per polygon
    uv: np.ndarray  # (L, 2) float32 per-corner UVs
    col: np.ndarray  # (L, 3) uint8 per-corner sRGB
    parts: dict[str, np.ndarray]  # part name -> int32 vertex ids
    key_names: tuple[str, ...]  # the 52 ARKit names, in file order
    key_idx: tuple[np.ndarray, ...]  # per key: (n_k,) int32 moved vertices
    key_delta: tuple[np.ndarray, ...]  # per key: (n_k, 3) float32 offsets in metres

    def delta(self, name: str) -> np.ndarray:
        """Dense (V, 3) offsets of one shape key."""
        k = self.key_names.index(name)
        out = np.zeros_like(self.co)
        out[self.key_idx[k]] = self.key_delta[k]
        return out


@lru_cache(maxsize=4)
def _load_cached(path: Path) -> DemoHead:
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise RigError(f"Cannot read the demo head file {path}: {exc}") from exc
    with data:
        try:
            names = tuple(str(n) for n in data["key_names"])
            head = DemoHead(
                co=data["co"].astype(np.float32),
                poly_verts=data["poly_verts"].astype(np.int32),
                poly_sizes=data["poly_sizes"].astype(np.uint8),
                uv=data["uv"].astype(np.float32),
                col=data["col"].astype(np.uint8),
                parts={p: data[f"part_{p}"].astype(np.int32) for p in PARTS},
                key_names=names,
                key_idx=tuple(data[f"key_idx_{n}"].astype(np.int32) for n in names),
                key_delta=tuple(data[f"key_d_{n}"].astype(np.float32) for n in names),
            )
        except KeyError as exc:
            raise RigError(f"The demo head file {path} lacks the array {exc}.") from exc
    _check(head, path)
    return head


def _check(head: DemoHead, path: Path) -> None:
    n_verts = len(head.co)
    n_loops = int(head.poly_sizes.astype(np.int64).sum())
    ok = (
        head.co.ndim == 2
        and head.co.shape[1] == 3
        and len(head.poly_verts) == n_loops == len(head.uv) == len(head.col)
        and head.poly_verts.min() >= 0
        and head.poly_verts.max() < n_verts
        and all(len(i) == len(d) for i, d in zip(head.key_idx, head.key_delta, strict=True))
        and all(i.size == 0 or (i.min() >= 0 and i.max() < n_verts) for i in head.key_idx)
        and "jawOpen" in head.key_names
    )
    if not ok:
        raise RigError(f"The demo head file {path} is inconsistent; rebuild it.")


def load_demo_head(path: str | Path | None = None) -> DemoHead:
    """Load the demo head .npz (default: the shipped assets/demo_head.npz); cached per path."""
    return _load_cached(Path(path).resolve() if path is not None else DEFAULT_PATH)


def head_columns(head: DemoHead, channel_names: list[str] | tuple[str, ...]) -> tuple[list, list]:
    """(input columns, head key indices) of the channels the head has; others are ignored."""
    pairs = [
        (c, head.key_names.index(n)) for c, n in enumerate(channel_names) if n in head.key_names
    ]
    return [c for c, _ in pairs], [k for _, k in pairs]


def pose(
    head: DemoHead, weights: np.ndarray, channel_names: list[str] | tuple[str, ...]
) -> np.ndarray:
    """Vertex positions (T, V, 3) for weights (T, K), weights clipped to the 0..1 sliders."""
    weights = np.atleast_2d(np.asarray(weights, dtype=np.float32))
    cols, keys = head_columns(head, channel_names)
    out = np.repeat(head.co[None], len(weights), axis=0)  # (T, V, 3)
    for c, k in zip(cols, keys, strict=True):
        w = np.clip(weights[:, c], 0.0, 1.0)[:, None, None]  # (T, 1, 1)
        out[:, head.key_idx[k]] += w * head.key_delta[k][None]
    return out


@dataclass(frozen=True, eq=False)
class LipProbe:
    """The few midline lip vertices lip_gap watches, with their heights per key."""

    upper: np.ndarray  # (U,) vertex ids on the upper lip around where the lips meet
    lower: np.ndarray  # (B,) vertex ids on the lower lip
    z: np.ndarray  # (U + B,) basis heights in metres, upper first
    dz: np.ndarray  # (K, U + B) height offset of each key at those vertices, metres


@lru_cache(maxsize=4)
def lip_probe(head: DemoHead) -> LipProbe:
    """Pick the inner-lip vertices on the midline from the basis geometry and jawOpen."""
    co = head.co.astype(np.float64)
    skin = head.parts["skin"]
    mid = skin[np.abs(co[skin, 0]) < _MIDLINE_TOL_M]
    drop = head.delta("jawOpen")[mid, 2]  # (M,) metres, negative = moves down with the jaw
    jaw = drop < 0.5 * drop.min()  # lower lip, chin, mouth floor
    # Top of the lower lip: highest jaw vertex near the front of the jaw.
    jaw_ids = mid[jaw]
    front = jaw_ids[co[jaw_ids, 1] < co[jaw_ids, 1].min() + _LIP_DEPTH_M]
    z_meet = co[front, 2].max()
    band = np.abs(co[mid, 2] - z_meet) < _LIP_HEIGHT_M
    in_front = co[mid, 1] < co[mid[band], 1].min() + _LIP_DEPTH_M
    upper = mid[band & in_front & ~jaw]
    lower = mid[band & in_front & jaw]
    if len(upper) == 0 or len(lower) == 0:
        raise RigError("The demo head has no lip vertices on its midline; rebuild it.")
    ids = np.concatenate([upper, lower])
    dz = np.stack([head.delta(n)[ids, 2] for n in head.key_names])  # (K, U + B)
    return LipProbe(upper=upper, lower=lower, z=co[ids, 2], dz=dz)


def lip_gap(
    weights: np.ndarray,
    channel_names: list[str] | tuple[str, ...],
    head: DemoHead | None = None,
) -> np.ndarray:
    """Midline lip gap (T,) in metres for weights (T, K): lowest upper-lip point minus highest
    lower-lip point, clipped at 0 (lips touching or pressed = 0). Unknown channels are ignored;
    weights are clipped to 0..1 like Blender's shape-key sliders."""
    head = head if head is not None else load_demo_head()
    probe = lip_probe(head)
    weights = np.atleast_2d(np.asarray(weights))
    if weights.ndim != 2 or weights.shape[1] != len(channel_names):
        raise RigError(
            f"Weights of shape {weights.shape} do not match {len(channel_names)} channel names."
        )
    cols, keys = head_columns(head, channel_names)
    dz = probe.dz[keys]  # (k, U + B)
    n_upper = len(probe.upper)
    gap = np.empty(len(weights), dtype=np.float64)
    for start in range(0, len(weights), _CHUNK_FRAMES):
        w = np.clip(weights[start : start + _CHUNK_FRAMES, cols], 0.0, 1.0)  # (t, k)
        z = probe.z + w @ dz  # (t, U + B) metres
        gap[start : start + len(w)] = z[:, :n_upper].min(axis=1) - z[:, n_upper:].max(axis=1)
    return np.maximum(gap, 0.0)


def is_closed(gap: np.ndarray | float) -> np.ndarray:
    """True where the lip gap (metres) counts as closed (at or below CLOSED_GAP_M)."""
    return np.asarray(gap) <= CLOSED_GAP_M
