"""2D and stepped output (core.mouthshapes): viseme sets, minimum holds, the closed shape on
every sealed p/b/m."""

import json

import numpy as np
import pytest

from core.corrections.closure_list import find_closures, runs, sealed_frames
from core.errors import LipSyncError
from core.mouthshapes.holds import hold, run_lengths
from core.mouthshapes.shape_sets import (
    OCULUS,
    RHUBARB,
    viseme_set,
    viseme_set_from_json,
    viseme_set_to_json,
)
from core.mouthshapes.track import key_frames, retrack_window, viseme_track
from core.phones.animator import animate
from core.phones.phone_set import Phone
from core.rig.arkit import LOWER_FACE

FPS = 24.0
PHONES = [
    Phone(0.0, 0.25, "SIL"),
    Phone(0.25, 0.33, "B"),
    Phone(0.33, 0.50, "AA"),
    Phone(0.50, 0.55, "M"),  # short: about one frame
    Phone(0.55, 0.75, "UW"),
    Phone(0.75, 0.85, "F"),
    Phone(0.85, 1.00, "IY"),
    Phone(1.00, 1.08, "P"),
    Phone(1.08, 1.30, "L"),
    Phone(1.30, 1.70, "SIL"),
]


def test_the_built_in_sets():
    assert RHUBARB.shapes == ("A", "B", "C", "D", "E", "F", "G", "H", "X")
    assert (RHUBARB.closed, RHUBARB.rest) == ("A", "X")
    assert len(OCULUS.shapes) == 15 and (OCULUS.closed, OCULUS.rest) == ("PP", "sil")
    assert [RHUBARB.shape_of(p) for p in ("m", "AA1", "F", "UW", "L", "SIL", "AY")] == list(
        "ADGFHXD"
    )
    assert [OCULUS.shape_of(p) for p in ("B", "TH", "SH", "S", "OW", "AX")] == [
        "PP",
        "TH",
        "CH",
        "SS",
        "oh",
        "aa",
    ]
    assert viseme_set("Rhubarb") is RHUBARB and viseme_set("oculus") is OCULUS
    for vset in (RHUBARB, OCULUS):
        assert viseme_set_from_json(viseme_set_to_json(vset)) == vset


def test_a_json_preset_defines_another_set(tmp_path):
    body = {
        "name": "Four",
        "shapes": {"rest": [], "MBP": ["P", "B", "M"], "open": ["AA", "AE"], "O": ["UW"]},
        "closed": "MBP",
        "rest": "rest",
    }
    path = tmp_path / "four.json"
    path.write_text(json.dumps(body))
    four = viseme_set(str(path))
    assert four.shapes == ("rest", "MBP", "open", "O") and four.shape_of("T") is None
    track = viseme_track(animate(PHONES, 1.7, FPS), LOWER_FACE, FPS, four, 2)
    assert set(track.tolist()) <= {0, 1, 2, 3} and 1 in track
    with pytest.raises(LipSyncError, match="'closed' must name"):
        viseme_set_from_json(json.dumps({**body, "closed": "nope"}))
    with pytest.raises(LipSyncError, match="unknown phones"):
        viseme_set_from_json(json.dumps({**body, "shapes": {**body["shapes"], "x": ["QQ"]}}))
    with pytest.raises(LipSyncError, match="No viseme set"):
        viseme_set("preston")


def test_holds_keep_kept_frames_and_leave_no_short_run():
    shapes = np.array([0, 0, 0, 1, 2, 2, 3, 0, 0, 0, 0, 4, 4, 4, 1], np.int32)
    keep = np.zeros(len(shapes), bool)
    keep[6] = True  # a one-frame seal
    held = hold(shapes, keep, 3)
    assert held[6] == 3 and run_lengths(held).min() >= 3
    assert len(held) == len(shapes)
    assert np.array_equal(hold(shapes, keep, 1), shapes)
    assert np.array_equal(hold(np.array([5, 6], np.int32), np.zeros(2, bool), 4), [5, 5])


@pytest.mark.parametrize("vset", [RHUBARB, OCULUS])
@pytest.mark.parametrize("min_hold", [1, 2, 3, 4])
def test_no_shape_shorter_than_the_hold_and_closed_inside_every_sealed_pbm(vset, min_hold):
    weights = animate(PHONES, 1.7, FPS)
    track = viseme_track(weights, LOWER_FACE, FPS, vset, min_hold)
    assert run_lengths(track).min() >= min_hold
    closed = vset.index(vset.closed)
    sealed = sealed_frames(weights, LOWER_FACE)
    assert np.all(track[sealed] == closed)
    for start, stop in runs(sealed):
        assert stop - start >= 1
    # every p/b/m phone the continuous take seals shows the closed shape inside it
    for phone in PHONES:
        if phone.label in ("P", "B", "M"):
            frames = slice(int(np.ceil(phone.start_s * FPS)), int(np.ceil(phone.end_s * FPS)))
            if sealed[frames].any():
                assert (track[frames] == closed).any()
    assert track[-1] == vset.index(vset.rest)  # the closing silence: the rest shape
    assert track.dtype == np.int32


def test_aligned_phones_give_their_shapes():
    weights = animate(PHONES, 1.7, FPS)
    track = viseme_track(weights, LOWER_FACE, FPS, RHUBARB, 1, phones=PHONES)
    middle_of = {p.label: int((p.start_s + p.end_s) / 2 * FPS) for p in PHONES}
    assert RHUBARB.shapes[track[middle_of["UW"]]] == "F"
    assert RHUBARB.shapes[track[middle_of["F"]]] == "G"
    assert RHUBARB.shapes[track[middle_of["L"]]] == "H"


def test_a_window_is_redone_and_nothing_outside_it_changes():
    weights = animate(PHONES, 1.7, FPS)
    track = viseme_track(weights, LOWER_FACE, FPS, RHUBARB, 3)
    target = find_closures(weights, LOWER_FACE, FPS)[2]
    edited = weights.copy()
    edited[target.start - 1 : target.stop + 1] = weights[target.start - 2]  # lips parted there
    lo, hi = target.start - 3, target.stop + 3
    redone = retrack_window(track, edited, LOWER_FACE, FPS, RHUBARB, 3, lo, hi)
    outside = np.ones(len(track), bool)
    outside[lo:hi] = False
    assert np.array_equal(redone[outside], track[outside])
    assert run_lengths(redone).min() >= 3
    assert np.array_equal(key_frames(np.array([1, 1, 2, 2, 2, 0])), [0, 2, 5])
