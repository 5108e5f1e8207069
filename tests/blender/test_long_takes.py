# ruff: noqa: F811  (pytest fixtures imported from addon_helpers are parameters here)
"""Long takes in real Blender (#17 item 9): a 10-min file costs Blender's own keyframes and little
more; the opt-in key tolerance keys fewer frames and never moves the curve by more than it."""

import re
import subprocess
import sys
import wave
from pathlib import Path

import bpy
import numpy as np
import pytest
from addon_helpers import (  # noqa: F401
    ext,
    model_name,
    model_names,
    read_wav,
    scene_with_speech,
    speech_wav,
    take_values,
)

ROOT = Path(__file__).resolve().parents[2]
MINUTES, RATE = 10, 44100
# What Generate may hold beyond Blender's keyframes (two BezTriples per key): the numpy runtime
# and model (~12 MB) and the take's arrays. A strip decoded whole (10 min: 106 MB of float32
# at 44.1 kHz, plus Audaspace's own buffer) or copies of the frames per stage break it.
OWN_BUDGET_MB = 50


def _ten_minutes(speech_wav: Path, path: Path) -> Path:
    """The test speech looped to 10 min, 44.1 kHz mono 16-bit (nearest-sample resampling)."""
    samples, rate = read_wav(speech_wav)
    positions = np.arange(int(len(samples) * RATE / rate)) * rate // RATE
    clip = (np.clip(samples[positions], -1, 1) * 32767).astype("<i2")
    loops = -(-MINUTES * 60 * RATE // len(clip))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(RATE)
        out.writeframes(np.tile(clip, loops)[: MINUTES * 60 * RATE].tobytes())
    return path


@pytest.mark.once
@pytest.mark.slow
def test_ten_minutes_cost_blenders_keyframes_and_little_more(speech_wav, tmp_path):
    """Peak RSS over the pre-Generate baseline, in a fresh Blender (the hour bench's code)."""
    wav = _ten_minutes(speech_wav, tmp_path / "ten_minutes.wav")
    run = subprocess.run(
        [sys.executable, "-m", "tools.bench.long_audio", "--blender", "--wav", str(wav)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    line = next((x for x in run.stdout.splitlines() if x.startswith("Blender ")), None)
    assert line, f"the bench printed no result:\n{run.stdout[-2000:]}{run.stderr[-2000:]}"
    numbers = re.search(
        r"\+(\d+) MB over the baseline, (\d+) frames, (\d+) keys "
        r"\(Blender's 2 x 72 B per key: (\d+) MB\)",
        line,
    )
    assert numbers, line
    delta_mb, frames, keys, blender_mb = map(int, numbers.groups())
    assert frames == MINUTES * 60 * 30 and keys == frames * 29, line  # every frame keyed
    assert delta_mb < blender_mb + OWN_BUDGET_MB, line


def test_a_key_tolerance_keys_fewer_frames_within_it(scene_with_speech, model_name):
    scene, head, speech_wav = scene_with_speech
    scene.render.fps = 30
    generate = {
        "filepath": str(speech_wav),
        "frame_start": 5,
        "model": model_name,
        "target": head.name,
    }
    assert bpy.ops.lipsync.generate(**generate) == {"FINISHED"}
    frames, names, every = take_values(head)
    tolerance = 0.002
    assert bpy.ops.lipsync.generate(**generate, key_tolerance=tolerance) == {"FINISHED"}
    key = head.data.shape_keys
    action = key.animation_data.action
    assert action["tiny_lipsync_key_tolerance"] == pytest.approx(tolerance)  # float32 prop
    compat = ext("addon.compat")
    fcurves = compat.action_fcurves(action, key)
    keyed = 0
    for column, name in enumerate(names):
        fcurve = fcurves.find(compat.shape_key_data_path(name))
        curve_frames, curve_values = compat.read_fcurve(fcurve)
        keyed += len(curve_frames)
        assert curve_frames[0] == frames[0] and curve_frames[-1] == frames[-1]
        at_keys = np.searchsorted(frames, curve_frames)
        np.testing.assert_array_equal(curve_values, every[at_keys, column])  # exact where kept
        evaluated = np.array([fcurve.evaluate(f) for f in frames])  # Blender's own curve
        assert np.max(np.abs(evaluated - every[:, column])) <= tolerance + 1e-5
    assert keyed < 0.8 * every.size  # speech at 2/1000 of the slider: far fewer keys
    # Export and compare read the reduced take at every frame, as the lines between its keys.
    reduced_frames, reduced_names, reduced = take_values(head)
    assert reduced_names == names
    np.testing.assert_array_equal(reduced_frames, frames)
    assert np.max(np.abs(reduced - every)) <= tolerance + 1e-5


def test_the_preference_sets_the_tolerance_and_zero_keys_every_frame(scene_with_speech, model_name):
    scene, head, speech_wav = scene_with_speech
    scene.render.fps = 30
    prefs = ext("addon.preferences")
    preferences = prefs.get(bpy.context)
    generate = {"filepath": str(speech_wav), "model": model_name, "target": head.name}
    try:
        preferences.key_tolerance = 0.01
        assert bpy.ops.lipsync.generate(**generate) == {"FINISHED"}
        key = head.data.shape_keys
        counts = [
            len(c.keyframe_points)
            for c in ext("addon.compat").action_fcurves(key.animation_data.action, key)
        ]
        frames, _, _ = take_values(head)
        assert max(counts) < len(frames)
        assert bpy.ops.lipsync.generate(**generate, key_tolerance=0.0) == {"FINISHED"}
        counts = [
            len(c.keyframe_points)
            for c in ext("addon.compat").action_fcurves(key.animation_data.action, key)
        ]
        assert counts == [len(frames)] * len(counts)  # the argument wins; 0 keys every frame
    finally:
        preferences.key_tolerance = 0.0
