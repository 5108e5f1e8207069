# ruff: noqa: F811  (pytest fixtures imported from addon_helpers are parameters here)
"""Generate All on a scene of dialogue: strips cast to characters by name or as picked, each its
own take on the character's NLA track, one report, one undo step; bad strips fail alone and
change nothing; strips keyed with the same settings are skipped. Blender 5.2 with real sound
strips, 4.2 with stand-ins (its wheel cannot hold sound strips: dialogue_scene)."""

import shutil
from pathlib import Path

import bpy
import numpy as np
import pytest
from addon_helpers import ext, fingerprint, read_wav, speech_wav  # noqa: F401
from dialogue_scene import AUDIO, DialogueScene, add_character

SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "sample_speech.wav"
FPS = 24


@pytest.fixture
def dialogue(empty_scene, speech_wav, monkeypatch, tmp_path):
    """Three characters, a mesh without shape keys, and strips good and bad."""
    scene = empty_scene
    scene.render.fps, scene.render.fps_base = FPS, 1.0
    alice, bob, carol = (add_character(n) for n in ("Alice", "Bob", "Carol"))
    plain = bpy.data.objects.new("Plain", bpy.data.meshes.new("Plain"))
    scene.collection.objects.link(plain)
    gone = tmp_path / "gone.wav"
    shutil.copy(SAMPLE, gone)
    strips = DialogueScene(scene, monkeypatch.setattr)
    strips.add("Alice: line 1", speech_wav, 1, channel=1)
    strips.add("Alice: line 2", SAMPLE, 300, channel=1)
    strips.add("Bob: line 1", SAMPLE, 20, channel=2, text="the weather in spain is mild")
    strips.add("Narrator", speech_wav, 100, channel=3, target=carol)
    strips.add("Music", SAMPLE, 1, channel=4)
    strips.add("Plain: hello", SAMPLE, 1, channel=5)
    strips.add("Bob: overlap A", SAMPLE, 600, channel=2)
    strips.add("Bob: overlap B", SAMPLE, 640, channel=3)
    strips.add("Carol: missing", gone, 700, channel=4)
    gone.unlink()
    scene.frame_set(1)
    return scene, (alice, bob, carol), strips


def _report() -> list[str]:
    return bpy.context.window_manager.lipsync_status.scene_report.splitlines()


def _nla_takes(obj) -> dict[str, bpy.types.NlaStrip]:
    anim = obj.data.shape_keys.animation_data
    if anim is None:
        return {}
    return {s.action["tiny_lipsync_audio"]: s for t in anim.nla_tracks for s in t.strips}


def _core_values(path: Path) -> tuple[tuple[str, ...], np.ndarray]:
    api = ext("core.api")
    samples, rate = read_wav(path)
    animation = api.predict(api.load_model("s_tiny"), samples, rate, FPS)
    return animation.channel_names, np.clip(animation.weights, 0.0, 1.0)


def test_every_strip_on_its_character_in_one_go_with_one_report(dialogue, speech_wav):
    scene, (alice, bob, carol), _ = dialogue
    assert bpy.ops.lipsync.generate_all(model="s_tiny") == {"FINISHED"}
    report = _report()
    assert report[0].startswith("Keyed 4 of 9 sound strips on 3 objects in ")
    assert report[0].endswith("; 5 failed.")
    assert report[1].startswith("Alice: line 1 -> Alice: keyed frames 1-")
    assert ", s_tiny, no text" in report[1]
    assert report[2].startswith("Alice: line 2 -> Alice: keyed frames 300-")
    assert report[3].startswith("Bob: line 1 -> Bob: keyed frames 20-")
    assert "The text does not match the audio; used the model alone." in report[3]
    assert report[4].startswith("Narrator -> Carol: keyed frames 100-")
    assert report[5] == (
        "Music: failed (no target: name the strip 'Object: ...' or pick a target for it in "
        "the list)"
    )
    assert report[6].startswith("Plain: hello -> Plain: failed ('Plain' has no shape keys")
    assert report[7].startswith(
        "Bob: overlap A -> Bob: failed (plays on the same frames as 'Bob: overlap B' on 'Bob'"
    )
    assert "nothing was overwritten" in report[8]
    assert report[9].startswith("Carol: missing -> Carol: failed (Sound strip 'Carol: missing'")
    assert "is missing" in report[9] and len(report) == 10

    takes = {obj.name: _nla_takes(obj) for obj in (alice, bob, carol)}
    assert {name: sorted(t) for name, t in takes.items()} == {
        "Alice": ["Alice: line 1", "Alice: line 2"],
        "Bob": ["Bob: line 1"],
        "Carol": ["Narrator"],
    }
    channels, expected = _core_values(speech_wav)
    for obj, strip, first in (
        (alice, takes["Alice"]["Alice: line 1"], 1),
        (carol, takes["Carol"]["Narrator"], 100),
    ):
        frames, names, values = ext("addon.keying").take_curves(obj, strip.action)
        # a strip plays whole frames: it may end up to a frame before the file (5.2)
        assert len(expected) - 1 <= len(frames) <= len(expected)
        np.testing.assert_allclose(frames, first + np.arange(len(frames)))
        body = slice(0, len(frames) - int(np.ceil(0.3 * FPS)))  # before the cut's context
        for column, name in enumerate(names):
            want = expected[: len(frames), channels.index(name)]
            np.testing.assert_allclose(values[body, column], want[body], atol=2e-5)
            np.testing.assert_allclose(values[:, column], want, atol=5e-3)
        assert strip.frame_start == first and strip.extrapolation == "NOTHING"
    # the NLA plays each take at its own frames: line 2's keys at frame 340 on Alice
    line_2 = takes["Alice"]["Alice: line 2"].action
    frames, names, values = ext("addon.keying").take_curves(alice, line_2)
    scene.frame_set(340)
    jaw = names.index("jawOpen")
    assert alice.data.shape_keys.key_blocks["jawOpen"].value == pytest.approx(
        values[list(frames).index(340.0), jaw], abs=1e-6
    )
    # closures listed on each take and drawn as timeline markers
    closures = line_2.lipsync_take.closures
    # each closure on an aligned p/b/m of its .txt carries the letter; a seal elsewhere (a false
    # closure of the model) is listed unlabelled
    labelled = [c for c in closures if c.phone]
    assert len(labelled) >= 5 and {c.phone for c in closures} <= {"p", "b", "m", ""}
    markers = {(m.name, m.frame) for m in scene.timeline_markers}
    for closure in closures:
        name = f"[Alice] {closure.phone or 'pbm'} {round(100 * closure.confidence)}%"
        assert (name, int(closure.frame_start)) in markers
    assert not bpy.data.objects["Plain"].animation_data
    # a take on the NLA track is corrected like any other: its own keys, its list, its markers
    count = len(closures)
    assert bpy.ops.lipsync.closure_delete(target="Alice", take=line_2.name, index=1) == {"FINISHED"}
    assert len(line_2.lipsync_take.closures) == count - 1
    assert len(ext("addon.take_store").corrections_of(line_2)) == 1


def test_a_second_run_skips_what_is_keyed_with_the_same_settings(dialogue):
    scene, _, _ = dialogue
    assert bpy.ops.lipsync.generate_all(model="s_tiny") == {"FINISHED"}
    before = fingerprint()
    assert bpy.ops.lipsync.generate_all(model="s_tiny") == {"FINISHED"}
    report = _report()
    assert report[0].startswith("Keyed 0 of 9 sound strips") and "4 skipped, 5 failed" in report[0]
    assert report[1] == (
        "Alice: line 1 -> Alice: skipped (already keyed with the same settings; Generate Again "
        "to redo it)"
    )
    assert fingerprint() == before
    assert bpy.ops.lipsync.generate_all(model="s_tiny", strength=0.5) == {"FINISHED"}
    assert _report()[0].startswith("Keyed 4 of 9")  # another setting: keyed again
    assert bpy.ops.lipsync.generate_all(model="s_tiny", strength=0.5, force=True) == {"FINISHED"}
    assert _report()[0].startswith("Keyed 4 of 9")  # asked to
    takes = [a for a in bpy.data.actions if "tiny_lipsync_take" in a]
    assert len(takes) == 4  # replaced, never duplicated


def test_generate_all_is_one_undo_step(dialogue):
    scene, (alice, _, _), _ = dialogue
    assert bpy.ops.ed.undo_push(message="start") == {"FINISHED"}
    alice.data.shape_keys.key_blocks["mouthFunnel"].value = 0.5  # the user's edit
    assert bpy.ops.ed.undo_push(message="user edit") == {"FINISHED"}
    before = fingerprint()
    assert bpy.ops.lipsync.generate_all("EXEC_DEFAULT", True, model="s_tiny") == {"FINISHED"}
    assert fingerprint() != before
    assert bpy.ops.ed.undo() == {"FINISHED"}
    assert fingerprint() == before
    assert bpy.data.objects["Alice"].data.shape_keys.key_blocks["mouthFunnel"].value == 0.5


def test_when_no_strip_can_be_keyed_nothing_changes(empty_scene, monkeypatch):
    scene = empty_scene
    add_character("Alice")
    strips = DialogueScene(scene, monkeypatch.setattr)
    strips.add("Music", SAMPLE, 1)
    strips.add("Alice: a", SAMPLE, 1, channel=1)
    strips.add("Alice: b", SAMPLE, 50, channel=2)
    before = fingerprint()
    with pytest.raises(RuntimeError, match="Keyed 0 of 3 sound strips"):
        bpy.ops.lipsync.generate_all(model="s_tiny")
    assert fingerprint() == before


def test_an_interrupted_run_writes_nothing(dialogue, monkeypatch):
    """The job writes only after every take is computed: stopped on the third strip (as Esc
    stops the worker), the file is as it was."""
    ops = ext("addon.ops_generate_all")
    real, calls = ops.compute_take, []

    def stop_at_the_third(request, progress, *args):
        calls.append(request.audio.name)
        if len(calls) == 3:
            raise ext("addon.job_operator").Cancelled()
        return real(request, progress, *args)

    monkeypatch.setattr(ops, "compute_take", stop_at_the_third)
    before = fingerprint()
    with pytest.raises(RuntimeError):
        bpy.ops.lipsync.generate_all(model="s_tiny")
    assert len(calls) == 3 and fingerprint() == before


def test_the_panel_lists_the_strips_and_a_strip_keeps_its_choices(dialogue):
    scene, (alice, bob, carol), strips = dialogue
    casting = ext("addon.strip_casting")
    names = bpy.data.objects.keys()
    if AUDIO:
        narrator = ext("addon.compat").find_sound_strip(scene, "Narrator")
        assert narrator.lipsync.target == carol
        assert casting.strip_target(narrator, names) == ("Carol", "picked in the panel")
        assert "LIPSYNC_UL_strips" in dir(bpy.types)
    music = next(s for s in ext("addon.compat").sound_strips(scene) if s.name == "Music")
    assert casting.strip_target(music, names) == ("", "")
    line = next(s for s in ext("addon.compat").sound_strips(scene) if s.name == "Alice: line 1")
    assert casting.strip_target(line, names) == ("Alice", "by its name")
    assert casting.strip_state(line, "Alice") == "not keyed"
    assert bpy.ops.lipsync.generate_all(model="s_tiny") == {"FINISHED"}
    assert casting.strip_state(line, "Alice") == "keyed (s_tiny)"


def test_twenty_strips_on_three_characters_in_one_undo_step(empty_scene, speech_wav, monkeypatch):
    """The issue's scene: 20 strips, 3 characters, keyed in one go and undone in one step (the
    timings are in reports/workflow_bench.md, `make bench-workflow`)."""
    scene = empty_scene
    scene.render.fps, scene.render.fps_base = FPS, 1.0
    characters = [add_character(name) for name in ("Alice", "Bob", "Carol")]
    strips = DialogueScene(scene, monkeypatch.setattr)
    cursor = {obj.name: 1 for obj in characters}
    for i in range(20):
        who = characters[i % 3].name
        path = (speech_wav, SAMPLE)[i % 2]
        strips.add(f"{who}: line {i + 1}", path, cursor[who], channel=1 + i % 3)
        cursor[who] += 240  # longer than either line at 24 fps
    assert bpy.ops.ed.undo_push(message="before") == {"FINISHED"}
    before = fingerprint()
    assert bpy.ops.lipsync.generate_all("EXEC_DEFAULT", True, model="s_tiny") == {"FINISHED"}
    assert _report()[0].startswith("Keyed 20 of 20 sound strips on 3 objects in ")
    assert sum(len(_nla_takes(obj)) for obj in characters) == 20
    assert bpy.ops.ed.undo() == {"FINISHED"}
    assert fingerprint() == before
    assert [a for a in bpy.data.actions if "tiny_lipsync_take" in a] == []
