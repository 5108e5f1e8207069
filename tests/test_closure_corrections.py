"""The take's closure list and its local corrections (core.corrections), on the procedural
animator's curves for timed phones: real seals where the phones say p/b/m."""

import numpy as np
import pytest

from core.corrections.closure_list import find_closures, runs, seal_estimate, sealed_frames
from core.corrections.edit_log import (
    Correction,
    apply_correction,
    from_json,
    replay,
    to_json,
)
from core.corrections.local_edit import EDIT_REACH_S, open_closure, seal_span
from core.demohead.head import is_closed, lip_gap
from core.errors import LipSyncError
from core.phones.animator import animate
from core.phones.phone_set import Phone
from core.rig.arkit import LOWER_FACE

FPS = 30.0
# "a map, bob" : three bilabials in speech, silence around
PHONES = [
    Phone(0.0, 0.30, "SIL"),
    Phone(0.30, 0.42, "AH"),
    Phone(0.42, 0.52, "M"),
    Phone(0.52, 0.70, "AE"),
    Phone(0.70, 0.80, "P"),
    Phone(0.80, 0.95, "AA"),
    Phone(0.95, 1.05, "B"),
    Phone(1.05, 1.25, "AA"),
    Phone(1.25, 1.35, "B"),
    Phone(1.35, 1.80, "SIL"),
]


def _take(phones=PHONES, duration_s=1.8, fps=FPS) -> np.ndarray:
    return animate(phones, duration_s, fps)


def test_every_sealed_bilabial_is_one_closure_and_the_rest_pose_is_none():
    weights = _take()
    closures = find_closures(weights, LOWER_FACE, FPS, phones=PHONES)
    assert [c.phone for c in closures] == ["m", "p", "b", "b"]
    assert all(c.origin == "text" and c.confidence == 1.0 for c in closures)
    for closure, phone in zip(closures, [p for p in PHONES if p.label in "MPB"], strict=True):
        assert closure.start / FPS < phone.end_s and phone.start_s < closure.stop / FPS
    # the lips are closed on the silences too (the rest pose), but that is no closure
    assert is_closed(lip_gap(weights[:5], LOWER_FACE)).all()
    assert not sealed_frames(weights, LOWER_FACE)[:5].any()
    without_text = find_closures(weights, LOWER_FACE, FPS)
    assert [(c.start, c.stop, c.origin, c.phone) for c in without_text] == [
        (c.start, c.stop, "model", "") for c in closures
    ]


def test_seal_estimate_is_the_seal_of_the_rule():
    weights = _take()
    seal = seal_estimate(weights, LOWER_FACE)
    assert seal.min() >= 0.0 and seal.max() == 1.0
    assert seal[:5].max() == 0.0  # rest


def _changed_frames(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.any(before != after, axis=1))


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_deleting_a_closure_opens_it_and_changes_nothing_beyond_150_ms(fps):
    weights = _take(fps=fps)
    closures = find_closures(weights, LOWER_FACE, fps)
    target = closures[1]  # the "p"
    out, lo, hi = open_closure(weights, LOWER_FACE, fps, target.start, target.stop)
    changed = _changed_frames(weights, out)
    assert changed.size and lo <= changed.min() and changed.max() < hi
    reach = EDIT_REACH_S * fps
    assert changed.min() >= target.start - reach and changed.max() <= target.stop - 1 + reach
    after = find_closures(out, LOWER_FACE, fps)
    assert [(c.start, c.stop) for c in after] == [
        (c.start, c.stop) for c in closures if c != target
    ]
    assert not is_closed(lip_gap(out[target.start : target.stop], LOWER_FACE)).any()


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_sealing_at_a_frame_adds_one_closure_locally(fps):
    weights = _take(fps=fps)
    frame = int(0.62 * fps)  # inside "AE": open lips
    assert not sealed_frames(weights, LOWER_FACE)[frame]
    edited = apply_correction(weights, LOWER_FACE, fps, Correction("add", frame / fps))
    changed = _changed_frames(weights, edited.weights)
    assert np.abs(changed - frame).max() <= EDIT_REACH_S * fps
    ((lo, hi),) = edited.spans
    assert lo <= changed.min() and changed.max() < hi
    after = find_closures(edited.weights, LOWER_FACE, fps)
    assert len(after) == 5
    new = [c for c in after if c.start <= frame < c.stop]
    assert len(new) == 1 and new[0].confidence == 1.0


def test_moving_a_closure_opens_the_old_place_and_seals_the_new():
    weights = _take()
    closures = find_closures(weights, LOWER_FACE, FPS)
    old = closures[2]
    to_s = 0.88
    move = Correction("move", old.middle / FPS, to_s, (old.stop - old.start) / FPS)
    edited = apply_correction(weights, LOWER_FACE, FPS, move)
    changed = _changed_frames(weights, edited.weights)
    reach = EDIT_REACH_S * FPS
    near_old = np.abs(changed - old.middle) <= reach + (old.stop - old.start) / 2
    near_new = np.abs(changed - to_s * FPS) <= reach
    assert np.all(near_old | near_new)
    middles = [c.middle for c in find_closures(edited.weights, LOWER_FACE, FPS)]
    assert min(abs(m - to_s * FPS) for m in middles) <= 1.0
    assert min(abs(m - old.middle) for m in middles) > 2.0


def test_a_log_replays_on_a_new_take_and_drops_what_no_longer_fits():
    weights = _take()
    closures = find_closures(weights, LOWER_FACE, FPS)
    log = [
        Correction("delete", closures[0].middle / FPS),
        Correction("add", 0.62, length_s=0.08),
        Correction("delete", 0.2),  # silence: nothing to delete
    ]
    text = to_json(log)
    assert from_json(text) == log
    corrected, kept, dropped = replay(weights, LOWER_FACE, FPS, from_json(text))
    assert kept == log[:2]
    assert [c for c, _ in dropped] == [log[2]] and "no closure at 0.20 s" in dropped[0][1]
    # the same log on the same take made at another frame rate: same closures, in seconds
    at_24 = replay(_take(fps=24.0), LOWER_FACE, 24.0, log[:2])[0]
    middles_30 = [c.middle / FPS for c in find_closures(corrected, LOWER_FACE, FPS)]
    middles_24 = [c.middle / 24.0 for c in find_closures(at_24, LOWER_FACE, 24.0)]
    np.testing.assert_allclose(middles_24, middles_30, atol=1.5 / 24)


def test_bad_edits_say_what_is_wrong():
    weights = _take()
    with pytest.raises(LipSyncError, match="no closure at"):
        apply_correction(weights, LOWER_FACE, FPS, Correction("delete", 0.1))
    with pytest.raises(LipSyncError, match="inside the take"):
        seal_span(weights, LOWER_FACE, FPS, 50, 60)
    with pytest.raises(LipSyncError, match="unknown correction"):
        from_json('[{"kind": "bend", "at_s": 1.0}]')
    with pytest.raises(LipSyncError, match="cannot be read"):
        from_json("not json")


def test_edits_at_the_clip_edges_stay_inside_it():
    weights = _take()
    for at_s in (0.0, 1.8):
        edited = apply_correction(weights, LOWER_FACE, FPS, Correction("add", at_s))
        assert edited.weights.shape == weights.shape
    assert runs(np.array([1, 1, 0, 1], bool)) == [(0, 2), (3, 4)]
