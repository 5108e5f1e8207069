"""addon.compat on the running Blender: sound strips and bulk shape-key keying round trips."""

import importlib
import warnings

import bpy
import numpy as np
import pytest
from conftest import ADDON_MODULE


def compat():
    return importlib.import_module(f"{ADDON_MODULE}.addon.compat")


def _mesh_with_keys(names: list[str]) -> bpy.types.Object:
    mesh = bpy.data.meshes.new("Face")
    mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    obj = bpy.data.objects.new("Face", mesh)
    bpy.context.scene.collection.objects.link(obj)
    obj.shape_key_add(name="Basis")
    for name in names:
        obj.shape_key_add(name=name)
    return obj


def test_keys_52_channels_by_1800_frames_and_reads_them_back(empty_scene):
    names = [f"shape {i}" for i in range(51)] + ['odd "name"']
    obj = _mesh_with_keys(names)
    key = obj.data.shape_keys
    frames = np.arange(1800, dtype=np.float32) + 1
    weights = np.random.default_rng(0).random((1800, 52)).astype(np.float32)
    c = compat()

    action = c.assign_new_action(key, "Take")
    fcurves = c.action_fcurves(action, key, create=True)
    for i, name in enumerate(names):
        c.write_fcurve(fcurves, c.shape_key_data_path(name), frames, weights[:, i], "Lip Sync")

    read = {f.data_path: c.read_fcurve(f) for f in c.action_fcurves(action, key)}
    assert len(read) == 52
    for i, name in enumerate(names):
        got_frames, got_values = read[c.shape_key_data_path(name)]
        np.testing.assert_array_equal(got_frames, frames)
        np.testing.assert_array_equal(got_values, weights[:, i])
    empty_scene.frame_set(100)
    assert key.key_blocks['odd "name"'].value == np.float32(weights[99, 51])
    assert key.animation_data.action == action


def test_a_new_action_leaves_the_users_action_alone(empty_scene):
    obj = _mesh_with_keys(["jawOpen"])
    key = obj.data.shape_keys
    c = compat()
    mine = c.assign_new_action(key, "Mine")
    c.write_fcurve(
        c.action_fcurves(mine, key, create=True),
        c.shape_key_data_path("jawOpen"),
        np.array([1.0, 10.0]),
        np.array([0.0, 1.0]),
    )
    take = c.assign_new_action(key, "Take")
    assert key.animation_data.action == take
    frames, values = c.read_fcurve(next(iter(c.action_fcurves(mine, key))))
    np.testing.assert_array_equal(values, [0.0, 1.0])


def test_sound_strips_are_listed(empty_scene, tmp_path):
    wav = tmp_path / "tone.wav"
    _write_tone(wav)
    c = compat()
    strips = c.new_strip_collection(empty_scene)
    if not bpy.app.build_options.audaspace:
        # The bpy 4.2 wheel is built without audio: it cannot make sound strips at all.
        with pytest.raises(RuntimeError, match="Audaspace"):
            strips.new_sound("Dialogue", str(wav), channel=1, frame_start=12)
        assert c.sound_strips(empty_scene) == []
        return
    strip = strips.new_sound("Dialogue", str(wav), channel=1, frame_start=12)
    assert [s.name for s in c.sound_strips(empty_scene)] == [strip.name]
    assert c.sound_strips(bpy.data.scenes.new("Empty")) == []


def test_strip_handles_use_the_names_that_stay_in_blender_6(empty_scene, tmp_path):
    if not bpy.app.build_options.audaspace:
        return  # the bpy 4.2 wheel cannot make sound strips (see above)
    wav = tmp_path / "tone.wav"
    _write_tone(wav)  # 1 s
    c = compat()
    empty_scene.render.fps = 24
    strip = c.new_strip_collection(empty_scene).new_sound("Dialogue", str(wav), 1, 12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # 5.2: "removed in Blender 6.0"
        assert c.strip_content_frames(strip) == 24
        c.trim_strip(strip, 3, 5)
        assert c.strip_frames(strip) == (12.0, 15.0, 31.0)
    with pytest.warns(DeprecationWarning, match="Blender 6.0"):  # what the old names do
        assert strip.frame_offset_start == 3


def _write_tone(path) -> None:
    import wave

    samples = (np.sin(np.arange(16000) * 2 * np.pi * 220 / 16000) * 8000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(samples.tobytes())
