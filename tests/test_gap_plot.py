"""The lip-gap comparison plot (#17 item 7): both series, the legend, axes text, the 1 mm
closure line, p/b/m marks and the closed-frame strips; the font it writes with; the demo
head's dark mouth cavity."""

import numpy as np
import pytest

from core.demohead import gap_plot
from core.demohead.bitmap_font import GLYPH_H, GLYPHS, draw_text, text_size
from core.demohead.head import CLOSED_GAP_M, load_demo_head
from core.demohead.mouth_shade import DARKEST, MOUTH_BOX_M, mouth_shade

FPS = 30.0


def _gaps() -> list[np.ndarray]:
    gap_a = np.r_[np.full(60, 0.006), np.zeros(15), np.full(75, 0.008)]  # closes at 2 s
    gap_b = np.full(150, 0.007)  # never closes
    return [gap_a, gap_b]


def _has(pixels: np.ndarray, colour) -> np.ndarray:
    return np.all(np.isclose(pixels, np.float32(colour)), axis=-1)


def test_plot_shows_both_series_the_closure_line_events_and_text():
    pixels = gap_plot.render_gap_plot(
        _gaps(), FPS, names=("s_tiny", "teacher"), events=[(2.2, "m"), (3.1, "b")]
    )
    assert pixels.shape == (420, 1200, 4)
    orange, blue = gap_plot.SERIES_COLOURS
    assert _has(pixels, orange).sum() > 500 and _has(pixels, blue).sum() > 500
    assert _has(pixels, gap_plot.EVENT).sum() > 100  # dotted lines, labels, legend swatch
    threshold_rows = np.flatnonzero(_has(pixels, gap_plot.THRESHOLD).sum(axis=1) > 300)
    assert len(threshold_rows) == 1  # one dashed line across the plot
    text_rows = np.flatnonzero(_has(pixels, gap_plot.TEXT).sum(axis=1) > 0)
    assert text_rows.min() < 30 and text_rows.max() > 390  # the title on top, "time (s)" below


def test_the_closure_line_sits_at_1_mm():
    gaps = [np.linspace(0.0, 0.010, 100)]  # 0 to 10 mm
    pixels = gap_plot.render_gap_plot(gaps, FPS, names=("a",))
    row = np.flatnonzero(_has(pixels, gap_plot.THRESHOLD).sum(axis=1) > 300)[0]
    column = np.flatnonzero(_has(pixels[row - 3 : row + 4], gap_plot.SERIES_COLOURS[0]).any(0))
    frame_at_line = (column.min() - 40) / (1200 - 16 - 40) * 99  # left margin ~40, right ~16
    assert abs(frame_at_line / 99 * 0.010 - CLOSED_GAP_M) < 0.0006


def test_closed_frames_are_marked_in_their_strip_only_where_closed():
    pixels = gap_plot.render_gap_plot(_gaps(), FPS, width=1200, height=420)
    orange, blue = gap_plot.SERIES_COLOURS
    below_axis = pixels[300:]  # the strips under the plot (the curves end above them)
    marks_a = np.flatnonzero(_has(below_axis, orange).sum(axis=0) >= 24)  # text: 18 px
    width = 1200 - 16 - 40  # plot columns between the margins
    assert len(marks_a) > 0
    assert 40 + 0.39 * width < marks_a.min() and marks_a.max() < 40 + 0.52 * width  # 60-74
    assert not np.any(_has(below_axis, blue).sum(axis=0) >= 24)  # B never closes
    assert list(gap_plot.closure_onsets(_gaps()[0])) == [60]


def test_closure_onsets_are_the_frames_where_open_lips_close():
    gap = np.array([0.0, 0.0, 0.005, CLOSED_GAP_M, 0.0, 0.004, 0.0011, 0.0009, 0.002])
    # closed from the first frame is no onset; 1 mm counts as closed; each closure once
    assert list(gap_plot.closure_onsets(gap)) == [3, 7]
    assert list(gap_plot.closure_onsets(np.zeros(0))) == []


def test_small_plots_drop_the_labels_but_keep_the_series():
    pixels = gap_plot.render_gap_plot(_gaps(), FPS, width=140, height=120)
    assert not _has(pixels, gap_plot.TEXT).any()
    assert _has(pixels, gap_plot.SERIES_COLOURS[0]).any()


def test_every_glyph_is_5_by_9_and_text_draws_where_asked():
    assert all(glyph.shape == (GLYPH_H, 5) for glyph in GLYPHS.values())
    assert set("lip gap (mm) time (s) 0123456789 ABCXYZ:/") <= set(GLYPHS)
    image = np.zeros((30, 100, 3), np.float32)
    draw_text(image, 50, 5, "mm", (1, 1, 1), 2, "center")
    width, height = text_size("mm", 2)
    rows, columns = np.nonzero(image[..., 0])
    assert rows.min() >= 5 and rows.max() < 5 + height
    assert columns.min() >= 50 - width // 2 and columns.max() < 50 + width - width // 2


@pytest.fixture(scope="module")
def head():
    return load_demo_head()


def test_the_mouth_inside_is_dark_and_the_face_outside_keeps_its_colour(head):
    shade = mouth_shade(head.co, head.poly_sizes, head.poly_verts)
    co = head.co
    (x0, x1), (z0, z1) = MOUTH_BOX_M
    skin = np.zeros(len(co), bool)
    skin[head.parts["skin"]] = True
    outside_box = ~((co[:, 0] > x0) & (co[:, 0] < x1) & (co[:, 2] > z0) & (co[:, 2] < z1))
    assert np.all(shade[outside_box] == 1.0)
    midline = skin & (np.abs(co[:, 0]) < 0.004) & (co[:, 2] > 0.62) & (co[:, 2] < 0.69)
    in_box = np.flatnonzero(skin & ~outside_box)
    front = in_box[np.argsort(co[in_box, 1])[:40]]  # the most forward skin: lips, chin
    deep = midline & (co[:, 1] > -0.10)  # the mouth's back wall, 5 cm behind the lips
    assert deep.sum() > 5
    assert np.all(shade[front] == 1.0)
    assert np.allclose(shade[deep], DARKEST)
    assert np.median(shade[head.parts["tongue"]]) < 0.3  # behind the closed lips
