"""Live Link Face CSV: the app's header, 61 values per row, timecodes, ARKit names matched."""

import csv

import numpy as np

from core.animation import Animation
from core.export_livelink import HEADER, timecode, write_live_link_csv
from core.rig import ARKIT_52, LOWER_FACE


def test_header_has_every_arkit_name_once_plus_nine_rotations():
    shapes = HEADER[2:-9]
    assert HEADER[:2] == ("Timecode", "BlendShapeCount")
    assert sorted(s.lower() for s in shapes) == sorted(n.lower() for n in ARKIT_52)
    assert HEADER[-9:][0] == "HeadYaw" and HEADER[-1] == "RightEyeRoll"


def test_timecode_counts_frames_within_the_second():
    assert timecode(0.0, 30) == "00:00:00:00.000"
    assert timecode(61.5, 30) == "00:01:01:15.000"
    assert timecode(3600 + 1 / 60, 30) == "01:00:00:00.500"


def test_written_rows_carry_the_weights_under_pascal_case_names(tmp_path):
    weights = np.random.default_rng(0).random((5, len(LOWER_FACE))).astype(np.float32)
    path = tmp_path / "take.csv"
    write_live_link_csv(path, Animation(30.0, LOWER_FACE, weights))
    rows = list(csv.reader(path.open()))
    assert tuple(rows[0]) == HEADER and len(rows) == 6
    assert all(len(r) == len(HEADER) and r[1] == "61" for r in rows[1:])
    jaw = HEADER.index("JawOpen")
    np.testing.assert_allclose([float(r[jaw]) for r in rows[1:]],
                               weights[:, LOWER_FACE.index("jawOpen")], atol=1e-6)  # fmt: skip
    assert {r[HEADER.index("EyeBlinkLeft")] for r in rows[1:]} == {"0.000000"}
    assert rows[2][0] == "00:00:00:01.000"
