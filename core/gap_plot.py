"""Lip-gap comparison plot drawn with numpy only (Blender has no matplotlib): an RGBA raster.

Each series is a lip gap over time (metres, frame k at k / fps); closed frames (gap below the
closure threshold) are shaded in the series' colour in its own strip under the curves, so one
sees at a glance where one model closes and the other does not. Grid lines every second (light)
and every 5 mm (dark); the closure threshold is a dashed line.
"""

import numpy as np

from .head import CLOSED_GAP_M, is_closed

BACKGROUND = (0.08, 0.08, 0.09, 1.0)
GRID = (0.22, 0.22, 0.24, 1.0)
THRESHOLD = (0.9, 0.9, 0.9, 1.0)
SERIES_COLOURS = ((0.98, 0.55, 0.15, 1.0), (0.25, 0.65, 1.0, 1.0))  # A orange, B blue


def closure_onsets(gap_m: np.ndarray) -> np.ndarray:
    """Frame indices where the lips close (closed now, open on the previous frame)."""
    closed = is_closed(np.asarray(gap_m))
    return np.flatnonzero(closed[1:] & ~closed[:-1]) + 1


def render_gap_plot(
    gaps_m: list[np.ndarray], fps: float, width: int = 1200, height: int = 360
) -> np.ndarray:
    """RGBA float32 image (height, width, 4), row 0 at the top, of up to two lip-gap series."""
    image = np.empty((height, width, 4), dtype=np.float32)
    image[:] = BACKGROUND
    lane_h = max(height // 12, 6)  # closed-frame strip per series, at the bottom
    plot_h = height - lane_h * len(gaps_m) - 4
    frames = max(max((len(g) for g in gaps_m), default=1), 2)
    top_m = max(max((float(np.max(g)) for g in gaps_m if len(g)), default=0.0), 0.01) * 1.05

    def y_of(gap: np.ndarray) -> np.ndarray:  # metres -> pixel row
        return np.clip((plot_h - 1) * (1.0 - gap / top_m), 0, plot_h - 1).astype(int)

    x_of_frame = np.linspace(0, width - 1, frames)
    for second in np.arange(0, frames / fps, 1.0):  # vertical grid, once per second
        image[:plot_h, int(second * fps / (frames - 1) * (width - 1))] = GRID
    for mm in np.arange(0.005, top_m, 0.005):  # horizontal grid, every 5 mm
        image[y_of(np.array([mm]))[0], :] = GRID
    threshold_row = y_of(np.array([CLOSED_GAP_M]))[0]
    image[threshold_row, (np.arange(width) // 6) % 2 == 0] = THRESHOLD
    for index, gap in enumerate(gaps_m):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        _polyline(image, x_of_frame[: len(gap)], y_of(np.asarray(gap, dtype=np.float64)), colour)
        lane_top = plot_h + 4 + index * lane_h
        closed_x = _frames_to_columns(is_closed(gap), width, frames)
        image[lane_top : lane_top + lane_h - 2, closed_x] = colour
    return image


def _polyline(image: np.ndarray, xs: np.ndarray, rows: np.ndarray, colour) -> None:
    """Connect consecutive points with vertical spans per column (2 px thick)."""
    xs = np.round(xs).astype(int)
    for i in range(len(xs)):
        x0 = xs[i]
        x1 = xs[i + 1] if i + 1 < len(xs) else x0
        r0, r1 = rows[i], rows[i + 1] if i + 1 < len(rows) else rows[i]
        for x in range(x0, max(x1, x0 + 1)):
            t = (x - x0) / max(x1 - x0, 1)
            r = int(round(r0 + t * (r1 - r0)))
            lo, hi = sorted((r, int(round(r0 + min(t + 1 / max(x1 - x0, 1), 1) * (r1 - r0)))))
            image[max(lo - 1, 0) : hi + 1, x] = colour


def _frames_to_columns(closed: np.ndarray, width: int, frames: int) -> np.ndarray:
    """Image columns whose frame is closed."""
    frame_of_column = np.round(np.arange(width) * (frames - 1) / (width - 1)).astype(int)
    frame_of_column = np.minimum(frame_of_column, len(closed) - 1)
    return np.flatnonzero(closed[frame_of_column]) if len(closed) else np.zeros(0, dtype=int)
