# ruff: noqa: F811  (pytest fixtures imported from addon_helpers are parameters here)
"""Corrections that survive, the viseme output and File > Export in real Blender: a closure
deleted, added or moved re-keys only its frames (nothing outside +-150 ms), one undo step each,
stored with the take through save and reload, offered again by Generate; viseme takes key the
integer `lipsync_viseme` stepped, the closed shape on every sealed closure."""

import csv

import bpy
import numpy as np
import pytest
from addon_helpers import ext, fingerprint, speech_wav  # noqa: F401
from dialogue_scene import add_character

FPS = 30
START = 12
REACH = 0.150 * FPS  # frames within 150 ms


def _generate(target: str, path, *undo, **options):
    return bpy.ops.lipsync.generate(
        *undo, filepath=str(path), frame_start=START, model="s_tiny", target=target, **options
    )


@pytest.fixture
def head(empty_scene, speech_wav):
    empty_scene.render.fps, empty_scene.render.fps_base = FPS, 1.0
    obj = add_character("Alice")
    assert _generate(obj.name, speech_wav) == {"FINISHED"}
    return obj


def _keys(obj) -> dict[str, np.ndarray]:
    """Every shape-key curve of the active take: data path -> (N, 2) keys."""
    compat, key = ext("addon.compat"), obj.data.shape_keys
    action = key.animation_data.action
    return {
        f.data_path: np.stack(compat.read_fcurve(f), 1) for f in compat.action_fcurves(action, key)
    }


def _changed_frames(before: dict, after: dict) -> np.ndarray:
    frames = set()
    for path, keys in before.items():
        assert after[path].shape == keys.shape
        frames |= set(keys[np.any(keys != after[path], axis=1), 0].tolist())
    return np.array(sorted(frames))


def _closures(obj) -> list:
    return list(obj.data.shape_keys.animation_data.action.lipsync_take.closures)


def test_the_take_lists_its_closures_and_draws_them(head):
    take = head.data.shape_keys.animation_data.action
    store, closure_list = ext("addon.take_store"), ext("core.corrections.closure_list")
    weights, channels = store.weights_of(take)
    found = closure_list.find_closures(weights, channels, FPS)
    listed = _closures(head)
    assert len(listed) == len(found) >= 8  # "Bob met Pam by the pump..."
    assert [c.frame_start for c in listed] == [START + c.start for c in found]
    markers = {m.frame for m in bpy.context.scene.timeline_markers if m.name.startswith("[Alice]")}
    assert markers == {START + c.start for c in found}


@pytest.mark.parametrize("edit", ["delete", "add", "move"])
def test_a_correction_rekeys_only_around_it_in_one_undo_step(head, edit):
    scene = bpy.context.scene
    listed = _closures(head)
    start, end = listed[3].frame_start, listed[3].frame_end  # (the list is refilled by edits)
    where = {"delete": start, "add": 0.0, "move": 0.0}[edit]
    if edit in ("add", "move"):  # the middle of the longest gap between two closures
        gaps = [
            (b.frame_start - a.frame_end, a.frame_end)
            for a, b in zip(listed[:-1], listed[1:], strict=True)
        ]
        length, after = max(gaps)
        where = after + length // 2
    before, count = _keys(head), len(listed)
    assert bpy.ops.ed.undo_push(message="before") == {"FINISHED"}
    state = fingerprint()
    scene.frame_set(int(where))
    run = {
        "delete": lambda: bpy.ops.lipsync.closure_delete("EXEC_DEFAULT", True, index=3),
        "add": lambda: bpy.ops.lipsync.closure_add("EXEC_DEFAULT", True),
        "move": lambda: bpy.ops.lipsync.closure_move("EXEC_DEFAULT", True, index=3),
    }[edit]
    scene.lipsync.target = head
    assert run() == {"FINISHED"}
    changed = _changed_frames(before, _keys(head))
    assert changed.size > 0
    spans = [(start, end - 1)] if edit != "add" else [(where, where)]
    if edit == "move":
        spans.append((where, where))
    near = np.zeros(len(changed), bool)
    for first, last in spans:
        near |= (changed >= first - REACH - 1.5) & (changed <= last + REACH + 1.5)
    assert near.all(), changed  # nothing farther than 150 ms from the edit (+- a closure)
    after = _closures(head)
    expect = {"delete": count - 1, "add": count + 1, "move": count}[edit]
    assert len(after) == expect
    if edit != "delete":
        assert any(c.origin == "added" and c.frame_start <= where < c.frame_end for c in after)
    action = head.data.shape_keys.animation_data.action
    assert len(ext("addon.take_store").corrections_of(action)) == 1
    assert bpy.ops.ed.undo() == {"FINISHED"}
    assert fingerprint() == state


def test_corrections_survive_save_reload_and_generate_offers_to_keep_them(
    head, speech_wav, tmp_path
):
    scene = bpy.context.scene
    scene.lipsync.target = head
    deleted_at = _closures(head)[2].frame_start
    assert bpy.ops.lipsync.closure_delete(index=2) == {"FINISHED"}
    path = tmp_path / "corrected.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    head = bpy.data.objects["Alice"]
    action = head.data.shape_keys.animation_data.action
    store = ext("addon.take_store")
    assert [c.kind for c in store.corrections_of(action)] == ["delete"]
    weights, _ = store.weights_of(action)
    assert weights.shape[1] == 29
    assert all(c.frame_start != deleted_at for c in _closures(head))
    # Generate again: the correction is kept (the panel's offer, on by default)
    assert _generate(head.name, speech_wav, strength=0.9) == {"FINISHED"}
    assert all(c.frame_start != deleted_at for c in _closures(head))
    action = head.data.shape_keys.animation_data.action
    assert len(store.corrections_of(action)) == 1
    # ... or dropped when declined: the model's closure comes back
    assert _generate(head.name, speech_wav, keep_corrections=False) == {"FINISHED"}
    assert any(c.frame_start == deleted_at for c in _closures(head))


def test_a_bad_correction_says_why_and_changes_nothing(head):
    before = fingerprint()
    with pytest.raises(RuntimeError, match="has no closure 100"):
        bpy.ops.lipsync.closure_delete(target="Alice", index=99)
    with pytest.raises(RuntimeError, match="no lip-sync take named 'nope'"):
        bpy.ops.lipsync.closure_add(target="Alice", take="nope")
    assert fingerprint() == before


def test_viseme_mode_keys_a_stepped_integer_with_the_closed_shape_on_every_closure(
    head, speech_wav
):
    """The continuous take (on the head) and a viseme take of the same audio on an Empty:
    every sealed frame of the first shows Rhubarb's A in the second, no shape is shorter than
    the minimum hold, and the keys are constant, one per change."""
    sealed = np.zeros(400, bool)
    for closure in _closures(head):
        sealed[int(closure.frame_start) : int(closure.frame_end)] = True
    empty = bpy.data.objects.new("Mouth 2D", None)
    bpy.context.scene.collection.objects.link(empty)
    options = {"output": "VISEMES", "viseme_set": "rhubarb", "min_hold": 3}
    assert _generate(empty.name, speech_wav, **options) == {"FINISHED"}
    assert list(empty["lipsync_viseme_names"]) == list("ABCDEFGHX")
    assert empty["lipsync_viseme_set"] == "Rhubarb A-X"
    assert empty.id_properties_ui("lipsync_viseme").as_dict()["max"] == 8
    action = empty.animation_data.action
    compat = ext("addon.compat")
    (fcurve,) = compat.action_fcurves(action, empty)
    assert fcurve.data_path == '["lipsync_viseme"]'
    assert {k.interpolation for k in fcurve.keyframe_points} == {"CONSTANT"}
    frames, values = compat.read_fcurve(fcurve)
    assert np.all(np.diff(values) != 0)  # a key only where the shape changes
    last = int(_closures(head)[-1].frame_end) + 10
    track = np.array([fcurve.evaluate(f) for f in range(START, last)], int)
    assert np.all(track[sealed[START:last]] == 0)  # A
    assert ext("core.mouthshapes.holds").run_lengths(track[:-10]).min() >= 3
    # a correction on the viseme take changes the track only around it
    before = track.copy()
    assert bpy.ops.lipsync.closure_delete(target="Mouth 2D", index=2) == {"FINISHED"}
    after = np.array([fcurve.evaluate(f) for f in range(START, last)], int)
    closure = action.lipsync_take.closures  # the viseme take's list, after the delete
    changed = np.flatnonzero(after != before) + START
    assert changed.size and np.ptp(changed) <= 2 * REACH + 10
    assert len(closure) == len(_closures(head)) - 1


def test_file_export_uses_export_helper_and_writes_a_viseme_column(head, speech_wav, tmp_path):
    draw_functions = bpy.types.TOPBAR_MT_file_export._dyn_ui_initialize()
    assert any(f.__name__ == "menu_export" for f in draw_functions)
    from bpy_extras.io_utils import ExportHelper

    assert issubclass(ext("addon.ops_export").LIPSYNC_OT_export, ExportHelper)
    empty = bpy.data.objects.new("Mouth 2D", None)
    bpy.context.scene.collection.objects.link(empty)
    assert _generate(empty.name, speech_wav, output="VISEMES", viseme_set="oculus") == {"FINISHED"}
    out = tmp_path / "visemes.csv"
    with bpy.context.temp_override(scene=bpy.context.scene):
        assert bpy.ops.lipsync.export(filepath=str(out), target=empty.name) == {"FINISHED"}
    with out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-1] == "viseme" and {r[-1] for r in rows[1:]} >= {"sil", "PP"}
    with pytest.raises(RuntimeError, match="export it as CSV or JSON"):
        bpy.ops.lipsync.export(filepath=str(tmp_path / "v.fbx"), format="FBX", target=empty.name)
    out = tmp_path / "take.json"
    assert bpy.ops.lipsync.export(filepath=str(out), format="JSON", target="Alice") == {"FINISHED"}
    text = out.read_text()
    assert '"corrections"' in text and "weights_shape" not in text
