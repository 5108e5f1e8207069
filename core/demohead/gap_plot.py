"""Lip-gap comparison plot drawn with numpy only (Blender has no matplotlib): an RGBA raster.

Each series is a lip gap over time (metres, frame k at k / fps), drawn in millimetres against
seconds, with a title, a legend naming the models, labelled axes, the closure threshold
(dashed, 1 mm: below it the lips count as closed) and, optionally, events such as the p/b/m
phones of the transcript (dotted lines labelled at the top). Under the axes, one strip per
series shades its closed frames, so one sees at a glance where one model closes and the other
does not.
"""

from collections.abc import Sequence

import numpy as np

from .bitmap_font import draw_text, text_size
from .head import CLOSED_GAP_M, is_closed

BACKGROUND = (0.08, 0.08, 0.09, 1.0)
GRID = (0.22, 0.22, 0.24, 1.0)
AXIS = (0.55, 0.55, 0.58, 1.0)
TEXT = (0.85, 0.85, 0.87, 1.0)
THRESHOLD = (0.9, 0.9, 0.9, 1.0)
EVENT = (0.75, 0.35, 0.85, 1.0)  # p/b/m phones: violet
SERIES_COLOURS = ((0.98, 0.55, 0.15, 1.0), (0.25, 0.65, 1.0, 1.0))  # A orange, B blue
_TICK_STEPS_S = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)
_TICK_STEPS_MM = (1, 2, 5, 10, 20, 50)


def closure_onsets(gap_m: np.ndarray) -> np.ndarray:
    """Frame indices where the lips close (closed now, open on the previous frame)."""
    closed = is_closed(np.asarray(gap_m))
    return np.flatnonzero(closed[1:] & ~closed[:-1]) + 1


def _step(span: float, steps: Sequence[float], most: int) -> float:
    """The smallest step giving at most `most` ticks over `span`."""
    return next((s for s in steps if span / s <= most), steps[-1])


def render_gap_plot(
    gaps_m: list[np.ndarray],
    fps: float,
    width: int = 1200,
    height: int = 420,
    names: Sequence[str] = ("A", "B"),
    events: Sequence[tuple[float, str]] = (),
    title: str = "Lip gap at the mouth's midline",
    events_name: str = "p/b/m phones",
) -> np.ndarray:
    """RGBA float32 image (height, width, 4), row 0 at the top, of up to two lip-gap series.

    gaps_m: per series, the gap per frame in metres; names: the series' model names (legend and
    strips); events: (time in seconds, label) drawn as dotted lines, e.g. [(1.08, "m")], named
    `events_name` in the legend.
    Labels are readable from about 600 x 240 pixels; smaller images drop them.
    """
    image = np.empty((height, width, 4), dtype=np.float32)
    image[:] = BACKGROUND
    scale = 2 if width >= 900 and height >= 320 else 1
    labelled = width >= 600 and height >= 240
    line_h = text_size("M", scale)[1] + 4 * scale if labelled else 0
    left = text_size("100", scale)[0] + 10 * scale if labelled else 2
    right = width - (8 * scale if labelled else 2)
    top = 2 * line_h + 6 if labelled else 2  # title, then legend and the gap axis' name
    lane_h = max(height // (14 if labelled else 12), 6)
    plot_bottom = height - (2 * line_h + 4 if labelled else 0) - lane_h * len(gaps_m) - 4
    plot_h = max(plot_bottom - top, 10)
    lanes_bottom = plot_bottom + lane_h * len(gaps_m) + 2
    frames = max(max((len(g) for g in gaps_m), default=1), 2)
    duration_s = (frames - 1) / fps
    top_m = max(max((float(np.max(g)) for g in gaps_m if len(g)), default=0.0), 0.01) * 1.08
    frame_px = max(3, int(np.ceil((right - left) / frames)))  # a closed frame's mark

    def row_of(gap_m: np.ndarray) -> np.ndarray:  # metres -> pixel row
        rows = top + (plot_h - 1) * (1.0 - np.asarray(gap_m, np.float64) / top_m)
        return np.clip(rows, top, top + plot_h - 1).astype(int)

    def column_of(time_s: np.ndarray) -> np.ndarray:  # seconds -> pixel column
        columns = left + (right - 1 - left) * np.asarray(time_s, np.float64) / duration_s
        return np.clip(np.round(columns), left, right - 1).astype(int)

    step_s = _step(duration_s, _TICK_STEPS_S, max(2, (right - left) // (60 * scale)))
    for t in np.arange(0.0, duration_s + 1e-9, step_s):  # vertical grid and time labels
        x = int(column_of(t))
        image[top:lanes_bottom, x] = GRID
        if labelled:
            draw_text(image, x, lanes_bottom + 2, f"{t:g}", TEXT, scale, "center")
    step_mm = _step(top_m * 1000, _TICK_STEPS_MM, max(2, plot_h // (30 * scale)))
    for mm in np.arange(0.0, top_m * 1000, step_mm):  # horizontal grid and gap labels
        y = int(row_of(mm / 1000))
        image[y, left:right] = GRID
        if labelled:
            draw_text(image, left - 6 * scale, y - 4 * scale, f"{mm:g}", TEXT, scale, "right")
    image[top : top + plot_h, left] = AXIS
    image[top + plot_h - 1, left:right] = AXIS

    for time_s, label in events:  # dotted lines, labelled at the top of the plot
        x = int(column_of(time_s))
        image[top : top + plot_h : 3, x] = EVENT
        if labelled:
            draw_text(image, x + 2 * scale, top + 2 * scale, label, EVENT, scale)

    threshold = int(row_of(CLOSED_GAP_M))
    dashes = np.arange(left, right)
    image[threshold, dashes[(dashes // 6) % 2 == 0]] = THRESHOLD
    for index, gap in enumerate(gaps_m):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        times_s = np.arange(len(gap)) / fps
        _polyline(image, column_of(times_s), row_of(gap), colour)
        lane_top = plot_bottom + index * lane_h + 2
        lane = image[lane_top : lane_top + lane_h - 2]
        for x in column_of(times_s[is_closed(np.asarray(gap))]):
            lane[:, max(x - frame_px // 2, left) : x + frame_px - frame_px // 2] = colour
        if labelled:
            name = names[index] if index < len(names) else "?"
            lane_scale = scale if lane_h - 4 >= text_size("M", scale)[1] else 1
            label = f"{name}: closed"
            label_w, label_h = text_size(label, lane_scale)
            box = image[lane_top : lane_top + label_h + 3, left : left + label_w + 7]
            box[:] = BACKGROUND  # on a dark box: a closed mark under it would hide the text
            draw_text(image, left + 4, lane_top + 2, label, colour, lane_scale)

    if labelled:
        draw_text(image, left, 4, title, TEXT, scale)
        draw_text(image, left, 4 + line_h, "lip gap (mm)", TEXT, scale)
        draw_text(image, (left + right) // 2, height - line_h, "time (s)", TEXT, scale, "center")
        events_label = events_name if events else ""
        _legend(image, right, 4 + line_h, list(names)[: len(gaps_m)], events_label, scale)
    return image


def _legend(image, right: int, y: int, names: list[str], events: str, scale: int) -> None:
    """One line at the top right: a swatch and the name per series, the closure line, then
    the event marks' name ('' for none)."""
    entries = [
        (SERIES_COLOURS[i % len(SERIES_COLOURS)], f"{chr(65 + i)}: {n}", False)
        for i, n in enumerate(names)
    ]
    entries.append((THRESHOLD, "closed below 1 mm", True))
    if events:
        entries.append((EVENT, events, True))
    swatch = 14 * scale
    x = right
    for colour, text, dashed in reversed(entries):
        x -= text_size(text, scale)[0]
        draw_text(image, x, y, text, colour, scale)
        x -= swatch + 4 * scale
        columns = np.arange(x, x + swatch)
        if dashed:
            columns = columns[((columns - x) // (3 * scale)) % 2 == 0]
        image[y + 3 * scale : y + 5 * scale, columns] = colour
        x -= 12 * scale


def _polyline(image: np.ndarray, columns: np.ndarray, rows: np.ndarray, colour) -> None:
    """Connect consecutive points: every column between two points gets the rows between them
    (2 px thick)."""
    for i in range(len(columns) - 1):
        x0, x1 = int(columns[i]), int(columns[i + 1])
        for x in range(x0, max(x1, x0 + 1)):
            t0 = (x - x0) / max(x1 - x0, 1)
            t1 = min((x + 1 - x0) / max(x1 - x0, 1), 1.0)
            r0 = rows[i] + t0 * (rows[i + 1] - rows[i])
            r1 = rows[i] + t1 * (rows[i + 1] - rows[i])
            lo, hi = sorted((int(round(r0)), int(round(r1))))
            image[max(lo - 1, 0) : hi + 1, x] = colour
    if len(columns) == 1:
        image[max(int(rows[0]) - 1, 0) : int(rows[0]) + 1, int(columns[0])] = colour
