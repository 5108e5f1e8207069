"""Live Link Face CSV: the app's header, 61 values per row, timecodes, ARKit names matched."""

import csv

import numpy as np
import pytest

from core.animation import Animation
from core.errors import RigError
from core.export.live_link import HEADER, arkit_named, timecode, write_live_link_csv
from core.rig.arkit import ARKIT_52, LOWER_FACE


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
    np.testing.assert_allclose(
        [float(r[jaw]) for r in rows[1:]], weights[:, LOWER_FACE.index("jawOpen")], atol=1e-6
    )
    assert {r[HEADER.index("EyeBlinkLeft")] for r in rows[1:]} == {"0.000000"}
    assert rows[2][0] == "00:00:00:01.000"


def test_shape_keys_are_renamed_to_the_arkit_names_they_mean_and_others_dropped():
    weights = np.array([[0.1, 0.2, 0.3]], dtype=np.float32)
    animation = Animation(30.0, ("JawOpen", "mouth_close", "Eyebrow_Wiggle"), weights)
    named = arkit_named(animation)
    assert named.channel_names == ("jawOpen", "mouthClose")
    assert np.array_equal(named.weights, weights[:, :2]) and named.fps == 30.0


def test_a_take_without_any_arkit_name_says_so():
    animation = Animation(30.0, ("Smile_Big",), np.zeros((2, 1), np.float32))
    with pytest.raises(RigError, match="None of 'Head''s keyed shape keys has an ARKit name"):
        arkit_named(animation, "'Head'")
