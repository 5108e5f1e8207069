"""The demo pieces: the demo head at rest, "Add Sample Speech", the shipped sample, `make demo`."""

import subprocess
import sys
import wave
from pathlib import Path

import bpy
import numpy as np
import pytest
from addon_helpers import ext
from conftest import ADDON_MODULE, REPO, build_extension_zip

AUDIO = bpy.app.build_options.audaspace


def test_demo_head_keys_start_at_rest(empty_scene):
    # Blender 5.x creates shape keys at value 1.0: every key must be reset, or the head would
    # show all 52 expressions at once wherever a take does not key them (eyes shut, brows up).
    assert bpy.ops.lipsync.add_demo_head() == {"FINISHED"}
    blocks = bpy.context.active_object.data.shape_keys.key_blocks
    assert [b.name for b in blocks if b.value != 0.0 and b.name != "Basis"] == []
    assert empty_scene.lipsync.target == bpy.context.active_object  # picked, as in the README


def test_sample_speech_ships_in_the_extension(installed_extension):
    path = ext("addon.demo_head").SAMPLE_SPEECH
    assert path.parts[-3:] == (ADDON_MODULE.rpartition(".")[2], "assets", "sample_speech.wav")
    assert "extensions" in path.parts and path.stat().st_size < 300_000  # the installed copy
    with wave.open(str(path), "rb") as source:
        assert (source.getnchannels(), source.getsampwidth()) == (1, 2)
        duration_s = source.getnframes() / source.getframerate()
    assert 3.0 <= duration_s <= 8.0
    assert "sample_speech.wav" in (REPO / "assets" / "CREDITS.md").read_text(encoding="utf-8")


def test_add_sample_speech_adds_and_picks_a_strip(empty_scene):
    scene = empty_scene
    scene.render.fps, scene.render.fps_base = 30, 1.0
    compat = ext("addon.compat")
    if not AUDIO:  # bpy 4.2 wheel: no Audaspace, so no sound strips; greyed out, no change
        assert not bpy.ops.lipsync.add_sample_speech.poll()
        with pytest.raises(RuntimeError, match="poll"):
            bpy.ops.lipsync.add_sample_speech()
        with pytest.raises(ext("core.errors").AudioError, match="without audio support"):
            ext("addon.demo_head").add_sample_speech(scene, 1)
        assert compat.sound_strips(scene) == [] and scene.lipsync.strip == ""
        return
    assert bpy.ops.lipsync.add_sample_speech() == {"FINISHED"}
    (strip,) = compat.sound_strips(scene)
    assert scene.lipsync.strip == strip.name == "Sample Speech"
    assert Path(bpy.path.abspath(strip.sound.filepath)) == ext("addon.demo_head").SAMPLE_SPEECH
    content_start, left, right = compat.strip_frames(strip)
    assert left == content_start == scene.frame_start
    assert abs((right - left) - 6.05 * 30) <= 1.0
    assert bpy.ops.lipsync.add_sample_speech() == {"FINISHED"}  # a second one goes above it
    channels = sorted(s.channel for s in compat.sound_strips(scene))
    assert channels == [1, 2] and scene.lipsync.strip == "Sample Speech.001"


@pytest.mark.once
@pytest.mark.slow
def test_demo_job_makes_renders_sheet_plot_and_exports(tmp_path):
    zip_path = build_extension_zip(tmp_path)
    out = tmp_path / "demo"
    command = [
        sys.executable,
        "-m",
        "tools.demo.render",
        "--out",
        str(out),
        "--zip",
        str(zip_path),
        "--width",
        "320",
        "--height",
        "160",
        "--picture",
        str(tmp_path / "picture.png"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    frames = sorted((out / "frames").glob("frame_*.jpg"))
    phones = [line.split()[2] for line in (REPO / "tools" / "demo" / "sample_phones.txt").open()]
    assert len(frames) == sum(p in ("P", "B", "M") for p in phones) + 1  # + one open vowel
    for name in ("contact_sheet.png", "lip_gap_compare.png", "take_s_tiny.glb"):
        assert (out / name).stat().st_size > 1000, name
    picture = bpy.data.images.load(str(tmp_path / "picture.png"))  # the README's: two renders
    assert tuple(picture.size) == (320, 160)  # shrunk by 2, side by side, above the plot
    header = (out / "take_s_tiny.csv").read_text().splitlines()[0].split(",")
    assert header[0] == "time" and "jawOpen" in header and "mouthClose" in header
    summary = (out / "summary.md").read_text()
    assert f"Blender {bpy.app.version_string}" in summary and "| teacher lip gap mm |" in summary
    cells = [line.split("|")[1:-1] for line in summary.splitlines() if line.startswith("| ")]
    gaps = np.array(
        [[float(c) for c in row[3:]] for row in cells if len(row) == 5 and row[0].strip().isdigit()]
    )
    assert gaps.shape == (len(frames), 2) and np.all(gaps >= 0.0)
    # the 2D mouth: the viseme take drives it beside the 3D head, the closed shape on p/b/m
    assert len(list((out / "frames_2d").glob("frame_*.jpg"))) == len(frames)
    for name in ("mouth_2d_sheet.png", "mouth_2d_strip.png"):
        assert (out / name).stat().st_size > 1000, name
    shapes = [row for row in cells if len(row) == 4 and row[0].strip().isdigit()]
    assert {row[3].strip() for row in shapes if row[2].strip() in ("P", "B", "M")} == {"A"}
    assert len({row[3].strip() for row in shapes}) >= 4  # the strip shows the mouth move
