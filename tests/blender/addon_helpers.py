"""Shared helpers of the add-on tests: real speech, the installed core, models, fingerprints."""

import hashlib
import importlib
import shutil
import subprocess
import wave
from pathlib import Path

import bpy
import numpy as np
import pytest
from conftest import ADDON_MODULE

SPEECH_TEXT = (
    "Bob met Pam by the pump. Maybe my mum made bread, but Ben bought plums and a map. "
    "Please pass the butter, Bill."
)


def ext(module: str):
    """A module of the installed extension, e.g. ext('core.api')."""
    return importlib.import_module(f"{ADDON_MODULE}.{module}")


def synthesize_speech(path: Path, text: str = SPEECH_TEXT, voice: str = "en-us+m3") -> Path:
    """Speak `text` into a WAV file with espeak-ng (an engine `make setup` installs)."""
    engine = shutil.which("espeak-ng")
    assert engine, "espeak-ng is not installed: run `make engines` (tools/setup/install_engines.sh)"
    subprocess.run([engine, "-v", voice, "-s", "150", "-w", str(path), text], check=True)
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """16-bit PCM WAV -> float32 samples (N,) and rate (the reference reader of the tests)."""
    with wave.open(str(path), "rb") as source:
        assert source.getsampwidth() == 2
        raw = source.readframes(source.getnframes())
        rate, channels = source.getframerate(), source.getnchannels()
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return samples.reshape(-1, channels).mean(axis=1), rate


def shipped_model_names() -> list[str]:
    """The models shipped in assets/models (as the installed extension sees them)."""
    return ext("core.api").shipped_models()


def fingerprint() -> str:
    """A hash of everything a take could change: actions, their curves, assignments, NLA,
    shape keys, markers, objects and images."""
    compat = ext("addon.compat")
    parts = []
    for action in sorted(bpy.data.actions, key=lambda a: a.name):
        parts.append(f"action {action.name} {sorted(action.keys())} fake={action.use_fake_user}")
        for key in bpy.data.shape_keys:
            curves = compat.action_fcurves(action, key) if compat.SLOTTED_ACTIONS else None
            for fcurve in curves or (() if compat.SLOTTED_ACTIONS else action.fcurves):
                frames, values = compat.read_fcurve(fcurve)
                parts.append(
                    f"{fcurve.data_path} {frames.tobytes().hex()} {values.tobytes().hex()}"
                )
    for key in bpy.data.shape_keys:
        anim = key.animation_data
        parts.append(f"key {key.name} {[b.name for b in key.key_blocks]}")
        parts.append(f"anim {anim.action.name if anim and anim.action else None}")
        parts.append(f"nla {[t.name for t in anim.nla_tracks] if anim else []}")
    parts.append(f"objects {sorted(o.name for o in bpy.data.objects)}")
    parts.append(f"meshes {sorted(m.name for m in bpy.data.meshes)}")
    parts.append(f"images {sorted(i.name for i in bpy.data.images)}")
    for scene in bpy.data.scenes:
        parts.append(f"markers {sorted((m.name, m.frame) for m in scene.timeline_markers)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def take_values(obj: bpy.types.Object) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """Frames (T,), shape-key names and values (T, M) of the object's active take."""
    return ext("addon.keying").take_curves(obj)


def random_weight_model(path: Path) -> Path:
    """A test-only model: the s_tiny architecture with random weights, written as a real model
    file and run by the real runtime (its output follows any input, whatever is shipped)."""
    modelfile, catalog = ext("core.runtime.modelfile"), ext("core.runtime.catalog")
    config = modelfile.read_model_file(catalog.resolve_model("s_tiny")).config  # the shipped one
    rng = np.random.default_rng(0)
    shapes = modelfile.expected_shapes(config)
    weights = {k: (rng.standard_normal(s) * 0.1).astype(np.float32) for k, s in shapes.items()}
    modelfile.write_model_file(
        path, "random_weights_test_only", config, weights, "Random weights for tests only."
    )
    return path


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory) -> Path:
    """Real (synthesised) speech with many /p b m/, made at test time by espeak-ng."""
    return synthesize_speech(tmp_path_factory.mktemp("speech") / "dialogue.wav")


@pytest.fixture(scope="session")
def model_names(installed_extension, tmp_path_factory) -> list[str]:
    """Every shipped model (the extension ships four; none is a failure, not a skip)."""
    names = shipped_model_names()
    assert names, "the installed extension ships no model file"
    return names


@pytest.fixture
def model_name(model_names) -> str:
    """The smallest model (the first shipped name, s_tiny where present)."""
    return "s_tiny" if "s_tiny" in model_names else model_names[0]


@pytest.fixture
def scene_with_speech(empty_scene, speech_wav):
    """The demo head plus, where this Blender has Audaspace, a sound strip 'Dialogue' at 12."""
    assert bpy.ops.lipsync.add_demo_head() == {"FINISHED"}
    head = bpy.context.active_object
    if bpy.app.build_options.audaspace:
        strips = ext("addon.compat").new_strip_collection(empty_scene)
        strips.new_sound("Dialogue", str(speech_wav), channel=1, frame_start=12)
    return empty_scene, head, speech_wav
