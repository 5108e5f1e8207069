"""A dark mouth cavity for the demo head: how deep each vertex lies inside the closed mouth.

The hm08 mesh models the inside of the mouth (lip linings, gums, teeth, tongue, the mouth's
back wall) in the same pale colours as the lips. Lit evenly (Workbench's studio light has no
shadows), an open mouth then shows pale, faceted walls where a real one is dark. Each vertex is
darkened by how far it lies behind the surface in front of it, looking at the face from the
front: the outer skin has nothing in front of it and keeps its colour, the inside of the mouth
fades to dark with depth, like ambient occlusion baked into the vertex colours.
"""

import numpy as np

MOUTH_BOX_M = ((-0.045, 0.045), (0.595, 0.705))  # x and z range of the mouth region (metres)
FADE_M = (0.003, 0.018)  # depth behind the front surface where darkening starts and is full
DARKEST = 0.06  # colour factor at full depth


def _triangles(poly_sizes: np.ndarray, poly_verts: np.ndarray) -> np.ndarray:
    """Fan triangulation of the polygons: vertex ids (T, 3)."""
    starts = np.concatenate([[0], np.cumsum(poly_sizes)[:-1]]).astype(np.int64)
    pieces = []
    for size in np.unique(poly_sizes):
        first = starts[poly_sizes == size]
        for k in range(1, int(size) - 1):
            pieces.append(poly_verts[np.stack([first, first + k, first + k + 1], axis=1)])
    return np.concatenate(pieces) if pieces else np.zeros((0, 3), np.int64)


def depth_in_front(co: np.ndarray, tris: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For points (N, 3): how far the front-most surface lies in front of each (towards -y,
    the face's front), 0 where nothing is in front. Metres (N,)."""
    a, b, c = co[tris[:, 0]], co[tris[:, 1]], co[tris[:, 2]]  # (T, 3)
    # barycentric coordinates of each point's (x, z) in each triangle's (x, z) projection
    e1, e2 = (b - a)[:, [0, 2]], (c - a)[:, [0, 2]]  # (T, 2)
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    usable = np.abs(det) > 1e-12
    a, e1, e2, det = a[usable], e1[usable], e2[usable], det[usable]
    ya, yb, yc = a[:, 1], b[usable][:, 1], c[usable][:, 1]
    depth = np.zeros(len(points))
    for first in range(0, len(points), 256):  # (256, T) temporaries
        p = points[first : first + 256]
        dx = p[:, None, 0] - a[None, :, 0]
        dz = p[:, None, 2] - a[None, :, 2]
        u = (dx * e2[:, 1] - dz * e2[:, 0]) / det
        v = (e1[:, 0] * dz - e1[:, 1] * dx) / det
        inside = (u >= 0) & (v >= 0) & (u + v <= 1)
        y_hit = ya + u * (yb - ya) + v * (yc - ya)  # (n, T)
        y_hit = np.where(inside & (y_hit < p[:, None, 1] - 1e-5), y_hit, np.inf)
        front = y_hit.min(axis=1)
        depth[first : first + 256] = np.where(np.isfinite(front), p[:, 1] - front, 0.0)
    return depth


def mouth_shade(co: np.ndarray, poly_sizes: np.ndarray, poly_verts: np.ndarray) -> np.ndarray:
    """Colour factor per vertex (V,) in [DARKEST, 1]: 1 outside, dark deep inside the mouth."""
    co = np.asarray(co, np.float64)
    (x0, x1), (z0, z1) = MOUTH_BOX_M
    in_box = (co[:, 0] > x0) & (co[:, 0] < x1) & (co[:, 2] > z0) & (co[:, 2] < z1)
    tris = _triangles(np.asarray(poly_sizes), np.asarray(poly_verts))
    near = in_box[tris].any(axis=1)
    depth = np.zeros(len(co))
    depth[in_box] = depth_in_front(co, tris[near], co[in_box])
    t = np.clip((depth - FADE_M[0]) / (FADE_M[1] - FADE_M[0]), 0.0, 1.0)
    fade = t * t * (3 - 2 * t)  # smoothstep
    return 1.0 - (1.0 - DARKEST) * fade
