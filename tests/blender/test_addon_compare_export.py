# ruff: noqa: F811  (pytest fixtures imported from addon_helpers are parameters here)
"""Compare A/B (two takes, closure markers, lip-gap plot) and every export format, re-imported."""

import csv
import json
import os
import stat

import bpy
import numpy as np
import pytest

# Fixtures come from addon_helpers by import (tests/blender keeps the lead's conftest.py).
from addon_helpers import (  # noqa: F401
    ext,
    model_name,
    model_names,
    scene_with_speech,
    speech_wav,
    take_values,
)

AUDIO = bpy.app.build_options.audaspace


def _audio_kwargs(speech_wav) -> dict:
    return {"strip": "Dialogue"} if AUDIO else {"filepath": str(speech_wav), "frame_start": 12}


def test_compare_keys_both_heads_marks_each_closure_and_plots(
    scene_with_speech, model_names, tmp_path
):
    scene, head, speech_wav = scene_with_speech
    model_a, model_b = model_names[0], model_names[-1]
    plot = tmp_path / "gap.png"
    result = bpy.ops.lipsync.compare(
        target=head.name,
        model=model_a,
        model_b=model_b,
        plot_path=str(plot),
        **_audio_kwargs(speech_wav),
    )
    assert result == {"FINISHED"}
    copy = bpy.data.objects[f"{head.name} B"]
    assert copy.data != head.data and copy.data.shape_keys != head.data.shape_keys
    gap_plot, head_core = ext("core.demohead.gap_plot"), ext("core.demohead.head")
    for prefix, obj in (("[A] ", head), ("[B] ", copy)):
        frames, names, values = take_values(obj)
        assert len(frames) > 100
        gap = head_core.lip_gap(values, names)  # identity mapping: keys are the channels
        expected = sorted(int(round(f)) for f in frames[gap_plot.closure_onsets(gap)])
        marked = sorted(m.frame for m in scene.timeline_markers if m.name.startswith(prefix))
        assert marked == expected
    image = bpy.data.images[ext("addon.ops_compare").PLOT_IMAGE]
    assert tuple(image.size) == (1200, 420) and plot.stat().st_size > 1000


def test_gap_plot_draws_both_series_and_their_closed_frames():
    gap_plot = ext("core.demohead.gap_plot")
    gap_a = np.r_[np.full(30, 0.01), np.zeros(10), np.full(30, 0.01)]
    gap_b = np.full(70, 0.01)
    pixels = gap_plot.render_gap_plot([gap_a, gap_b], fps=30.0, width=140, height=120)
    orange, blue = (np.float32(c) for c in gap_plot.SERIES_COLOURS)
    assert np.any(np.all(pixels == orange, axis=-1)) and np.any(np.all(pixels == blue, axis=-1))
    lane_a = pixels[-2 * (120 // 12) + 1]  # A's closed-frame strip: only around frames 30-39
    closed_columns = np.flatnonzero(np.all(lane_a == orange, axis=-1))
    assert closed_columns.min() >= 55 and closed_columns.max() <= 80
    assert list(gap_plot.closure_onsets(gap_a)) == [30]


@pytest.mark.parametrize("file_format", ["CSV", "LIVE_LINK", "JSON"])
def test_curve_exports_hold_the_keyed_take(scene_with_speech, model_name, tmp_path, file_format):
    scene, head, speech_wav = scene_with_speech
    bpy.ops.lipsync.generate(target=head.name, model=model_name, **_audio_kwargs(speech_wav))
    frames, names, values = take_values(head)
    path = tmp_path / f"take.{'json' if file_format == 'JSON' else 'csv'}"
    umask = os.umask(0o027)
    try:
        result = bpy.ops.lipsync.export(filepath=str(path), format=file_format, target=head.name)
    finally:
        os.umask(umask)
    assert result == {"FINISHED"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # a new file under the umask, not 0600
    jaw = values[:, names.index("jawOpen")]
    if file_format == "JSON":
        document = json.loads(path.read_text())
        assert document["metadata"]["model"] and document["metadata"]["first_frame"] == 12.0
        column = np.array(document["weights"])[:, document["channel_names"].index("jawOpen")]
    else:
        rows = list(csv.reader(path.open()))
        header = rows[0]
        if file_format == "LIVE_LINK":
            assert header[:3] == ["Timecode", "BlendShapeCount", "EyeBlinkLeft"]
            assert len(header) == 2 + 52 + 9 and rows[1][1] == "61"
            column = np.array([float(r[header.index("JawOpen")]) for r in rows[1:]])
        else:
            assert header[0] == "time" and set(header[1:]) == set(names)
            column = np.array([float(r[header.index("jawOpen")]) for r in rows[1:]])
    assert len(column) == len(frames)
    np.testing.assert_allclose(column, jaw, atol=1e-5)


def test_scripted_export_and_compare_after_scripted_generate_use_its_object(
    scene_with_speech, model_names, tmp_path, capfd
):
    """The issue's script: generate(target=...) then export() with no target (#17 item 6)."""
    scene, head, speech_wav = scene_with_speech
    scene.lipsync.target = None  # nothing picked in the panel
    bpy.context.view_layer.objects.active = None
    bpy.context.window_manager.lipsync_status.last_target = ""
    model = model_names[0]
    assert bpy.ops.lipsync.generate(target=head.name, model=model, **_audio_kwargs(speech_wav)) == {
        "FINISHED"
    }
    capfd.readouterr()
    path = tmp_path / "take.csv"
    assert bpy.ops.lipsync.export(filepath=str(path), format="CSV") == {"FINISHED"}
    assert f"'{head.name}' (the object last generated on)" in capfd.readouterr().out
    frames, names, values = take_values(head)
    rows = list(csv.reader(path.open()))
    assert rows[0][0] == "time" and len(rows) - 1 == len(frames)
    jaw = [float(r[rows[0].index("jawOpen")]) for r in rows[1:]]
    np.testing.assert_allclose(jaw, values[:, names.index("jawOpen")], atol=1e-5)

    result = bpy.ops.lipsync.compare(
        model=model, model_b=model_names[-1], **_audio_kwargs(speech_wav)
    )
    assert result == {"FINISHED"}
    assert f"on '{head.name}' (the object last generated on)" in capfd.readouterr().out
    assert f"{head.name} B" in bpy.data.objects  # B is a copy of the same head

    bpy.context.window_manager.lipsync_status.last_target = ""  # e.g. a new session
    bpy.context.view_layer.objects.active = head
    assert bpy.ops.lipsync.export(filepath=str(path.with_suffix(".json")), format="JSON") == {
        "FINISHED"
    }
    assert f"'{head.name}' (the active object)" in capfd.readouterr().out

    bpy.context.view_layer.objects.active = None
    with pytest.raises(RuntimeError, match="No object with a lip-sync take"):
        bpy.ops.lipsync.export(filepath=str(path), format="CSV")


@pytest.mark.parametrize("file_format", ["FBX", "GLTF"])
def test_scene_exports_reimport_with_shape_key_animation(
    scene_with_speech, model_names, tmp_path, file_format
):
    scene, head, speech_wav = scene_with_speech
    # The teacher follows the speech most closely; the exporters drop constant curves.
    model = "teacher" if "teacher" in model_names else model_names[0]
    bpy.ops.lipsync.generate(target=head.name, model=model, **_audio_kwargs(speech_wav))
    frames, names, values = take_values(head)
    path = tmp_path / ("take.fbx" if file_format == "FBX" else "take.glb")
    assert bpy.ops.lipsync.export(filepath=str(path), format=file_format, target=head.name) == {
        "FINISHED"
    }
    bpy.ops.wm.read_homefile(use_empty=True)
    if file_format == "FBX":
        bpy.ops.import_scene.fbx(filepath=str(path))
    else:
        bpy.ops.import_scene.gltf(filepath=str(path))
    meshes = [o for o in bpy.data.objects if o.type == "MESH" and o.data.shape_keys]
    assert len(meshes) == 1
    key = meshes[0].data.shape_keys
    assert {b.name for b in key.key_blocks} >= set(names)
    action = key.animation_data.action
    compat = ext("addon.compat")
    curves = {f.data_path: f for f in compat.action_fcurves(action, key)}
    jaw_curve = curves[compat.shape_key_data_path("jawOpen")]
    jaw = values[:, names.index("jawOpen")]
    middle = len(frames) // 2
    got = jaw_curve.evaluate(frames[middle] - frames[0] + jaw_curve.range()[0])
    assert abs(got - jaw[middle]) < 0.02
    assert np.ptp(compat.read_fcurve(jaw_curve)[1]) > 0  # animated, not a constant
