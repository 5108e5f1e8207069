# ruff: noqa: F811  (pytest fixtures imported from addon_helpers are parameters here)
"""Generate with dialogue text (transcript mode) in real Blender, 5.2 and 4.2: the keys equal
the core's `predict_with_text`, the Action records the text and how it was used, the `.txt`
beside the audio file is picked up, and an explicitly empty text is the model alone."""

import shutil

import bpy
import numpy as np
from addon_helpers import (  # noqa: F401
    SPEECH_TEXT,
    ext,
    model_name,
    model_names,
    read_wav,
    scene_with_speech,
    speech_wav,
    take_values,
)

AUDIO = bpy.app.build_options.audaspace
FRAME_START = 12


def _generate(head, model: str, wav, **options):
    if AUDIO:
        strips = ext("addon.compat").new_strip_collection(bpy.context.scene)
        if ext("addon.compat").find_sound_strip(bpy.context.scene, "Line") is None:
            strips.new_sound("Line", str(wav), channel=2, frame_start=FRAME_START)
        return bpy.ops.lipsync.generate(strip="Line", model=model, target=head.name, **options)
    return bpy.ops.lipsync.generate(
        filepath=str(wav), frame_start=FRAME_START, model=model, target=head.name, **options
    )


def _action(head):
    return ext("addon.keying").current_take(head)


def test_generate_with_text_keys_the_core_transcript_take(scene_with_speech, model_name):
    scene, head, speech_wav = scene_with_speech
    scene.render.fps, scene.render.fps_base = 24, 1.0
    assert _generate(head, model_name, speech_wav, text=SPEECH_TEXT) == {"FINISHED"}
    frames, names, values = take_values(head)
    api = ext("core.api")
    samples, rate = read_wav(speech_wav)
    expected = api.predict_with_text(
        api.load_model(model_name),
        samples,
        rate,
        24.0,
        SPEECH_TEXT,
        aligner=api.load_model("teacher"),
    )
    weights = np.clip(expected.animation.weights, 0.0, 1.0)
    assert len(frames) > 100 and len(weights) - len(frames) in (0, 1)  # a strip plays whole
    np.testing.assert_allclose(frames, FRAME_START + np.arange(len(frames)))  # frames
    channels = expected.animation.channel_names
    body = slice(0, len(frames) - 8)  # the last ones: the strip's cut is seen by the teacher
    for column, name in enumerate(names):
        np.testing.assert_allclose(
            values[body, column], weights[body, channels.index(name)], atol=2e-3
        )
    action = _action(head)
    assert action["tiny_lipsync_text"] == SPEECH_TEXT
    assert action["tiny_lipsync_text_alignment"].startswith("Text aligned:"), action[
        "tiny_lipsync_text_alignment"
    ]
    assert action["tiny_lipsync_text_alignment"] == expected.message


def test_the_txt_beside_the_audio_is_used_unless_text_is_given_empty(
    scene_with_speech, model_name, tmp_path
):
    scene, head, speech_wav = scene_with_speech
    wav = shutil.copy(speech_wav, tmp_path / "line.wav")
    (tmp_path / "line.txt").write_text(SPEECH_TEXT + "\n", encoding="utf-8")
    assert scene.lipsync.use_text_file  # on by default
    assert _generate(head, model_name, wav) == {"FINISHED"}
    assert _action(head)["tiny_lipsync_text"].strip() == SPEECH_TEXT
    assert _action(head)["tiny_lipsync_text_alignment"].startswith("Text aligned:")

    assert _generate(head, model_name, wav, text="") == {"FINISHED"}  # explicitly none
    assert (
        _action(head)["tiny_lipsync_text"] == ""
        and _action(head)["tiny_lipsync_text_alignment"] == ""
    )

    scene.lipsync.use_text_file = False
    assert _generate(head, model_name, wav) == {"FINISHED"}
    assert _action(head)["tiny_lipsync_text"] == ""

    scene.lipsync.dialogue_text = "Bob met Pam by the pump."  # the panel's field wins
    assert _generate(head, model_name, wav) == {"FINISHED"}
    assert _action(head)["tiny_lipsync_text"] == "Bob met Pam by the pump."


class _Layout:
    """Records what a panel draws (a Panel's layout exists only while Blender draws it)."""

    def __init__(self):
        self.props: list[tuple[str, str]] = []

    def column(self, align: bool = False) -> "_Layout":
        return self

    def prop(self, data, name: str, text: str = "", icon: str = "NONE") -> None:
        self.props.append((name, text))


def test_the_panel_offers_the_txt_beside_the_strip_only_when_there_is_one(
    scene_with_speech, tmp_path
):
    scene, head, speech_wav = scene_with_speech
    panel = ext("addon.panel")
    layout = _Layout()
    panel.draw_dialogue(layout, bpy.context, scene.lipsync)
    assert [name for name, _ in layout.props] == ["dialogue_text"]  # no strip picked, no file
    if not AUDIO:
        return
    wav = shutil.copy(speech_wav, tmp_path / "scene_03.wav")
    (tmp_path / "scene_03.txt").write_text("Bob met Pam.", encoding="utf-8")
    strips = ext("addon.compat").new_strip_collection(scene)
    strips.new_sound("Scene 3", str(wav), channel=3, frame_start=1)
    scene.lipsync.strip = "Scene 3"
    layout = _Layout()
    panel.draw_dialogue(layout, bpy.context, scene.lipsync)
    assert layout.props == [("dialogue_text", ""), ("use_text_file", "Use scene_03.txt")]
