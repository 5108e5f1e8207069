"""Dialogue scenes for the whole-scene tests and bench: characters and their sound strips.

Blender 5.2 gets real sound strips. The bpy 4.2 wheel is built without Audaspace and cannot
hold a sound strip at all, so there `stand_in_strips` makes the add-on's one strip accessor
(`compat.sound_strips`) return stand-ins that carry what the add-on reads from a strip: its
name, a real Sound datablock, its frames, mute, and its lip-sync choices. Everything past that
accessor (casting, audio, keying, NLA, undo, report) is the real add-on on real Blender data.
"""

import math
import wave
from pathlib import Path
from types import SimpleNamespace

import bpy
from addon_helpers import ext

AUDIO = bpy.app.build_options.audaspace


def add_character(name: str) -> bpy.types.Object:
    """The demo head (52 ARKit shape keys) named `name`."""
    assert bpy.ops.lipsync.add_demo_head() == {"FINISHED"}
    obj = bpy.context.active_object
    obj.name = name
    return obj


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as source:
        return source.getnframes() / source.getframerate()


class StandInStrip(SimpleNamespace):
    """What the add-on reads from a sound strip, for Blender builds without Audaspace."""


class DialogueScene:
    """Adds sound strips to a scene: real ones where Blender has Audaspace, stand-ins else."""

    def __init__(self, scene: bpy.types.Scene, patch=None):
        self.scene = scene
        self.stand_ins: list[StandInStrip] = []
        if not AUDIO:  # patch(obj, name, value): pytest's monkeypatch.setattr or setattr
            (patch or setattr)(ext("addon.compat"), "sound_strips", lambda _scene: self.stand_ins)

    def add(self, name: str, path: Path, frame: int, channel: int = 1, target=None, text=""):
        """A sound strip of `path` at `frame`, with a target and text picked for it."""
        if AUDIO:
            strips = ext("addon.compat").new_strip_collection(self.scene)
            strip = strips.new_sound(name, str(path), channel=channel, frame_start=frame)
            strip.lipsync.target = target
            strip.lipsync.text = text
            return strip
        fps = self.scene.render.fps / self.scene.render.fps_base
        length = math.ceil(wav_seconds(path) * fps - 1e-9)
        strip = StandInStrip(
            name=name,
            type="SOUND",
            mute=False,
            sound=bpy.data.sounds.load(str(path), check_existing=True),
            sound_name="",
            frame_start=float(frame),
            frame_final_start=float(frame),
            frame_final_end=float(frame + length),
            lipsync=SimpleNamespace(target=target, model="DEFAULT", text=text),
        )
        strip.sound_name = strip.sound.name
        self.stand_ins.append(strip)
        return strip

    def refresh(self) -> None:
        """Undo and redo rebuild Blender's data: the stand-ins look their Sounds up again."""
        for strip in self.stand_ins:
            strip.sound = bpy.data.sounds[strip.sound_name]
