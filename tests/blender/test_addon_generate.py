# ruff: noqa: F811  (pytest fixtures imported from addon_helpers are parameters here)
"""Generate on real speech: keys equal the core's output at the strip's frames; takes are
non-destructive; errors and cancels change nothing. Runs on Blender 5.2 (sound strips) and
4.2 (its bpy wheel has no Audaspace, so audio comes by `filepath` + `frame_start` there)."""

import warnings

import bpy
import numpy as np
import pytest

# Fixtures come from addon_helpers by import (tests/blender keeps the lead's conftest.py).
from addon_helpers import (  # noqa: F401
    ext,
    fingerprint,
    model_name,
    model_names,
    read_wav,
    scene_with_speech,
    speech_wav,
    take_values,
)
from conftest import ADDON_MODULE

AUDIO = bpy.app.build_options.audaspace
FRAME_START = 12


def _core_weights(model: str, samples, rate: int, fps: float) -> tuple[tuple[str, ...], np.ndarray]:
    api = ext("core.api")
    animation = api.predict(api.load_model(model), samples, rate, fps)
    return animation.channel_names, np.clip(animation.weights, 0.0, 1.0)


def _generate(scene, head, model: str, speech_wav, **options):
    if AUDIO:
        return bpy.ops.lipsync.generate(strip="Dialogue", model=model, target=head.name, **options)
    return bpy.ops.lipsync.generate(
        filepath=str(speech_wav), frame_start=FRAME_START, model=model, target=head.name, **options
    )


def test_keys_equal_the_core_output_offset_by_the_start_frame(scene_with_speech, model_name):
    scene, head, speech_wav = scene_with_speech
    scene.render.fps, scene.render.fps_base = 30, 1.001  # 29.97 fps
    fps = 30 / 1.001
    assert _generate(scene, head, model_name, speech_wav) == {"FINISHED"}
    frames, names, values = take_values(head)
    samples, rate = read_wav(speech_wav)
    channels, expected = _core_weights(model_name, samples, rate, fps)
    assert len(frames) == len(expected) > 100
    np.testing.assert_allclose(frames, FRAME_START + np.arange(len(expected)))
    # A strip plays whole frames: its last frame may cut the file a few ms short, which the
    # model's future context sees in the final frames (one future window, 256 ms); how far those
    # frames move depends on the model (the shipped S-tiny's by up to 0.005). Before that the
    # numbers agree to float rounding: the DC removal only looks at the past.
    body = slice(0, len(frames) - int(np.ceil(0.3 * fps)))
    for column, name in enumerate(names):
        want = expected[:, channels.index(name)]
        np.testing.assert_allclose(values[body, column], want[body], atol=2e-5)
        np.testing.assert_allclose(values[:, column], want, atol=2e-2)
    assert set(names) == set(channels)  # identity mapping on the demo head: every channel keyed


def test_a_trimmed_strip_keys_only_its_visible_part_where_it_plays(scene_with_speech, model_name):
    scene, head, speech_wav = scene_with_speech
    if not AUDIO:  # 4.2 wheel: no strips; a named strip is a clear error that changes nothing
        before = fingerprint()
        with pytest.raises(RuntimeError, match="no sound strip named 'Dialogue'"):
            bpy.ops.lipsync.generate(strip="Dialogue", model=model_name, target=head.name)
        assert fingerprint() == before
        return
    compat = ext("addon.compat")
    strip = compat.find_sound_strip(scene, "Dialogue")
    compat.trim_strip(strip, 10, 15)
    strip.volume = 0.1  # the take must not depend on the mix volume
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _generate(scene, head, model_name, speech_wav) == {"FINISHED"}
    removed_in_6 = [str(w.message) for w in caught if "Blender 6.0" in str(w.message)]
    assert removed_in_6 == []  # only the names that stay (#17 item 10)
    frames, names, values = take_values(head)
    samples, rate = read_wav(speech_wav)
    fps = scene.render.fps
    _, full = _core_weights(model_name, samples, rate, fps)
    assert frames[0] == FRAME_START + 10
    assert len(frames) == len(full) - 25
    # The take is the core's output for exactly the audio the trimmed strip plays (its last
    # keyed frame may start less than a frame before the cut: no audio after the cut is heard).
    content_start, left, right = compat.strip_frames(strip)
    visible = samples[
        round((left - content_start) / fps * rate) : round((right - content_start) / fps * rate)
    ]
    channels, reference = _core_weights(model_name, visible, rate, fps)
    edge = int(np.ceil(0.3 * fps))  # the cut ends may differ by a sample: one context window
    for column, name in enumerate(names):
        want = reference[:, channels.index(name)]
        np.testing.assert_allclose(values[edge:-edge, column], want[edge:-edge], atol=2e-3)
        np.testing.assert_allclose(values[:, column], want, atol=0.05)


def test_rerun_replaces_only_its_own_take_and_keeps_the_users_action(scene_with_speech, model_name):
    scene, head, speech_wav = scene_with_speech
    compat, key = ext("addon.compat"), head.data.shape_keys
    mine = compat.assign_new_action(key, "My hand animation")
    compat.write_fcurve(
        compat.action_fcurves(mine, key, create=True),
        compat.shape_key_data_path("jawOpen"),
        np.array([1.0, 9.0]),
        np.array([0.0, 0.5]),
    )
    _generate(scene, head, model_name, speech_wav)
    first_name = key.animation_data.action.name
    _generate(scene, head, model_name, speech_wav, strength=0.5)
    takes = [a for a in bpy.data.actions if "tiny_lipsync_take" in a]
    assert len(takes) == 1 and takes[0] == key.animation_data.action
    assert takes[0].name == first_name  # same take name: the old Action is gone, not renamed
    assert mine.name in bpy.data.actions and mine.use_fake_user  # kept, protected from purge
    _, values = compat.read_fcurve(next(iter(compat.action_fcurves(mine, key))))
    np.testing.assert_array_equal(values, [0.0, 0.5])


def test_strength_bias_and_offset_shape_the_keys(scene_with_speech, model_name):
    scene, head, speech_wav = scene_with_speech
    _generate(scene, head, model_name, speech_wav)
    frames, names, plain = take_values(head)
    _generate(scene, head, model_name, speech_wav, strength=0.5, offset_ms=-100.0)
    shifted_frames, _, half = take_values(head)
    np.testing.assert_allclose(shifted_frames, frames - 0.1 * scene.render.fps, atol=1e-4)
    np.testing.assert_allclose(half, np.clip(plain * 0.5, 0, 1), atol=1e-6)
    _generate(scene, head, model_name, speech_wav, close_bias=0.5)
    _, _, biased = take_values(head)
    jaw = names.index("jawOpen")
    assert np.all(biased[plain[:, jaw] <= 0.5, jaw] == 0.0)


def test_failures_report_a_sentence_and_change_nothing(scene_with_speech, model_name, tmp_path):
    scene, head, speech_wav = scene_with_speech
    before = fingerprint()
    with pytest.raises(RuntimeError, match="missing"):
        bpy.ops.lipsync.generate(
            filepath=str(tmp_path / "gone.wav"), model=model_name, target=head.name
        )
    with pytest.raises(RuntimeError, match="No shipped model named 'nope'"):
        _generate(scene, head, "nope", speech_wav)
    with pytest.raises(RuntimeError, match="no shape keys"):
        mesh = bpy.data.meshes.new("Plain")
        bpy.data.objects.new("Plain", mesh)
        bpy.ops.lipsync.generate(filepath=str(speech_wav), model=model_name, target="Plain")
    bpy.data.objects.remove(bpy.data.objects["Plain"])
    bpy.data.meshes.remove(mesh)
    if AUDIO:
        ext("addon.compat").find_sound_strip(scene, "Dialogue").mute = True
        with pytest.raises(RuntimeError, match="muted"):
            _generate(scene, head, model_name, speech_wav)
        ext("addon.compat").find_sound_strip(scene, "Dialogue").mute = False
    assert fingerprint() == before


def test_a_cancelled_job_changes_nothing(scene_with_speech, model_name):
    """The modal operator runs Job.compute in a worker and calls Job.apply only when compute
    finished; Esc sets the cancel flag, which the progress callback turns into `Cancelled`. Here
    the same compute path is cancelled at its 'Running model' stage (no events headless)."""
    scene, head, speech_wav = scene_with_speech
    audio_source, take = ext("addon.audio_source"), ext("addon.take")
    job = ext("addon.job_operator")
    mapping = ext("core.rig.mapping")
    audio = audio_source.file_audio(str(speech_wav), FRAME_START)
    keys = [b.name for b in head.data.shape_keys.key_blocks[1:]]
    rig = ext("core.rig.arkit")
    request = take.TakeRequest(
        audio,
        model_name,
        24.0,
        True,
        1.0,
        0.0,
        0.0,
        mapping.resolve(mapping.identity_preset(rig.LOWER_FACE), rig.LOWER_FACE, keys),
    )
    before = fingerprint()
    stages = []

    def progress(fraction: float, text: str) -> None:
        stages.append(text)
        if text.startswith("Running"):
            raise job.Cancelled()

    with pytest.raises(job.Cancelled):
        take.compute_take(request, progress)
    assert stages[-1].startswith("Running")
    assert fingerprint() == before


@pytest.mark.parametrize("operator", ["generate", "compare", "load_mapping"])
def test_each_data_changing_operator_is_one_undo_step(scene_with_speech, model_name, operator):
    """Real undo, headless: `ed.undo_push` stores the user's state, the operator runs with its
    own undo push on ('EXEC_DEFAULT', True: as a click in the UI), and one `ed.undo` lands
    exactly on the user's state. Had the operator pushed no step, or several, undo would go
    back past the user's edit, or stop short of it."""
    scene, head, speech_wav = scene_with_speech
    scene.lipsync.target = head
    assert bpy.ops.ed.undo_push(message="start") == {"FINISHED"}
    head.data.shape_keys.key_blocks["mouthFunnel"].value = 0.5  # the user's edit
    assert bpy.ops.ed.undo_push(message="user edit") == {"FINISHED"}
    before, routes, name = fingerprint(), len(scene.lipsync.routes), head.name
    audio = (
        {"strip": "Dialogue"}
        if AUDIO
        else {"filepath": str(speech_wav), "frame_start": FRAME_START}
    )
    run = {
        "generate": lambda: bpy.ops.lipsync.generate(
            "EXEC_DEFAULT", True, model=model_name, target=head.name, **audio
        ),
        "compare": lambda: bpy.ops.lipsync.compare(
            "EXEC_DEFAULT", True, model=model_name, model_b=model_name, target=head.name, **audio
        ),
        "load_mapping": lambda: bpy.ops.lipsync.load_mapping(
            "EXEC_DEFAULT", True, target=head.name, preset="arkit52"
        ),
    }[operator]
    assert run() == {"FINISHED"}
    changed = fingerprint() != before or len(bpy.context.scene.lipsync.routes) != routes
    assert changed
    assert bpy.ops.ed.undo() == {"FINISHED"}
    assert fingerprint() == before and len(bpy.context.scene.lipsync.routes) == routes
    keys = bpy.data.objects[name].data.shape_keys  # undo rebuilt the data: looked up again
    assert keys.key_blocks["mouthFunnel"].value == 0.5


def test_panel_preferences_and_mapping_table(scene_with_speech, tmp_path):
    scene, head, _ = scene_with_speech
    assert bpy.types.LIPSYNC_PT_main.bl_category == "Lip Sync"
    assert ADDON_MODULE in bpy.context.preferences.addons
    prefs = bpy.context.preferences.addons[ADDON_MODULE].preferences
    assert ext("addon.preferences").LIPSYNC_AP_preferences.bl_idname == ADDON_MODULE
    assert hasattr(prefs, "default_model") and hasattr(prefs, "default_preset")
    settings = scene.lipsync
    settings.target = head
    settings.preset = "arkit52"
    assert bpy.ops.lipsync.load_mapping() == {"FINISHED"}
    rows = {row.channel: row for row in settings.routes}
    assert rows["jawOpen"].shape_key == "jawOpen" and len(rows) == 29
    rows["jawOpen"].gain = 0.5
    path = tmp_path / "mine.json"
    assert bpy.ops.lipsync.save_mapping(filepath=str(path), name="Mine") == {"FINISHED"}
    preset = ext("core.rig.mapping").load_preset(path)
    assert preset.channels["jawOpen"] == (("jawOpen", 0.5),)
